"""Korean news boilerplate rules, loaded from ``data/boilerplate.json``.

A rule classifies one line of text. The cleaner (``pipeline.clean``) applies the first rule
that matches and records what it removed, so cleaning stays auditable.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "boilerplate.json"
BULLETS = " \t\u00a0\u3000•·◆◇■□●○▲△▣◈-*"


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    action: str          # drop | strip | caption | tail
    regex: re.Pattern
    needs: tuple[str, ...] = ()      # the line must contain one of these for the rule to be tried

    def search(self, line: str) -> re.Match | None:
        if self.needs and not any(n in line for n in self.needs):
            return None
        return self.regex.search(line)


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    section_labels: frozenset[str]
    publishers: tuple[dict, ...]
    tail_block: dict
    portals: frozenset[str] = frozenset()
    script_body: dict = None     # when to look for the article in the page's scripts
    surnames: frozenset[str] = frozenset()
    splits: tuple[re.Pattern, ...] = ()     # where a glued line is split before the rules run

    def first_match(self, line: str) -> tuple[Rule, re.Match] | None:
        probe = line.strip(BULLETS)
        for rule in self.rules:
            match = rule.search(probe)
            if match:
                return rule, match
        return None

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def is_section_label(self, line: str) -> bool:
        return line.strip(BULLETS) in self.section_labels

    def is_person_name(self, name: str) -> bool:
        """A 2–4 syllable Korean name starting with a family name, not a portal's or publisher's name."""
        return (bool(re.fullmatch(r"[가-힣]{2,4}", name)) and name[0] in self.surnames
                and not self.is_portal(name) and self.canonical_publisher(name) is None)

    def is_portal(self, name: str) -> bool:
        return re.sub(r"\s+", "", name).lower() in self.portals

    def publisher_for_domain(self, domain: str) -> str | None:
        domain = domain.lower()
        for pub in self.publishers:
            if any(domain == d or domain.endswith("." + d) for d in pub["domains"]):
                return pub["name"]
        return None

    def canonical_publisher(self, name: str | None) -> str | None:
        """The known publisher a name or alias refers to ('동아닷컴' -> 동아일보), else None."""
        key = re.sub(r"\s+", "", name or "").lower()
        for pub in self.publishers:
            if key in {re.sub(r"\s+", "", a).lower() for a in (pub["name"], *pub.get("aliases", ()))}:
                return pub["name"]
        return None

    def publisher_for_url(self, url: str | None) -> str | None:
        """The publisher of a URL's domain, or of a portal URL's press id (news.naver.com ...&oid=056)."""
        match = re.match(r"https?://([^/:?#]+)", url or "")
        if not match:
            return None
        oid = re.search(r"[?&/]oid=(\d{3})|/article/(\d{3})/", url)
        if oid:
            code = oid.group(1) or oid.group(2)
            return next((p["name"] for p in self.publishers if p.get("naver_oid") == code), None)
        return self.publisher_for_domain(match.group(1))

    def publisher_named_in(self, line: str) -> str | None:
        for pub in self.publishers:
            if re.search(rf"(^|[\s,·]){re.escape(pub['name'])}($|[\s,\[·])", line):
                return pub["name"]
        return None


def _alternation(words) -> str:
    return "^(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")$"


def _names_and_aliases(publishers) -> list[str]:
    """Publisher names, and the aliases a page prints as a line of its own ('KBS 뉴스', '동아닷컴')."""
    aliases = [a for p in publishers for a in p.get("aliases", ()) if re.search(r"[가-힣]|\s", a)]
    return [p["name"] for p in publishers] + aliases


def compile_rules(spec: dict) -> RuleBook:
    labels = frozenset(spec["section_labels"])
    publishers = tuple(spec["publishers"])
    macros = {"@section_labels": _alternation(labels),
              "@publishers": _alternation(_names_and_aliases(publishers))}
    names = _alternation(_names_and_aliases(publishers))[2:-2]          # inside a pattern: {publishers}
    rules = tuple(
        Rule(r["id"], r["category"], r["action"],
             re.compile(macros.get(r["pattern"], r["pattern"]).replace("{publishers}", names)), tuple(r.get("needs", ())))
        for r in spec["rules"]
    )
    portals = frozenset(re.sub(r"\s+", "", p).lower() for p in spec["portals"])
    return RuleBook(rules, labels, publishers, spec["tail_block"], portals, spec["script_body"],
                    frozenset(spec.get("surnames", "")), tuple(re.compile(s["pattern"]) for s in spec.get("splits", ())))


@lru_cache(maxsize=1)
def rulebook() -> RuleBook:
    return compile_rules(json.loads(DATA_FILE.read_text(encoding="utf-8")))
