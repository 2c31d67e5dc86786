"""Policy events: summits, meetings, declarations, pledges, launches, read from sentences.

An event is a *named* thing (quoted, or an English title such as 'AI Action Summit') whose name
ends in a trigger word (data/events.json), in a sentence that reports it (열린, 채택, 발표 ...).
Dates, places and counts are linked by the phrase structure around the name:

- ``<date> <place>에서 열린 ‘NAME’``: the date and the venue of NAME;
- ``N개국이 (공동으로) 참여한 ‘NAME’`` and ``‘NAME’이 N개국의 참여로 채택``: N signatories;
- ``동/이번 <trigger>`` (and a repeated tail such as ``장관 세션``) refers back to an event and
  carries its sentence's counts (``동 정상회의는 … 87개 국가에서 참여``) to it;
- a sentence whose predicate is 참석/참여/모였 (gathered) with one event: its counts are participants.

Pure: an ``Analysis`` (text + mentions) in, event dicts out; ``cluster_events`` consolidates
the events of many articles.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "events.json"
QUOTES = {"‘": "’", "'": "'", "“": "”", '"': '"', "「": "」", "『": "』", "《": "》", "〈": "〉"}
COUNTED = ("country", "organization", "person")
HOST_TYPES = ("summit", "meeting", "forum")
HOSTED_TYPES = ("declaration", "pledge", "agreement", "launch")


@dataclass(frozen=True)
class Rules:
    triggers: dict[str, str]
    trigger_re: re.Pattern           # a name ending in a trigger
    after_quote_re: re.Pattern       # a trigger phrase right after a closing quote
    english_re: re.Pattern
    anaphor_re: re.Pattern
    reporting: tuple[str, ...]
    venue_re: re.Pattern
    count_verbs: dict[str, tuple[str, ...]]
    sentence_predicates: tuple[str, ...]
    ceremony: tuple[str, ...]
    generic_tokens: frozenset[str]
    aliases: dict[str, str]
    needs_name: frozenset[str]
    max_gap_days: int


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def rules() -> Rules:
    spec = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    triggers = spec["triggers"]
    korean = [t for t in triggers if not t.isascii()]
    english = [t for t in triggers if t.isascii()]
    return Rules(
        triggers=triggers,
        trigger_re=re.compile(rf"({_alt(triggers)})$"),
        after_quote_re=re.compile(rf"^\s?((?:[가-힣A-Za-z]+ )?(?:{_alt(korean)}))(?=[은는이가을를에의과와도]|\s|$)"),
        english_re=re.compile(rf"(?<![A-Za-z])((?:[A-Z0-9][\w&'-]*\s+(?:(?:on|of|for|in) )?){{1,7}})({_alt(english)})s?\b"),
        anaphor_re=re.compile(rf"(?<![가-힣])({_alt(spec['anaphors'])}) ({_alt(korean)})(?=[은는이가을를에의도과와]|\s)"),
        reporting=tuple(spec["reporting_predicates"]),
        venue_re=re.compile(rf"({_alt(spec['venue_predicates'])})"),
        count_verbs={role: tuple(words) for role, words in spec["count_verbs"].items()},
        sentence_predicates=tuple(spec["sentence_participation_predicates"]),
        ceremony=tuple(spec["ceremony_suffixes"]),
        generic_tokens=frozenset(spec["generic_name_tokens"]),
        aliases=spec["name_aliases"],
        needs_name=frozenset(spec["heads_needing_a_name"]),
        max_gap_days=spec["cluster_max_gap_days"],
    )


# -- names ----------------------------------------------------------------------------------

def name_key(name: str) -> str:
    """Normalised name for matching: 에이아이 = AI = 인공지능, spacing and brackets ignored."""
    r = rules()
    text = unicodedata.normalize("NFC", name).lower()
    for alias, canonical in r.aliases.items():
        text = text.replace(alias, f" {canonical} ")
    text = re.sub(r"[^\w]+", " ", text)
    tokens = [t for t in text.split() if t not in r.generic_tokens]
    return "".join(tokens)


def _split_english(name: str) -> tuple[str, str | None]:
    """'인공지능 행동 정상회의(AI Action Summit)' -> ('인공지능 행동 정상회의', 'AI Action Summit')."""
    match = re.search(r"\s?\(([A-Za-z][^()]{3,})\)$", name)
    if match and " " in match.group(1):
        return name[:match.start()].rstrip(), match.group(1)
    return name, None


def _strip_tail(name: str) -> str:
    """Drop a trailing Korean gloss '(네트워크)' and ceremony words ('개회식') before typing."""
    name = re.sub(r"\s?\([가-힣 ]{1,10}\)$", "", name).rstrip()
    for suffix in rules().ceremony:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)].rstrip()
    return name


def event_type(name: str) -> str | None:
    match = rules().trigger_re.search(_strip_tail(name))
    if not match:
        return None
    trigger = match.group(1)
    if trigger in rules().needs_name and len(_strip_tail(name)) <= len(trigger) + 1:
        return None
    return rules().triggers[trigger]


# -- mentions of events in the text -------------------------------------------------------

@dataclass
class Mention:
    start: int
    end: int
    name: str
    name_en: str | None
    type: str
    sentence: int
    named: bool = True            # False for a back-reference (동 정상회의)
    parent: "Mention | None" = None


def _quoted_spans(text: str):
    i = 0
    while i < len(text):
        close = QUOTES.get(text[i])
        if close:
            j = text.find(close, i + 1)
            if j != -1 and 2 <= j - i - 1 <= 90 and "\n" not in text[i + 1:j]:
                yield i, j + 1, text[i + 1:j].strip()
                i = j + 1
                continue
        i += 1


def _english_after(text: str, end: int) -> tuple[str | None, int]:
    match = re.match(r"\(([A-Za-z][^()]{3,80})\)", text[end:end + 90])
    return (match.group(1), end + match.end()) if match else (None, end)


def find_named(text: str, sentence_of) -> list[Mention]:
    found: list[Mention] = []
    for start, end, inner in _quoted_spans(text):
        name, name_en = _split_english(inner)
        after_en, end_en = _english_after(text, end)
        name_en = name_en or after_en
        kind = event_type(name)
        if kind:
            found.append(Mention(start, end_en, _strip_tail(name), name_en, kind, sentence_of(start)))
        tail = rules().after_quote_re.match(text[end_en:end_en + 20])
        if tail:
            tail_type = rules().triggers.get(tail.group(1).split()[-1])
            if tail_type and kind and tail.group(1).split()[-1] not in ("행사",):
                parent = found[-1]
                found.append(Mention(start, end_en + tail.end(), f"{parent.name} {tail.group(1)}", None, tail_type,
                                     sentence_of(start), parent=parent))
            elif tail_type == "launch" and not kind:
                found.append(Mention(start, end_en + tail.end(), name, name_en, "launch", sentence_of(start)))
    for match in rules().english_re.finditer(text):
        name = re.sub(r"^((The|This|That|These|Our|A|An|Next|Each|Every|Both)\s)+", "", (match.group(1) + match.group(2)).strip())
        if name in rules().triggers:          # 'This Summit': a bare head is no name
            continue
        if not any(m.start <= match.start() < m.end for m in found):
            found.append(Mention(match.start(), match.end(), name, name, rules().triggers[match.group(2)],
                                 sentence_of(match.start())))
    return sorted(found, key=lambda m: m.start)


def find_references(text: str, named: list[Mention], sentence_of) -> list[Mention]:
    """'동 정상회의', '이번 행사' and repeated multi-word tails ('장관 세션') pointing at named events."""
    refs: list[Mention] = []
    inside = lambda pos: any(m.start <= pos < m.end for m in named)
    for match in rules().anaphor_re.finditer(text):
        if inside(match.start()):
            continue
        trigger = match.group(2)
        target = _lead_event(named, rules().triggers[trigger], match.start())
        if target:
            refs.append(Mention(match.start(), match.end(), target.name, None, target.type,
                                sentence_of(match.start()), named=False, parent=target))
    for event in named:
        words = event.name.split()
        if event.parent is None or len(words) < 3:
            continue
        tail = " ".join(words[-2:])
        for match in re.finditer(re.escape(tail), text):
            if not inside(match.start()):
                refs.append(Mention(match.start(), match.end(), event.name, None, event.type,
                                    sentence_of(match.start()), named=False, parent=event))
    return refs


def _lead_event(named: list[Mention], kind: str, before: int) -> Mention | None:
    """'이번 정상회의' means the article's own summit: the first one named, else the latest."""
    compatible = [m for m in named if m.parent is None and
                  (m.type == kind or (kind == "meeting" and m.type in ("meeting", "forum", "summit")))]
    earlier = [m for m in compatible if m.start < before]
    return earlier[0] if earlier else (compatible[0] if compatible else None)


# -- linking dates, places, counts --------------------------------------------------------

def _reported(sentence_text: str) -> bool:
    return any(word in sentence_text for word in rules().reporting)


def _date_for(mention: Mention, dates, text: str):
    """The date right before the name in its clause (≤ 80 chars), else one in brackets after it."""
    before = [d for d in dates if d.end <= mention.start and mention.start - d.end <= 80
              and d.date_start is not None and not re.search(r"[‘'“\"]", text[d.end:mention.start])]
    if before:
        return before[-1]
    after = [d for d in dates if 0 <= d.start - mention.end <= 3 and d.date_start is not None]
    return after[0] if after else None


def _venue_for(mention: Mention, text: str, date_mention, places) -> str | None:
    window_start = max(date_mention.end if date_mention else 0, mention.start - 60)
    window = text[window_start:mention.start]
    match = None
    for match in rules().venue_re.finditer(window):
        pass
    if match is None or window[match.end():].strip(" ‘'“\"") != "":
        return None
    venue_end = window_start + match.start()
    candidates = [p for p in places if window_start <= p.start < venue_end]
    if candidates:
        start = candidates[0].start
    else:                                   # the last word before 에서, with its bracketed gloss
        last = re.search(r"(\S+(?:\s?\([^)]*\))?)\s*$", window[:match.start()])
        start = window_start + (last.start() if last else match.start())
    venue = text[start:venue_end].strip(" ,")
    return venue or None


def _count_role(text_after: str, event_type_: str) -> str | None:
    """The role a count plays, from the first participation verb after it."""
    head = text_after[:60]
    hits = [(head.find(v), role) for role, verbs in rules().count_verbs.items() for v in verbs if v in head]
    if not hits:
        return None
    role = min(hits)[1]
    if role == "participants" and event_type_ in HOSTED_TYPES:
        return "signatories"
    return role


def _link_count(number, sentence_mentions: list[Mention], text: str, sentence_end: int):
    """Which event of the sentence a count belongs to, and in what role (None: no link)."""
    after = text[number.end:sentence_end]
    if re.match(r"\s?명의 대표단|\s?명의? 대표", after) or re.match(r"\s?의 대표단", after):
        role_hint = "delegates"
    else:
        role_hint = None
    # R1: 'N개국이 (공동으로) 참여한 ‘NAME’' — the name follows the participation phrase.
    phrase = re.match(r"[^‘'“\"。.]{0,30}?(참여|서명|채택|동참|지지|참가|합의)(한|하는|했던|하여|해)\s?$|"
                      r"[^‘'“\"。.]{0,30}?(참여|서명|채택|동참|지지|참가|합의)(한|하는|했던)\s?(?=[‘'“\"])", after)
    if phrase:
        following = [m for m in sentence_mentions if m.start >= number.end + phrase.end() - 1
                     and m.start - (number.end + phrase.end()) <= 2]
        if following:
            target = following[0]
            return target, _count_role(after, target.type) or "participants"
    # R2: '‘NAME’이 N개국의 참여로 채택됐다' — the name is the subject before the count.
    if re.match(r"의 (참여|서명|지지|동의)로", after):
        before = [m for m in sentence_mentions if m.end <= number.start]
        if before:
            target = before[-1]
            return target, "signatories" if target.type in ("declaration", "pledge", "agreement") else "participants"
    # R3: 'N곳은 … ‘NAME’을 발표했다' — the count is the subject of the event's predicate.
    if re.match(r"\s?(은|는|이|가)\s", after):
        for m in sentence_mentions:
            if m.start > number.end and re.match(r"\s?(을|를)\s?(공동\s?)?(발표|채택|서명|체결|선언)", text[m.end:m.end + 12]):
                return m, "signatories"
    # R4: the sentence's subject is an event (or a reference to one) and its predicate is participation.
    subject = [m for m in sentence_mentions if m.start < number.start and
               re.match(r"(은|는|에는|에서는|에|에서)\s", text[m.end:m.end + 4])]
    role = _count_role(after, subject[0].type) if subject else None
    if subject and role:
        return subject[0], role_hint or role
    # R5: one event in a sentence whose predicate is participation ('… 100개국 이상의 … 모였습니다').
    events = {id(m.parent or m): m for m in sentence_mentions}
    rest = text[number.end:sentence_end]
    if len(events) == 1 and any(p in rest for p in rules().sentence_predicates):
        target = next(iter(events.values()))
        return target, role_hint or ("attendees" if number.counted == "person" else "participants")
    return None


# -- assembling ----------------------------------------------------------------------------

@dataclass
class Draft:
    key: str
    mention: Mention
    names: list[str] = field(default_factory=list)
    name_en: str | None = None
    date_mention: object = None
    location: str | None = None
    counts: list[dict] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)
    parent_key: str | None = None
    mentions: list[Mention] = field(default_factory=list)


def _sentence_bounds(analysis, index: int) -> tuple[int, int]:
    starts = analysis.sentence_starts
    end = starts[index + 1] if index + 1 < len(starts) else len(analysis.text)
    return starts[index], end


def extract_events(analysis, doc=None) -> list[dict]:
    """Event rows (without article_id and ids; ``finish_events`` adds them) for one article."""
    text = analysis.text
    named = find_named(text, analysis.sentence_index)
    named = [m for m in named if _reported(text[slice(*_sentence_bounds(analysis, m.sentence))])]
    refs = find_references(text, named, analysis.sentence_index)
    drafts: dict[str, Draft] = {}
    for m in named:
        key = name_key(m.name_en or "") if m.name_en and not m.name.strip() else name_key(m.name)
        draft = _draft_for(drafts, m)
        draft.names.append(m.name)
        draft.mentions.append(m)
        draft.name_en = draft.name_en or m.name_en
        draft.sentences.add(m.sentence)
        if m.parent is not None:
            draft.parent_key = _draft_for(drafts, m.parent).key
        date_mention = _date_for(m, analysis.dates, text)
        if date_mention is not None and draft.date_mention is None:
            draft.date_mention = date_mention
        if draft.location is None:
            draft.location = _venue_for(m, text, date_mention, analysis.locations + analysis.organizations)
    _link_counts(analysis, named + refs, drafts)
    for ref in refs:
        _draft_for(drafts, ref.parent).sentences.add(ref.sentence)
    _inherit_from_parents(drafts, named + refs)
    return [_row(d, analysis, drafts) for d in drafts.values()]


def _draft_for(drafts: dict[str, Draft], m: Mention) -> Draft:
    keys = [k for k in (name_key(m.name), name_key(m.name_en or "")) if k]
    for key in keys:
        for draft in drafts.values():
            if key in (name_key(n) for n in draft.names) or (draft.name_en and key == name_key(draft.name_en)):
                if draft.mention.type == m.type:
                    return draft
    key = f"{m.type}:{keys[0] if keys else m.start}"
    drafts[key] = Draft(key, m)
    return drafts[key]


def _link_counts(analysis, mentions: list[Mention], drafts: dict[str, Draft]) -> None:
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in sorted(mentions, key=lambda m: m.start):
        by_sentence[m.sentence].append(m)
    for number in analysis.numbers:
        if number.kind != "count" or number.counted not in COUNTED:
            continue
        index = analysis.sentence_index(number.start)
        if index not in by_sentence:
            continue
        _, sentence_end = _sentence_bounds(analysis, index)
        link = _link_count(number, by_sentence[index], analysis.text, sentence_end)
        if link is None:
            continue
        target, role = link
        draft = _draft_for(drafts, target.parent if not target.named else target)
        count = {"value": float(number.value), "counted": number.counted, "role": role,
                 "qualifier": number.qualifier, "number_start": number.start, "number_end": number.end,
                 "text": number.text}
        if not any(c["number_start"] == number.start for c in draft.counts):
            draft.counts.append(count)
        draft.sentences.add(index)


def _host_of(draft: Draft, mentions: list[Mention]) -> Mention | None:
    """The meeting a declaration or pledge was made at: the nearest one named before it in its sentence,
    else one referred to there ('이번 정상회의에서 … 선언문이 발표됐다')."""
    for m in draft.mentions or [draft.mention]:
        same = [x for x in mentions if x.sentence == m.sentence and x.type in HOST_TYPES and x is not m]
        before = [x for x in same if x.named and x.start < m.start]
        if before:
            return before[-1]
        refs = [x for x in same if not x.named]
        if refs:
            return refs[0].parent
    return None


def _inherit_from_parents(drafts: dict[str, Draft], mentions: list[Mention]) -> None:
    """A declaration adopted at a summit belongs to it and takes its date and place when it has none."""
    for draft in list(drafts.values()):
        if draft.parent_key is None and draft.mention.type in HOSTED_TYPES:
            host = _host_of(draft, mentions)
            if host is not None:
                draft.parent_key = _draft_for(drafts, host).key
        parent = drafts.get(draft.parent_key) if draft.parent_key else None
        if parent is not None and parent is not draft:
            draft.date_mention = draft.date_mention or parent.date_mention
            draft.location = draft.location or parent.location


def _row(draft: Draft, analysis, drafts: dict[str, Draft]) -> dict:
    sentences = sorted(draft.sentences)
    evidence = []
    for index in sentences:
        start, end = _sentence_bounds(analysis, index)
        evidence.append({"text": analysis.text[start:end].strip(), "start": start, "end": end})
    in_evidence = lambda m: any(e["start"] <= m.start < e["end"] for e in evidence)
    d = draft.date_mention
    confidence = 0.5 + 0.2 * (d is not None) + 0.15 * (draft.location is not None) + 0.15 * bool(draft.counts)
    return {
        "event_key": draft.key, "type": draft.mention.type,
        "name": Counter(draft.names).most_common(1)[0][0] if draft.names else draft.mention.name,
        "name_en": draft.name_en,
        "date_start": d.date_start if d else None, "date_end": d.date_end if d else None,
        "location": draft.location, "counts": sorted(draft.counts, key=lambda c: c["number_start"]),
        "officials": sorted({o.person_id for o in analysis.officials if in_evidence(o) and o.person_id}),
        "organizations": sorted({o.canonical for o in analysis.organizations if in_evidence(o)}),
        "parent_key": draft.parent_key, "evidence": evidence, "confidence": round(min(confidence, 1.0), 2),
        "rule": "named_event" + ("+reference" if len(sentences) > 1 else ""),
    }


def finish_events(article_id: str, events: list[dict]) -> list[dict]:
    """Give events stable ids (article + normalised name) and link parents."""
    ids = {e["event_key"]: stable_id(article_id, e["event_key"]) for e in events}
    rows = []
    for e in events:
        row = {k: v for k, v in e.items() if k not in ("event_key", "parent_key")}
        row.update(event_id=ids[e["event_key"]], article_id=article_id,
                   parent_event_id=ids.get(e["parent_key"]) if e["parent_key"] else None)
        rows.append(row)
    return rows


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# -- across articles ----------------------------------------------------------------------

def _keys(event: dict) -> set[str]:
    keys = {name_key(event["name"] or "")}
    if event.get("name_en"):
        keys.add(name_key(event["name_en"]))
    return {k for k in keys if len(k) >= 3}


def _dates_compatible(a: dict, b: dict, gap: int) -> bool:
    if not (a["date_start"] and b["date_start"]):
        return True
    slack = timedelta(days=gap)
    return a["date_start"] <= b["date_end"] + slack and b["date_start"] <= a["date_end"] + slack


def _group(events: list[dict]) -> list[list[dict]]:
    gap = rules().max_gap_days
    parent = list(range(len(events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, event in enumerate(events):
        for key in _keys(event):
            by_key[(event["type"], key)].append(i)
    for members in by_key.values():
        for i in members[1:]:
            if _dates_compatible(events[members[0]], events[i], gap):
                parent[find(i)] = find(members[0])
    groups: dict[int, list[dict]] = defaultdict(list)
    for i, event in enumerate(events):
        groups[find(i)].append(event)
    return list(groups.values())


def _narrowest_dates(members: list[dict]) -> tuple[date | None, date | None]:
    dated = [m for m in members if m["date_start"]]
    if not dated:
        return None, None
    best = min(dated, key=lambda m: ((m["date_end"] - m["date_start"]).days, m["date_start"]))
    return best["date_start"], best["date_end"]


def _cluster_counts(members: list[dict]) -> tuple[list[dict], list[dict]]:
    grouped: dict[tuple, dict] = {}
    for m in members:
        for c in m["counts"] or []:
            key = (c["value"], c["counted"], c["role"], c["qualifier"])
            entry = grouped.setdefault(key, {"value": c["value"], "counted": c["counted"], "role": c["role"],
                                             "qualifier": c["qualifier"], "article_ids": [], "evidence": []})
            if m["article_id"] not in entry["article_ids"]:
                entry["article_ids"].append(m["article_id"])
            entry["evidence"].append(c.get("text") or "")
    counts = sorted(grouped.values(), key=lambda c: (c["counted"], c["role"], c["value"]))
    conflicts = []
    by_class: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in counts:
        by_class[(c["counted"], c["role"])].append(c)
    for (counted, role), items in sorted(by_class.items()):
        values = sorted({c["value"] for c in items})
        if len(values) > 1:
            conflicts.append({"field": f"count:{role}", "counted": counted,
                              "values": [f"{v:g}" for v in values],
                              "evidence": [f"{c['value']:g} ({c['qualifier']}): {', '.join(c['evidence'])} "
                                           f"[{', '.join(c['article_ids'])}]" for c in items]})
    return counts, conflicts


def _date_conflicts(members: list[dict]) -> list[dict]:
    spans = sorted({(m["date_start"], m["date_end"]) for m in members if m["date_start"]})
    day_spans = [s for s in spans if (s[1] - s[0]).days <= 7]
    if len(day_spans) <= 1:
        return []
    return [{"field": "date", "counted": None, "values": [f"{a}/{b}" for a, b in day_spans],
             "evidence": [f"{m['date_start']}/{m['date_end']} [{m['article_id']}]" for m in members if m["date_start"]]}]


def cluster_rows(events: list[dict], publishers: dict[str, str | None]) -> list[dict]:
    rows = []
    for members in _group(events):
        names = Counter(m["name"] for m in members)
        start, end = _narrowest_dates(members)
        locations = Counter(m["location"] for m in members if m["location"])
        article_ids = sorted({m["article_id"] for m in members})
        counts, conflicts = _cluster_counts(members)
        rows.append({
            "cluster_id": stable_id(members[0]["type"], min(k for m in members for k in (_keys(m) or {m["event_id"]}))),
            "type": members[0]["type"],
            "name": max(names.items(), key=lambda kv: (kv[1], len(kv[0])))[0],
            "names": sorted(set(names) | {m["name_en"] for m in members if m["name_en"]}),
            "date_start": start, "date_end": end,
            "location": locations.most_common(1)[0][0] if locations else None,
            "article_ids": article_ids, "event_ids": sorted(m["event_id"] for m in members),
            "n_articles": len(article_ids),
            "n_sources": len({publishers.get(a) or a for a in article_ids}),
            "counts": counts, "conflicts": conflicts + _date_conflicts(members),
        })
    return sorted(rows, key=lambda r: (r["date_start"] or date.max, r["name"]))


def cluster_events(events: list[dict], publishers: dict[str, str | None]):
    from .schema import from_rows
    return from_rows("event_clusters", cluster_rows(events, publishers))
