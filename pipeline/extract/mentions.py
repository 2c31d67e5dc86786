"""Records the extractors return: pure data, character offsets into the clean text.

Every extractor is a pure function ``text (+ reference date / tokens) -> list[Mention]``;
the article id and sentence index are added by the assembling stage (pipeline.extract).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date_start: date | None      # inclusive; None when unresolved
    date_end: date | None        # inclusive; None when unresolved
    grain: str                   # day | week | month | quarter | half | year
    resolution: str              # absolute | relative_to_reference | relative_to_previous_date | unresolved
    timex: str                   # TIMEX3-style value: 2025-02-10, 2025-02, 2025, XXXX-XX-22, 2025-Q1, 2025-H2, 2025-W07
    rule: str                    # the rule (pattern id) that produced it


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    text: str
    value: float
    kind: str                    # count | money | percent | ordinal | duration | measure | other | numeral
    unit: str | None             # counter or unit as written (None for a bare numeral): 개국, 개, 명, 곳, 원, 달러, %, ...
    counted: str | None          # for counts: country | organization | person | other
    counted_noun: str | None     # the noun counted by a generic counter: '60개 국가' -> 국가
    qualifier: str               # exact | approx | at_least | more_than | at_most | less_than
    rule: str
    value_max: float | None = None   # upper bound of a range (96~7% -> 97, 두세 명 -> 3); None otherwise


@dataclass(frozen=True)
class OrganizationMention:
    start: int
    end: int
    text: str
    canonical: str
    abbreviation: str | None
    org_type: str                # government | international | company | research | university | media | civil_society | other
    country: str | None
    rule: str


@dataclass(frozen=True)
class OfficialMention:
    start: int
    end: int
    name_start: int
    name_end: int
    name: str
    name_latin: str | None
    title: str
    organization: str | None     # canonical organisation name
    country: str | None
    role: str                    # government | corporate | academic | other
    rule: str
    text: str = ""
    person_id: str = ""          # groups mentions of one person (stable across articles: name + organisation)
    former: bool = False         # 전/前 before the title: 이명박 전 대통령


@dataclass(frozen=True)
class LocationMention:
    start: int
    end: int
    text: str
    kind: str                    # country | city | district | venue
    rule: str
    parts: tuple[str, ...] = field(default_factory=tuple)
