"""List kept lines that look like boilerplate, counted by pattern: what the cleaning rules still miss.

Usage: python -m pipeline.quality.mine PROCESSED_DIR [--show N]
(run `pipeline extract tests/data/dev_corpus/pages /tmp/dc --full` first). Also prints the rejects.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

SUSPECTS = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]+",
    "phone": r"\b0\d{1,2}[-.)\s]\d{3,4}[-.\s]\d{4}\b|☎",
    "arrow_promo": r"^[▶►☞▷👉➤]|[▶►☞▷]\s*\S+$",
    "reporter": r"[가-힣]{2,4}\s?(기자|특파원)\s*($|[=|\]\)>])",
    "signoff": r"(기자|뉴스\s?[가-힣]{2,4})(입니다|였습니다)\.?$",
    "copyright": r"저작권|무단\s?(전재|복제|배포)|재배포|ⓒ|©|[Cc]opyright|All [Rr]ights",
    "url": r"https?://|www\.",
    "tip_promo": r"제보",
    "subscribe": r"구독|팔로우|친구\s?추가",
    "article_list": r"기사\s?모음|다른\s?기사|기사\s?더\s?보기",
    "share_widget": r"복사되었습니다|공유하기|URL\s?복사",
    "section_note": r"섹션|분류를 따",
    "screen_reader": r"^(본문|상단|하단)\s?영역|바로\s?가기",
    "photo_credit": r"제공\]?$|DB 금지|자료사진|/사진=|사진=",
    "date_stamp": r"^(입력|수정|등록|송고)\s*[:：]?\s*\d{4}",
    "hashtag": r"(^|\s)#[^\s#]{2,}",
    "html_entity": r"&(#\d+|#x[0-9a-f]+|[a-z]+);",
    "json_key": r"\"[a-zA-Z_]+\"\s*:",
    "markup": r"</?[a-z]+[\s>]|^\*\*|^#\s|Crawled at|원문 보기",
    "broadcast_credit": r"(영상취재|영상편집|촬영기자|그래픽)\s*[:：]?\s*[가-힣]",
}


def mine(texts) -> tuple[Counter, dict]:
    """(source path, clean text) pairs -> suspect lines counted by pattern, with examples."""
    counts, examples = Counter(), defaultdict(list)
    compiled = {name: re.compile(p) for name, p in SUSPECTS.items()}
    for path, text in texts:
        for line in text.split("\n"):
            for name, regex in compiled.items():
                if regex.search(line):
                    counts[name] += 1
                    examples[name].append((path, line))
    return counts, examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("processed")
    parser.add_argument("--show", type=int, default=5, help="example lines per pattern")
    args = parser.parse_args()
    import pandas as pd

    articles = pd.read_parquet(f"{args.processed}/articles")
    counts, examples = mine(zip(articles["source_path"], articles["text"]))
    print(f"{len(articles)} articles; kept lines that look like boilerplate, by pattern:")
    for name, n in counts.most_common():
        print(f"  {name:<18}{n:5d}")
        for path, line in examples[name][:args.show]:
            print(f"      {path[:40]:<40} {line[:110]}")
    try:
        rejects = pd.read_parquet(f"{args.processed}/rejects")
        print(f"\n{len(rejects)} rejects:", rejects["reason"].value_counts().to_dict())
        for r in rejects.itertuples():
            print(f"  {r.source_path}: {r.reason} ({r.detail})")
    except FileNotFoundError:
        pass
    if "body_source" in articles:
        print("\nbody_source:", articles["body_source"].value_counts().to_dict())


if __name__ == "__main__":
    main()
