"""Coverage mining (make coverage) and the fixed KLUE split of make eval (issue 15)."""
from __future__ import annotations

from pipeline.quality.coverage import Text, uncovered
from pipeline.quality.evaluate import HALVES, klue_half, klue_records


def test_uncovered_tokens_are_counted_by_pattern():
    texts = [Text("t", "그는 오후 6시 51분에 도착했고 참가자는 12명, 기업은 스물다섯 곳이었다. 월요일에 보자.", None)]
    result = uncovered(texts)
    patterns = dict(result["patterns"])
    assert patterns.get("N시") == 1 and patterns.get("N분에") == 1     # clock times: no mention covers them
    assert result["covered"]["numeral"] == 2                           # 12명, 스물다섯 곳
    assert result["covered"]["date_word"] == 1 and result["uncovered"]["date_word"] == 0


def test_klue_split_is_fixed_and_balanced():
    records = klue_records()
    halves = {half: [r["id"] for r in records if klue_half(r["id"]) == half] for half in HALVES}
    assert set(halves["dev"]).isdisjoint(halves["holdout"])
    assert len(halves["dev"]) + len(halves["holdout"]) == len(records)
    assert abs(len(halves["dev"]) - len(halves["holdout"])) < 0.1 * len(records)
    assert [r["id"] for r in klue_records("dev")] == halves["dev"]
    assert klue_half("klue-ner-v1_dev_00000-wikitree") == klue_half("klue-ner-v1_dev_00000-wikitree")
