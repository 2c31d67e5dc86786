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
BULLETS = " \t\u00a0\u3000•·◆◇■□●○▲△-*"


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    action: str          # drop | strip | caption | tail
    regex: re.Pattern

    def search(self, line: str) -> re.Match | None:
        return self.regex.search(line)


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    section_labels: frozenset[str]
    publishers: tuple[dict, ...]
    tail_block: dict

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

    def publisher_for_domain(self, domain: str) -> str | None:
        domain = domain.lower()
        for pub in self.publishers:
            if any(domain == d or domain.endswith("." + d) for d in pub["domains"]):
                return pub["name"]
        return None

    def publisher_named_in(self, line: str) -> str | None:
        for pub in self.publishers:
            if re.search(rf"(^|[\s,·]){re.escape(pub['name'])}($|[\s,\[·])", line):
                return pub["name"]
        return None


def _alternation(words) -> str:
    return "^(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")$"


def compile_rules(spec: dict) -> RuleBook:
    labels = frozenset(spec["section_labels"])
    publishers = tuple(spec["publishers"])
    macros = {"@section_labels": _alternation(labels),
              "@publishers": _alternation(p["name"] for p in publishers)}
    rules = tuple(
        Rule(r["id"], r["category"], r["action"], re.compile(macros.get(r["pattern"], r["pattern"])))
        for r in spec["rules"]
    )
    return RuleBook(rules, labels, publishers, spec["tail_block"])


@lru_cache(maxsize=1)
def rulebook() -> RuleBook:
    return compile_rules(json.loads(DATA_FILE.read_text(encoding="utf-8")))
