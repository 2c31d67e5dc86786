"""Cleaning of real-world shapes (issue 14): article JSON inside scripts, crawler dumps (records, Markdown),
tails glued to the last sentence, repeated paragraphs, and the rule that no article is lost to a rule.

The pages under tests/data/pages/ and the dumps below are written for these tests (short, realistic Korean
text); the rules' own examples from real pages are in tests/corpus/boilerplate.jsonl.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean.cleaner import clean_html, clean_lines, clean_text
from pipeline.clean.dumps import parse_dump

TESTS = Path(__file__).resolve().parent
PAGES = TESTS / "data" / "pages"
CORPUS = TESTS / "corpus"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------- bodies inside scripts

SCRIPT_PAGES = [
    ("next_data.html", "script_json", "서울시가 30년 넘은 노후 하수관로를 전면 교체하는 사업에 착수한다.",
     "공사 기간 교통 통제는 최소화하기로 했다.", ["김서윤 기자 sykim@example.com", "정치 경제 사회"]),
    ("json_ld.html", "json_ld", "국토교통부는 올해 하반기 지방 공항의 국제선 노선을 12개 늘린다고",
     "운항 일정을 확정하겠다\"고 말했다.", ["로그인"]),
    ("query_cache.html", "script_json", "중소벤처기업부는 추석을 앞두고 전통시장에서",
     "예산이 소진되면 행사는 조기에 끝난다.", ["전체메뉴", "viewCount"]),
    ("fusion.html", "script_json", "해양수산부는 섬 주민의 연안 여객선 요금을",
     "관련 예산 300억 원을 내년 예산안에 반영했다고 설명했다.", ["목포항 연안여객터미널", "content-api", "광고 문의"]),
]


@pytest.mark.parametrize("name,source,first,last,gone", SCRIPT_PAGES, ids=[p[0] for p in SCRIPT_PAGES])
def test_body_from_scripts(name, source, first, last, gone):
    cleaned = clean_html((PAGES / name).read_text(encoding="utf-8"))
    assert cleaned.body_source == source
    text = _squash(cleaned.text)
    assert _squash(first) in text and _squash(last) in text
    assert not [g for g in gone if _squash(g) in text]
    assert len(cleaned.paragraphs) >= 3, "paragraph breaks of the script's HTML are kept"


def test_script_page_metadata():
    cleaned = clean_html((PAGES / "next_data.html").read_text(encoding="utf-8"))
    assert cleaned.title == "서울시, 노후 하수관로 전면 교체 착수"          # without ' - 한빛일보'
    assert cleaned.publisher == "한빛일보" and cleaned.authors == ("김서윤",)
    ld = clean_html((PAGES / "json_ld.html").read_text(encoding="utf-8"))
    assert ld.publisher == "바다신문" and "박도현" in ld.authors


def test_ordinary_page_stays_with_trafilatura():
    page = ("<html><head><title>시, 공원 확충</title></head><body><article>"
            + "".join(f"<p>시는 {i}번째 근린공원을 새로 만들어 주민에게 개방한다고 밝혔다.</p>" for i in range(1, 6))
            + "</article><script>var cfg = {\"note\": \"광고 영역을 불러옵니다. 잠시만 기다려 주십시오. 다시 시도해 주십시오.\"};</script>"
            + "</body></html>")
    cleaned = clean_html(page)
    assert cleaned.body_source == "trafilatura"
    assert "근린공원" in cleaned.text and "광고 영역" not in cleaned.text


# ---------------------------------------------------------------- crawler dumps

MARKDOWN_DUMP = """---
title: "항만 자동화 실증 착수"
date: 2025-08-14T10:20:00+09:00
source: 바다경제
url: https://news.example.co.kr/article/1234
---

# 항만 자동화 실증 착수

**바다경제** | 2025-08-14 | [원문](https://news.example.co.kr/article/1234)

해양수산부는 부산항 신항에서 자동화 하역 장비 실증을 시작한다고 14일 밝혔다.

실증은 내년 6월까지 이어지며, 장비 12대가 투입된다.

태그: #항만 #자동화

---
*Crawled at* 2025-08-14 11:02
[원문 보기](https://news.example.co.kr/article/1234)
"""

HEADING_DUMP = """# 지역 의료원 응급실 24시간 운영 &quot;확대&quot;
**남도일보** | 2025.08.15 | https://www.example.kr/news/77

도는 지역 의료원 3곳의 응급실을 24시간 운영한다고 15일 밝혔다.  의사 6명을 추가로 채용하고 야간 진료 인력을 늘린다.  도 관계자는 &quot;주민 불편이 크게 줄 것&quot;이라고 말했다.
원문 보기
"""

ONE_LINE_DUMP = ("정부가 내년부터 청년 월세 지원을 2배로 늘린다.  국토교통부는 15일 이런 내용의 주거 지원 방안을 발표했다.  "
                 "지원 대상은 연 소득 5천만 원 이하 청년 20만 명이다.  "
                 "김하늘 기자 sky@example.co.kr <저작권자(c) 예시뉴스, 무단 전재-재배포 금지>")

GLUED_BYLINE_DUMP = ("헌법재판소, 탄핵심판 최종 변론[이데일리 조민정 기자] 국민의힘은 25일 헌법재판소의 최종 변론을 앞두고 "
                     "당 지도부 회의를 열었다. 지도부는 결과를 차분히 기다리겠다고 밝혔다.")


def test_markdown_front_matter_becomes_metadata():
    cleaned = clean_text(MARKDOWN_DUMP)
    assert cleaned.title == "항만 자동화 실증 착수"
    assert cleaned.publisher == "바다경제" and cleaned.url == "https://news.example.co.kr/article/1234"
    assert str(cleaned.published) == "2025-08-14"
    assert cleaned.text.startswith("해양수산부는 부산항 신항에서")
    assert cleaned.text.endswith("장비 12대가 투입된다.")
    rules = {r.rule for r in cleaned.removed}
    assert {"crawler.front_matter", "crawler.heading", "crawler.metadata_line", "crawler.footer",
            "crawler.markdown_rule", "promo.hashtags"} <= rules


def test_markdown_heading_line_entities_and_glued_paragraphs():
    cleaned = clean_text(HEADING_DUMP)
    assert cleaned.title == '지역 의료원 응급실 24시간 운영 "확대"'
    assert cleaned.publisher == "남도일보" and str(cleaned.published) == "2025-08-15"
    assert "&quot;" not in cleaned.text and '"주민 불편이 크게 줄 것"' in cleaned.text
    assert len(cleaned.paragraphs) == 3 and "원문 보기" not in cleaned.text


def test_one_line_body_keeps_its_article_when_the_tail_is_boilerplate():
    cleaned = clean_text(ONE_LINE_DUMP)
    assert [p.text for p in cleaned.paragraphs] == [
        "정부가 내년부터 청년 월세 지원을 2배로 늘린다.", "국토교통부는 15일 이런 내용의 주거 지원 방안을 발표했다.",
        "지원 대상은 연 소득 5천만 원 이하 청년 20만 명이다."]
    assert cleaned.authors == ("김하늘",)


def test_glued_tail_in_one_paragraph_is_cut_not_the_sentence():
    line = "지원 대상은 연 소득 5천만 원 이하 청년 20만 명이다. <저작권자(c) 예시뉴스, 무단 전재-재배포 금지>"
    cleaned = clean_lines("정부가 청년 월세 지원을 늘린다.\n" + line)
    assert cleaned.text.endswith("청년 20만 명이다.")
    assert any(r.rule == "copyright.notice" and "무단 전재" in r.line for r in cleaned.removed)


def test_inline_byline_becomes_author_and_splits_sentences():
    cleaned = clean_text(GLUED_BYLINE_DUMP)
    assert "조민정" in cleaned.authors
    assert "이데일리 조민정 기자" not in cleaned.text
    assert any(p.text.startswith("국민의힘은 25일") for p in cleaned.paragraphs)


RECORDS = {
    "json": ('  {\n    "id": "a1b2c3",\n    "title": "세종시, 공공자전거 500대 추가",\n'
             '    "summary": "세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다. 새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다.",\n'
             '    "source": "sejong",\n    "date": "2025-08-18T09:12:00+09:00",\n    "url": "https://www.example.com/news/a1b2c3"\n  },'),
    "csv": ('20250818001,"세종시, 공공자전거 500대 추가","세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다. '
            '새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다.",2025-08-18 00:00:00,홍길동,http://www.example.com/news/20250818001,사회,,세종일보'),
    "tsv": ("2025.08.18.\t세종일보\t세종시, 공공자전거 500대 추가\t세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다."
            "새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다.\thttps://www.example.com/news/a1b2c3"),
    "tr": ("<tr>\n<td class='normal' valign='top'>12</td>\n<td class='normal' valign='top'>http://www.example.com/news/12</td>\n"
           "<td class='normal' valign='top'>세종시, 공공자전거 500대 추가</td>\n<td class='normal' valign='top'>0</td>\n"
           "<td class='normal' valign='top'>    세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다.  새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다.</td>\n</tr>"),
}


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_single_record_dump(kind):
    cleaned = clean_text(RECORDS[kind])
    assert cleaned.text.startswith("세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다.")
    assert cleaned.text.rstrip().endswith("시내 정류장 40곳에 놓인다.")
    assert cleaned.title == "세종시, 공공자전거 500대 추가"
    assert cleaned.url and cleaned.url.startswith("http")
    for leak in ('"id"', "http", "valign", "a1b2c3", "2025-08-18", "\t"):
        assert leak not in cleaned.text
    assert any(r.rule.startswith("record.") for r in cleaned.removed)


def test_sentence_with_commas_is_not_a_record():
    text = "정부는 22일, 서울에서, 부산에서, 광주에서 동시에 설명회를 열었다고 밝혔다."
    assert parse_dump(text).body == text


def test_hard_wrapped_wire_text_is_rejoined():
    sentence = "박능후 보건복지부 장관은 27일 각국 대표부를 대상으로 진행하는 정례 화상 브리핑에서 한국의 경험을 알렸다."
    wrapped = "\n".join(sentence[i:i + 30] for i in range(0, len(sentence), 30))
    body = "\n".join([wrapped] * 4)
    assert sentence in clean_text(body).text


# ---------------------------------------------------------------- repeats and the fallback

def test_repeated_paragraph_keeps_first_copy():
    para = "통합씨름협회는 이번 대회의 홍보에만 예년의 10배 이상인 3억 원가량을 썼다."
    cleaned = clean_lines(f"{para}\n두 번째 문단은 한 번만 나온다고 밝혔다.\n{para}")
    assert cleaned.text.count("3억 원가량") == 1
    assert [r.rule for r in cleaned.removed] == ["duplicate.paragraph"]


def test_fallback_when_rules_leave_too_little():
    text = "© 예시뉴스 정부는 오늘 새 정책을 발표했다고 밝혔다."      # a notice glued before the only sentence
    cleaned = clean_lines(text, min_chars=20)
    assert "새 정책을 발표했다" in cleaned.text
    assert any(r.rule == "fallback.less_aggressive" for r in cleaned.removed)


# ---------------------------------------------------------------- no article lost to a rule (property)

CLEANING_PAGES = _jsonl(CORPUS / "cleaning.jsonl")
BOILERPLATE = [i["line"] for i in _jsonl(CORPUS / "boilerplate.jsonl") if i["expect"] == "match"]


def _last_article_line(page: dict) -> int:
    lines = page["page"].split("\n")
    hits = [i for i, line in enumerate(lines) for keep in page["must_keep"] if _squash(keep) in _squash(line)]
    return max(hits)


@settings(max_examples=300, deadline=None)
@given(page=st.sampled_from(CLEANING_PAGES), example=st.sampled_from(BOILERPLATE))
def test_appending_boilerplate_never_removes_an_article_sentence(page, example):
    lines = page["page"].split("\n")
    i = _last_article_line(page)
    lines[i] = lines[i] + " " + example
    text = _squash(clean_lines("\n".join(lines)).text)
    lost = [k for k in page["must_keep"] if _squash(k) not in text]
    assert not lost, f"appending {example!r} removed {lost}"


def test_hydrated_page_prefers_the_longer_script_body():
    """A framework page where trafilatura picks up a teaser block while the article sits in the JSON."""
    teaser = "".join(f"<p>많이 본 뉴스 {i}위 기사를 소개합니다. 지금 확인하세요.</p>" for i in range(1, 3))
    paragraphs = "".join(f"<p>시는 {i}번째 공공 도서관을 열고 주민 {i}천 명에게 회원증을 발급했다고 밝혔다.</p>" for i in range(1, 13))
    page = ("<html><head><title>도서관 개관</title></head><body><main>" + teaser + "</main>"
            '<script id="__NEXT_DATA__" type="application/json">'
            + json.dumps({"props": {"pageProps": {"story": {"contentHtml": paragraphs}}}}, ensure_ascii=False)
            + "</script></body></html>")
    cleaned = clean_html(page)
    assert cleaned.body_source == "script_json"
    assert "12번째 공공 도서관" in cleaned.text and "많이 본 뉴스" not in cleaned.text


def test_spreadsheet_cell_markdown_marks_and_literal_escapes():
    cell = '"정부는 ""AI 기본법"" 시행령을 확정했다고 밝혔다.\n과기정통부는 내년 1월 설명회를 연다고 했다."'
    assert '"AI 기본법"' in clean_text(cell).text and '""' not in clean_text(cell).text
    md = "정부는 [AI 기본법](https://example.com/law) 시행령을 **확정**했다고 밝혔다.\n![사진](https://img.example.com/a.jpg)\n설명회는 다음 달 열린다."
    text = clean_text(md).text
    assert "정부는 AI 기본법 시행령을 확정했다고 밝혔다." in text and "https://" not in text and "**" not in text
    escaped = "정부는 시행령을 확정했다고 밝혔다.\\n\\n과기정통부는 설명회를 연다고 했다.\\n기자 홍길동"
    cleaned = clean_text(escaped)
    assert cleaned.text == "정부는 시행령을 확정했다고 밝혔다.\n과기정통부는 설명회를 연다고 했다."
    assert cleaned.authors == ("홍길동",)


def test_entities_left_in_html_text_are_decoded():
    cleaned = clean_lines("김 장관은 &quot;협력을 넓히겠다&quot;고 말했다. 그는 &#x27;미래&#x27;를 강조했다.")
    assert cleaned.text == "김 장관은 \"협력을 넓히겠다\"고 말했다. 그는 '미래'를 강조했다."


# ---------------------------------------------------------------- metadata

def _page(head: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body><article>{body}</article></body></html>"


ARTICLE = "".join(f"<p>정부는 {i}차 회의를 열고 반도체 지원 방안을 논의했다고 밝혔다.</p>" for i in range(1, 5))


def test_portal_page_publisher_is_the_newspaper():
    html = _page("<title>반도체 지원 확대 - 매일경제</title><meta property='og:site_name' content='네이버 뉴스'>"
                 "<meta property='og:article:author' content='매일경제 | 네이버'>",
                 "<p>본문 영역</p>" + ARTICLE + "<p>기사 섹션 분류 안내</p>")
    cleaned = clean_html(html, url="https://n.news.naver.com/article/009/0005512345")
    assert cleaned.publisher == "매일경제"
    assert cleaned.title == "반도체 지원 확대"
    assert "본문 영역" not in cleaned.text and "섹션 분류" not in cleaned.text


def test_publisher_is_never_a_url():
    html = _page("<title>반도체 지원 확대</title>"
                 "<meta property='article:publisher' content='https://www.facebook.com/tvchosunnews'>", ARTICLE)
    cleaned = clean_html(html, url="https://news.tvchosun.com/site/data/html_dir/2025/08/12/2025081290123.html")
    assert cleaned.publisher == "TV조선"
    unknown = clean_html(html)
    assert unknown.publisher is None or "http" not in unknown.publisher


def test_spreadsheet_rows_with_a_header_and_few_columns():
    csv_dump = ('title,content,url\n"세종시, 공공자전거 500대 추가","세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다.\n'
                '새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다.",https://www.example.com/news/1\n')
    tsv_dump = ("제목\t본문\t링크\n세종시, 공공자전거 500대 추가\t세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다."
                "  새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다.\thttps://www.example.com/news/1")
    for dump in (csv_dump, tsv_dump):
        cleaned = clean_text(dump)
        assert cleaned.title == "세종시, 공공자전거 500대 추가"
        assert cleaned.url == "https://www.example.com/news/1"
        assert [p.text for p in cleaned.paragraphs] == ["세종시는 공공자전거 500대를 추가로 배치한다고 18일 밝혔다.",
                                                        "새 자전거는 다음 달부터 시내 정류장 40곳에 놓인다."]


def test_tab_indented_article_is_not_a_record():
    text = "\t정부는 22일 새 정책을 발표했다고 밝혔다.\n\t2025-08-22\n\t과기정통부는 설명회를 연다고 했다."
    assert "설명회를 연다" in clean_text(text).text and "정부는 22일" in clean_text(text).text


def test_broadcast_page_tail_through_trafilatura():
    cleaned = clean_html((PAGES / "broadcast_tail.html").read_text(encoding="utf-8"))
    assert cleaned.text.splitlines()[-1] == "산업부는 다음 주까지 비상 대응 체계를 유지하기로 했습니다."
    assert "폭염이 계속되면서 전력 사용량이 사상 최고치를 기록했습니다." in cleaned.text
    assert (cleaned.title, cleaned.publisher, cleaned.authors) == ("폭염 속 전력 수요 최고치", "KBS", ("김철수",))
    rules = {r.rule for r in cleaned.removed}
    assert {"signoff.reporter", "broadcast.credits", "contact.line", "copyright.notice", "widget.share"} <= rules


def test_page_trafilatura_cannot_read_keeps_its_sentences(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)     # trafilatura finds nothing
    rows = "".join(f"<tr><td><p>시는 {i}번째 다리를 보수한다고 밝혔다. 공사는 다음 달 시작된다.</p></td></tr>" for i in range(1, 3))
    cleaned = clean_html(f"<html><head><title>다리 보수</title></head><body><table>{rows}</table></body></html>")
    assert "2번째 다리를 보수한다고 밝혔다" in cleaned.text and cleaned.body_source == "trafilatura"


def test_body_repeated_as_one_block_keeps_the_paragraphs():
    paras = ["정부가 2030년까지 반도체 전문 인력 10만 명을 키우기로 했습니다.",
             "산업통상자원부는 대학 정원을 늘리고 기업 연계 과정을 만든다고 밝혔습니다.",
             "대학들은 교수를 제때 확보하는 것이 관건이라고 말합니다."]
    cleaned = clean_lines("\n".join(paras + [" ".join(paras)]))
    assert [p.text for p in cleaned.paragraphs] == paras
    block_first = clean_lines("\n".join([" ".join(paras)] + paras))
    assert [p.text for p in block_first.paragraphs] == [" ".join(paras)]


SPLIT_EXAMPLES = {
    "split.email_glued": ("올랐다. 최혁중 기자 sajinman@donga.com‘씨름이 확 바뀝니다.’", "‘씨름이 확 바뀝니다.’"),
    "split.photo_credit_latin": ("장관. /사진=KAIST카이스트(KAIST)가 협약을 맺었다.", "카이스트(KAIST)가 협약을 맺었다."),
    "split.photo_credit_repeated": ("개최했다. /사진제공=벡스코벡스코(BEXCO)는 12일 밝혔다.", "벡스코(BEXCO)는 12일 밝혔다."),
    "split.provided_by": ("청와대 제공문재인 대통령이 4일 장관을 만났다.", "문재인 대통령이 4일 장관을 만났다."),
    "split.promo_arrow": ("이정우[ljwwow@ytn.co.kr]▶동영상 뉴스 모아보기", "▶동영상 뉴스 모아보기"),
    "split.inline_byline": ("최종 변론[이데일리 조민정 기자] 국민의힘은 회의를 열었다.", "[이데일리 조민정 기자] 국민의힘은 회의를 열었다."),
}


def test_every_split_has_an_example():
    from pipeline.clean.boilerplate import DATA_FILE

    ids = [s["id"] for s in json.loads(DATA_FILE.read_text(encoding="utf-8"))["splits"]]
    assert sorted(ids) == sorted(SPLIT_EXAMPLES)


@pytest.mark.parametrize("split_id", sorted(SPLIT_EXAMPLES))
def test_split_puts_the_glued_part_on_its_own_line(split_id):
    from pipeline.clean.boilerplate import rulebook
    from pipeline.clean.cleaner import split_glued

    text, own_line = SPLIT_EXAMPLES[split_id]
    assert own_line in split_glued(text, rulebook()).split("\n")


def test_comment_threads_and_teaser_lists_in_scripts_are_not_the_article():
    article = "".join(f"<p>구청은 {i}번째 공영주차장을 새로 열었다고 밝혔다. 주차 요금은 시간당 1천 원이다.</p>" for i in range(1, 4))
    comments = [{"commentNo": i, "nickname": f"독자{i}", "content": "정말 좋은 소식입니다. 빨리 열렸으면 좋겠네요. 감사합니다."}
                for i in range(30)]
    teasers = [{"title": f"다른 기사 {i}", "url": f"/news/{i}", "text": "요약문입니다. 자세한 내용은 기사를 보세요. 많이 읽었습니다."}
               for i in range(30)]
    page = ("<html><head><title>공영주차장 개장</title></head><body><article>" + article + "</article>"
            "<script>window.__INITIAL_STATE__ = " + json.dumps({"comments": comments, "related": teasers}, ensure_ascii=False)
            + ";</script></body></html>")
    cleaned = clean_html(page)
    assert cleaned.body_source == "trafilatura"
    assert "3번째 공영주차장" in cleaned.text and "좋은 소식" not in cleaned.text
