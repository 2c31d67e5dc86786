"""Events a headline reports that the body gives no clause for.

Headlines are telegraphic: no particles, no endings, a verbal noun as predicate (``통합 강원대 발전위원회
출범``, ``美·러 3대3 정상회담 종료``, ``설립협정 서명``). The title is cut into parts at ``…``, ``...``,
``|``, ``,`` and ``;``; a part reports an event when it ends in one of these (``headline`` in
``data/events.json``):

- ``<noun run ending in a trigger> (을|를|이|가)? (<place>서)? <predicate>``: the predicate must belong to the
  trigger's family (``predicates``: 개최/종료/개막 for meetings, 발표/채택 for statements, 체결/서명 for
  agreements); the run is the name (``설립협정 서명`` → agreement ``설립협정``);
- ``<body> (공식)? 출범/발족/개소/신설``: a launch when the body is named (a proper noun, a foreign word, an
  organisation, or a run ending in a body head such as 위원회, 센터, 추진단);
- ``<date> <noun run> 정상회담``, ``<parties>, ‘…’ MOU``: a dated summit, or an agreement head closing a part
  whose title names partners (an organisation, or names joined by a hyphen: 현대해상-스틸리언).

A headline event is kept only when the body reports no event of its family (the body's dated clause wins;
two headline parts of one family are one event when their names are alike); it is dated by a date in the headline, else by a bare head of its family as the topic of a passive
predicate in the first three sentences (``포럼은 오는 29일 … 신라호텔에서 열린다``), else by the lead sentence's
day (within a week of the reference date) with the lead's ``<place>에서``, else by the article's reference
date (grain day), and its
evidence is the title (offsets null: the title is not part of ``articles.text``). Not events: a part with no
predicate (``N만 가구 공급 전담``), a wish or plan (``개최 추진``, ``출범 예정``: the predicate must end the part),
a part in quotes (someone's words). In the body, a deck line of a speaker and their quoted words (ㆍ청 “… 순차
방문”) names no event either (``speaker_quote``, used by :func:`pipeline.events.find.find_named`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .find import Tokens
from .rules import data, name_key, rules

FAMILY = {"summit": "meeting", "meeting": "meeting", "forum": "meeting", "declaration": "statement",
          "pledge": "statement", "agreement": "agreement", "launch": "launch", "visit": "visit"}


@lru_cache(maxsize=1)
def spec() -> dict:
    h = data()["headline"]
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    preds = {family: re.compile(rf"(?:{alt(words)})") for family, words in h["predicates"].items()}
    return {
        "split": re.compile(rf"\s*(?:{alt(h['separators'])})\s*"),
        "tag": re.compile(r"^\s*(?:\[[^\]]{1,12}\]|【[^】]{1,12}】|<[^>]{1,12}>)\s*"),
        "predicates": preds,
        "ending": re.compile(rf"(?:{alt(h['predicate_endings'])})?[.!…]*$"),
        "launch": re.compile(rf"(?:(?<=\s)|^)(?:공식\s?|정식\s?)?(?:{alt(h['launch_predicates'])})"
                             rf"(?:{alt(h['predicate_endings'])})?[.!]*$"),
        "heads": tuple(h["body_heads"]) + tuple(data()["clauses"]["body_heads"]),
        "signing_heads": re.compile(rf"(?:{alt(data()['signing']['heads'])})(?:\s?체결|\s?서명)?$"),
        "summit_nouns": tuple(h["dated_nouns"]),
        "launch_words": alt(h["launch_predicates"]),
        "partner_meeting": re.compile(rf"((?:\S+\s)?\S+)(?:와|과)\s(?:첫\s|전화\s|화상\s)?"
                                      rf"({alt(h['partner_nouns'])})(?:{alt(h['predicate_endings'])})?$"),
        "failure": re.compile(rf"(?:(?P<place>[가-힣A-Za-z]{{2,10}}?)서도?\s)?(?:{alt(h['failure_predicates'])})"
                              rf"(?:\s?\((?:종합|속보)\d?\))?[.!…]*$"),
        "visit": re.compile(rf"(?:([가-힣]{{2,8}})\s(?:국빈\s?|공식\s?)?)?({alt(list(data()['visit']['implied']) + ['방문', '국빈방문'])})"
                            rf"(?:{alt(h['predicate_endings'])})?$"),
    }


@lru_cache(maxsize=1)
def _event_words() -> re.Pattern:
    """Every word some headline rule needs (a predicate, a launch word, a signing head, a dated summit noun,
    a partner noun, a visit word): a title with none of them reports no event."""
    h = data()["headline"]
    words = [w for ws in h["predicates"].values() for w in ws]
    words += list(h["launch_predicates"]) + list(data()["signing"]["heads"]) + list(h["dated_nouns"])
    words += list(h["partner_nouns"]) + list(data()["visit"]["implied"]) + ["방문", "국빈방문"]
    words += list(h["failure_predicates"])
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


def could_report(title: str) -> bool:
    """Whether the headline rules can find an event in ``title`` at all (spares tokenising most titles)."""
    return bool(title and title.strip() and _event_words().search(title))


def headline_events(title_analysis, doc, body, body_doc) -> list[dict]:
    """Event rows (as ``link.extract_events`` makes them) for the headline's own events; ``body``: the
    article's ``Analysis`` (its events, and its lead for a date and place the headline does not give)."""
    body_events = body.events
    title = title_analysis.text
    if not title or not title.strip() or re.search(r"[“”\"]", title) and _quoted_only(title):
        return []
    tokens = Tokens(doc)
    found: list[dict] = []
    offset = 0
    parts = []
    for piece in spec()["split"].split(title):
        start = title.find(piece, offset)
        offset = start + len(piece)
        parts.append((start, piece))
    for i, (start, part) in enumerate(parts):
        part_text = spec()["tag"].sub("", part) if i == 0 else part
        start += len(part) - len(part_text)
        row = _part_event(title_analysis, tokens, start, part_text, parts[:i])
        if row is not None and not _known(row, body_events + found):
            found.append(_with_lead(row, body, body_doc) if row["date_grain"] is None or row["rule"] == "headline_undated"
                         else row)
    for row in found:
        row["rule"] = "headline"
    return found


def _with_lead(row: dict, body, body_doc) -> dict:
    """An undated headline event takes the lead sentence's day and ``<place>에서`` (the lead reports what
    the headline names: '트럼프 대통령과 푸틴 대통령이 15일(현지시간) 알래스카에서 …'), else the article's date."""
    from .find import Context
    from .link import _venue_in
    ctx = Context(body, Tokens(body_doc))
    topic = _topic_clause(ctx, row)
    if topic is not None:
        return topic
    start, end = body.sentence_starts[0], (body.sentence_starts[1:] or [len(body.text)])[0]
    day = next((d for d in body.dates if start <= d.start < end and d.grain == "day" and d.date_start), None)
    if day is None or (body.reference and abs((day.date_start - body.reference).days) > 7):
        return row
    venue = _venue_in(ctx, day.end, end, clause_end_ok=False)
    return {**row, "date_start": day.date_start, "date_end": day.date_end, "date_grain": "day", "location": venue}


def _topic_clause(ctx, row: dict) -> dict | None:
    """'포럼은 오는 29일 … 신라호텔에서 열린다' in the first three sentences: a bare head of the headline
    event's family as the topic of a passive predicate dates and places it."""
    from .clause import _passive, spec as clause_spec
    from .find import Mention
    from .link import _date_and_venue
    limit = (ctx.analysis.sentence_starts[3:] or [len(ctx.text)])[0]
    for m in clause_spec()["bare_topic_re"].finditer(ctx.text, 0, limit):
        kind = clause_spec()["nouns"].get(m.group(1), "meeting")
        if FAMILY.get(kind) != FAMILY.get(row["type"]) or _passive(ctx, m.end(1)) is None:
            continue
        ref = Mention(m.start(1), m.end(1), row["name"], None, row["type"], ctx.sentence(m.start(1)), named=False,
                      rule="bare_topic")
        date, venue = _date_and_venue(ref, ctx)
        if date is not None:
            return {**row, "date_start": date.date_start, "date_end": date.date_end, "date_grain": date.grain,
                    "location": venue}
    return None


def _quoted_only(title: str) -> bool:
    """A title that is one quotation (“…”) reports someone's words, not an event."""
    return bool(re.fullmatch(r"\s*[“\"][^”\"]*[”\"]\s*", title))


def _part_event(a, tokens: Tokens, start: int, part: str, before: list) -> dict | None:
    if re.search(r"[“”\"]", part):
        return None                                   # someone's words
    end = start + len(part)
    launch = spec()["launch"].search(a.text, start, end)
    if launch:
        body = _run_before(a, tokens, start, launch.start())
        if body and _named_body(a, tokens, *body):
            return _row(a, "launch", f"{a.text[body[0]:body[1]]} {launch.group(0).strip()}", start, end)
        return None
    for family, pred in spec()["predicates"].items():
        for m in pred.finditer(a.text, start, end):
            if not spec()["ending"].fullmatch(a.text, m.end(), end):
                continue
            run = _run_before(a, tokens, start, m.start())
            kind = _trigger_type(a.text[run[0]:run[1]]) if run else None
            if kind and _family(kind) == family:
                return _row(a, kind, a.text[run[0]:run[1]], start, end)
    text = a.text[start:end].rstrip(" .!")
    if spec()["signing_heads"].search(text) and _partners(a, start, end, before):
        run = _run_before(a, tokens, start, start + len(text), words=6, quotes=True)
        if run:
            return _row(a, "agreement", a.text[run[0]:run[1]], start, end)
    if text.endswith(spec()["summit_nouns"]):
        run = _run_before(a, tokens, start, start + len(text))
        if run and any(start <= d.start and d.end <= run[0] + 1 and d.grain == "day" for d in a.dates):
            return _row(a, "summit", a.text[run[0]:run[1]], start, end)
    return _partner_meeting(a, start, text) or _visit(a, start, text) or _failed_talks(a, tokens, start, text, before)


def _failed_talks(a, tokens: Tokens, start: int, text: str, before: list) -> dict | None:
    """'원구성 협상 결렬', '…협약, 제네바서도 합의 실패': talks that ended without agreement were held (a meeting;
    no agreement). Named by the run before the predicate when it names talks, else by the part before + 협상."""
    m = spec()["failure"].search(text)
    if m is None:
        return None
    run = _run_before(a, tokens, start, start + m.start())
    name = a.text[run[0]:run[1]] if run else ""
    if not _names_talks(name):
        if not before or run:
            return None                               # 예산 합의 실패: no talks named
        lo, prev = before[-1]
        prev_run = _run_before(a, tokens, lo, lo + len(prev.rstrip(" ,")), words=6, quotes=True)
        if prev_run is None:
            return None
        name = f"{a.text[prev_run[0]:prev_run[1]]} 협상"
    row = _row(a, "summit" if "정상" in name else "meeting", name, start, start + len(text))
    if row["rule"] == "headline_undated":             # talks run for days before the report: no day of their own
        row.update(date_start=None, date_end=None, date_grain=None)
    lo = before[-1][0] if before else start
    row["counts"] = [{"value": float(n.value), "counted": n.counted, "role": "participants", "qualifier": n.qualifier,
                      "number_start": None, "number_end": None, "text": n.text}
                     for n in a.numbers if lo <= n.start < start + len(text) and n.counted == "country"]
    place = m.group("place")
    if place and (gz_country(place) or any(loc.text == place for loc in a.locations)):
        row["location"] = place
    return row


def _names_talks(name: str) -> bool:
    match = rules().trigger_re.search(name)
    return name.endswith(tuple(data()["headline"]["talks_heads"])) or bool(
        match and _family(rules().triggers[match.group(1)]) == "meeting" and name.endswith(match.group(1)))


def _partner_meeting(a, start: int, text: str) -> dict | None:
    """'네덜란드 총리와 통화', '루비오 美국무와 면담': a meeting noun after its partner (와/과) ends the part."""
    m = spec()["partner_meeting"].search(text)
    if m is None or not (a.officials or a.locations or a.organizations):
        return None
    kind = data()["clauses"]["nouns"][m.group(2)]
    kind = "summit" if kind == "meeting" and "정상" in m.group(2) else kind
    return _row(a, kind, f"{m.group(1)} {m.group(2)}", start, start + len(text))


def _visit(a, start: int, text: str) -> dict | None:
    """'李대통령 23~24일 방일', '우 의장, 베트남 공식 방문': a visit noun ends the part, after its visitor or
    destination."""
    m = spec()["visit"].search(text)
    if m is None:
        return None
    place = rules().implied_places.get(m.group(2)) or m.group(1)
    if not place or not (a.officials or a.locations or gz_country(place)):
        return None
    return _row(a, "visit", f"{place} 방문", start, start + len(text))


def gz_country(word: str) -> bool:
    from pipeline.lexicon import country_names
    return word in country_names()


def _family(kind: str) -> str:
    return {"summit": "meeting", "meeting": "meeting", "forum": "meeting", "declaration": "statement",
            "agreement": "signing"}.get(kind, kind)


def _trigger_type(name: str) -> str | None:
    match = rules().trigger_re.search(name)
    if not match or len(name) <= len(match.group(1)) and match.group(1) in rules().needs_name:
        return None
    kind = rules().triggers[match.group(1)]
    return "summit" if kind == "meeting" and "정상" in name else kind


def _run_before(a, tokens: Tokens, floor: int, end: int, words: int = 4, quotes: bool = False):
    """(start, end) of the noun run before ``end`` in [floor, end): at most ``words`` words, no dates,
    verbs or particles (a trailing particle is dropped)."""
    text = a.text
    stop = end
    while stop > floor and text[stop - 1] == " ":
        stop -= 1
    particle = re.search(r"(?<=[가-힣A-Za-z0-9)’'])(?:을|를|이|가)$", text[floor:stop])
    if particle and not tokens.all_in(stop - 1, stop, ("NNG", "NNP", "SL")):
        stop -= len(particle.group(0))
    start = stop
    for m in reversed(list(re.finditer(r"\S+", text[floor:stop]))):
        ws, we = floor + m.start(), floor + m.end()
        if words <= 0 or any(d.start < we and ws < d.end for d in a.dates):
            break
        quoted = quotes and re.fullmatch(r"[‘'][^’']*[’']", text[ws:we])
        if not quoted and not tokens.all_in(ws, we, ("NNP", "NNG", "NNB", "SL", "SN", "SH", "XSN", "XPN", "SO",
                                                      "SP", "SSO", "SSC", "NR", "MM", "W")):
            if not (quotes and re.match(r"[‘']", text[ws:we])):
                break
        start, words = ws, words - 1
    while start < stop and text[start] in ",·":
        start += 1
    return (start, stop) if start < stop else None


def _named_body(a, tokens: Tokens, start: int, end: int) -> bool:
    return (tokens.has(start, end, ("NNP", "SL", "SH"))
            or any(start <= o.start < end for o in a.organizations)
            or a.text[start:end].endswith(spec()["heads"]))


def _partners(a, start: int, end: int, before: list) -> bool:
    """Partners of an agreement named in the part or the part before it: organisations, or names joined
    by a hyphen (현대해상-스틸리언)."""
    lo = before[-1][0] if before else start
    return (any(lo <= o.start < end for o in a.organizations)
            or bool(re.search(r"[가-힣A-Za-z]{2,}\s?[-–·]\s?[가-힣A-Za-z]{2,}", a.text[lo:end])))


def _core(name: str) -> str:
    """The name key without 공식/정식 and a closing launch word (카카오엔터프라이즈 공식 출범 → 카카오엔터프라이즈)."""
    words = spec()["launch_words"]
    return re.sub(rf"(?:{words})식?$", "", name_key(re.sub(r"(?:공식|정식)\s?", "", name)))


def _known(row: dict, events: list[dict]) -> bool:
    """A body event of the same family (the body's clause wins), or an earlier headline event named alike."""
    key = _core(row["name"])
    for e in events:
        if FAMILY.get(e["type"]) != FAMILY.get(row["type"]):
            continue
        if e["rule"] not in ("headline", "headline_undated"):
            return True                               # the body reports an event of its family: it wins
        other = _core(e["name"] or "")
        if not key or not other or key in other or other in key:
            return True
    return False


def _row(a, kind: str, name: str, start: int, end: int) -> dict:
    dates = [d for d in a.dates if d.date_start is not None and d.grain in ("day", "week", "month")]
    d = dates[-1] if dates else None
    day = a.reference
    return {
        "event_key": f"headline:{kind}:{name_key(name)}", "type": kind, "name": name, "name_en": None,
        "rule": "headline" if d else "headline_undated",
        "date_start": d.date_start if d else day, "date_end": d.date_end if d else day,
        "date_grain": d.grain if d else ("day" if day else None),
        "location": None, "counts": [], "officials": [],
        "organizations": sorted({o.canonical for o in a.organizations}), "parent_key": None,
        "evidence": [{"text": a.text.strip(), "start": None, "end": None}], "confidence": 0.5,
    }


_SPEAKER_LINE_START = re.compile(r"(?:^|\s{2,}|\n|[ㆍ▲△◆◇■□●○-]\s?)([^\sㆍ▲△◆◇■□●○-]{1,12})\s?$")
_SPEAKER_LINE_END = re.compile(r"\s{2,}|\s*\n|\s*$|\s?…")


def speaker_quote(ctx, start: int, end: int) -> bool:
    """A headline or deck line in the body that is a speaker and their quoted words with no predicate
    (ㆍ청 “경북·경남 등 순차 방문”, - 외교부 “…”): a statement, not an event's title (used by find_named)."""
    from .rules import NOMINAL
    lead = _SPEAKER_LINE_START.search(ctx.text, max(0, start - 16), start)
    if lead is None or not _SPEAKER_LINE_END.match(ctx.text, end):
        return False
    return ctx.tokens.all_in(lead.start(1), lead.end(1), NOMINAL)
