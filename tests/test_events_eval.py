"""The scorer for the hand-labelled real news (pipeline/quality/events_eval.py): matching and accuracy rules,
and the second labelled set (tests/data/eval/events_labels_more.jsonl over tests/data/news_more/pages)."""
import hashlib
import json
import re
from datetime import date

import pytest

from pipeline.clean.cleaner import clean_text
from pipeline.quality.events_eval import (FAMILY, LABELS_MORE, PAGES_MORE, date_right, evaluate_events, load_labels,
                                          match_events, place_right, score_items)

MORE = load_labels(LABELS_MORE)


def _pred(type_, name, evidence, **kw):
    return {"type": type_, "name": name, "evidence": [{"text": evidence}], "date_start": None, "date_end": None,
            "location": None, "counts": [], **kw}


def test_pairs_by_evidence_within_a_type_family():
    preds = [_pred("summit", "한중 정상회담", "이재명 대통령은 1일 시진핑 주석과 정상회담을 가졌다.")]
    labels = [{"type": "meeting", "name": "이 대통령-시 주석 회담", "evidence": "1일 시진핑 주석과 정상회담을 가졌다"}]
    assert len(match_events(preds, labels)) == 1
    labels[0]["type"] = "agreement"
    assert match_events(preds, labels) == []


def test_pairs_by_name_when_evidence_differs():
    preds = [_pred("forum", "AI 서울 정상회의", "다른 문장이다.")]
    labels = [{"type": "summit", "name": "AI 서울정상회의", "evidence": "전혀 상관없는 증거 문장입니다 여기"}]
    assert len(match_events(preds, labels)) == 1
    labels[0]["name"] = "부산 엑스포"
    assert match_events(preds, labels) == []


def test_date_and_place_rules():
    pred = _pred("visit", "방한", "x", date_start=date(2025, 3, 30), date_end=date(2025, 4, 1), location="서울 롯데호텔")
    assert date_right(pred, {"date_start": "2025-03-30", "date_end": "2025-04-01"})
    assert not date_right(pred, {"date_start": "2025-03-30", "date_end": None})
    assert date_right(pred, {"date_start": "2025-03", "date_end": "2025-04"})
    assert not date_right(_pred("visit", "v", "x"), {"date_start": "2025-03-30"})
    assert date_right(_pred("visit", "v", "x"), {"date_start": None})
    assert place_right(pred, {"place": "롯데호텔"}) and not place_right(pred, {"place": "부산"})


def test_officials_and_spurious_tallies():
    items = [{"doc": "a", "events": [], "has_events": False,
              "officials": [{"name": "마르코 루비오"}, {"name": "구병삼"}]}]
    predicted = {"a": {"events": [_pred("launch", "x 출범", "y")],
                       "officials": [{"name": "마르코루비오"}, {"name": "저녁 바이든"}]}}
    f = score_items(items, predicted)["figures"]
    assert f["officials_precision"] == 0.5 and f["officials_recall"] == 0.5
    assert f["spurious_per_article"] == 1.0 and f["precision"] == 0.0


def test_more_labels_cover_every_page_once_and_follow_the_split_rule():
    docs = [i["doc"] for i in MORE]
    assert len(docs) == len(set(docs)) == len(list(PAGES_MORE.glob("*.txt")))
    assert set(docs) == {p.name for p in PAGES_MORE.glob("*.txt")}
    for item in MORE:
        wanted = "holdout" if int(hashlib.sha1(item["doc"].encode()).hexdigest(), 16) % 3 == 0 else "dev"
        assert item["split"] == wanted, item["doc"]
        meta = json.loads((PAGES_MORE / item["doc"].replace(".txt", ".meta.json")).read_text(encoding="utf-8"))
        assert item["reference_date"] == meta["published"]
        assert item["has_events"] == bool(item["events"])
        names = {e["name"] for e in item["events"]}
        for e in item["events"]:
            assert e["type"] in FAMILY and e["evidence"], (item["doc"], e["name"])
            assert e.get("parent") in names | {None}, (item["doc"], e["parent"])
            assert (e["type"] == "visit") == ("visitor" in e)
            for c in e["counts"]:
                assert c["counted"] in {"country", "organization", "person", "other"} and c["value"] > 0


@pytest.mark.parametrize("item", MORE, ids=[i["doc"] for i in MORE])
def test_more_labels_occur_in_the_cleaned_text(item):
    text = re.sub(r"\s+", "", clean_text((PAGES_MORE / item["doc"]).read_text(encoding="utf-8")).text)
    wanted = [o["name"] for o in item["officials"]]
    for e in item["events"]:
        wanted += [e["evidence"], e["place"] or "", *(c["text"] for c in e["counts"])]
    assert [w for w in wanted if re.sub(r"\s+", "", w) not in text] == []


def test_rows_per_set_and_a_combined_holdout(monkeypatch):
    first = [{"doc": "a", "split": "holdout", "events": [{"type": "meeting", "name": "한미 회담", "evidence": "x"}],
              "has_events": True, "officials": []}]
    second = [{"doc": "b", "split": "holdout", "events": [], "has_events": False, "officials": []},
              {"doc": "c", "split": "dev", "events": [], "has_events": False, "officials": []}]
    predicted = {"a": {"events": [_pred("summit", "한미 회담", "y")], "officials": []},
                 "b": {"events": [_pred("launch", "x 출범", "y")], "officials": []}}
    loads = {"first": first, "second": second}
    monkeypatch.setattr("pipeline.quality.events_eval.load_labels", lambda path: loads[path])
    rows = evaluate_events(predicted, sets={"": ("first", None), "more": ("second", None)})
    assert set(rows) == {"dev", "holdout", "more/dev", "more/holdout", "all/holdout"}
    assert rows["holdout"]["figures"]["recall"] == 1.0 and rows["more/holdout"]["tally"]["spurious"] == 1
    assert rows["all/holdout"]["tally"]["pred"] == 2 and rows["all/holdout"]["figures"]["precision"] == 0.5
