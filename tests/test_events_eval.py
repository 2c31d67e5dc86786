"""The scorer for the hand-labelled real news (pipeline/quality/events_eval.py): matching and accuracy rules."""
from datetime import date

from pipeline.quality.events_eval import date_right, match_events, place_right, score_items


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
