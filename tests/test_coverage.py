"""Coverage mining (make coverage) and the fixed KLUE split of make eval (issue 15)."""
from __future__ import annotations

from pipeline.quality.coverage import Text, uncovered
from pipeline.quality.evaluate import HALVES, klue_half, klue_records


def test_uncovered_tokens_are_counted_by_pattern():
    texts = [Text("t", "그는 오후 6시 51분에 도착했고 참가자는 12명, 기업은 스물다섯 곳이었다. 형사9단독 재판부는 "
                       "월요일에 선고한다. 202101061240006158, 000880", None)]
    result = uncovered(texts)
    patterns = dict(result["patterns"])
    assert patterns == {"N단독": 1}                                     # a court division: no mention covers it
    assert result["covered"]["numeral"] == 4                           # 6시 and 51분 (one clock time), 12명, 스물다섯 곳
    assert result["uncovered"]["numeral"] == 1                         # record ids and stock codes are not counted
    assert result["covered"]["date_word"] == 1 and result["uncovered"]["date_word"] == 0


def test_klue_split_is_fixed_and_balanced():
    records = klue_records()
    halves = {half: [r["id"] for r in records if klue_half(r["id"]) == half] for half in HALVES}
    assert set(halves["dev"]).isdisjoint(halves["holdout"])
    assert len(halves["dev"]) + len(halves["holdout"]) == len(records)
    assert abs(len(halves["dev"]) - len(halves["holdout"])) < 0.1 * len(records)
    assert [r["id"] for r in klue_records("dev")] == halves["dev"]
    assert klue_half("klue-ner-v1_dev_00000-wikitree") == klue_half("klue-ner-v1_dev_00000-wikitree")
