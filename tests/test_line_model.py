"""The line model: features, context revision, the title line, chrome-only pages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from textclean import BoilerplateConfig, Config, Document, Pipeline, clean
from textclean.errors import ConfigError
from textclean.line_model import (
    CONTEXT_FEATURES, LOCAL_FEATURES, LINE_MODEL_RULE, TITLE_RULE, LineModel, Page, context_features, fit,
    drop_repeated_title, good_lines, judge_lines, line_features, repeated_title,
)

PROSE = [
    "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关。",
    "专家表示，市民在出行时应当关注预警信息，尽量避开低洼路段，同时也要注意用电安全。",
    "据了解，相关部门已经在全市范围内排查了积水点，并对排水设施进行了清理和维护。",
    "他说，城市的排水能力建设是一个长期的过程，需要在规划阶段就把极端天气考虑进去。",
]
MENU = ["首页", "新闻", "体育", "财经", "娱乐", "汽车", "登录", "注册"]


def feature(lines: list[str], name: str) -> list[float]:
    return line_features(lines)[:, LOCAL_FEATURES.index(name)].round(3).tolist()


@pytest.mark.parametrize(
    ("line", "name", "value"),
    [
        ("首页", "length_le4", 1.0),
        ("今年夏天，降雨量比往年多了三成。", "sentence_end", 1.0),
        ("今年夏天，降雨量比往年多了三成", "sentence_end", 0.0),
        ("他说：“好。”", "sentence_end", 1.0),
        ("相关阅读：", "colon_end", 1.0),
        ("首页 | 新闻 | 体育", "log_separators", round(float(np.log1p(2)), 3)),
        ("首页 新闻 体育 财经", "log_tokens", round(float(np.log(4)), 3)),
        ("来源：新华网", "field_label", 1.0),
        ("2019年11月25日 16:04:30", "date", 1.0),
        ("2019年11月25日 16:04:30", "time", 1.0),
        ("1032人参与 308评论", "counter", 1.0),
        ("阅读量 12万", "counter", 1.0),
        ("Copyright © 2020 某某网 版权所有", "copyright", 1.0),
        ("访问 https://example.com/a.html 了解", "url", 1.0),
        ("联系 editor@example.com", "email", 1.0),
        ("【独家】某某", "bracket_start", 1.0),
        ("12345", "no_han", 1.0),
        ("abc 中文", "latin", 0.6),
        ("的了在和", "function_density", 1.0),
        ("首页新闻", "function_density", 0.0),
    ],
)
def test_shape_features(line: str, name: str, value: float):
    assert feature(["标题", line], name)[1] == pytest.approx(value, abs=1e-3)


def test_features_are_linear_and_safe_on_hostile_lines():
    lines = ["字" * 200_000, "", "\x00\ud800", "a" * 10, "。" * 1000]
    features = line_features(lines)
    assert features.shape == (5, len(LOCAL_FEATURES)) and np.isfinite(features).all()
    assert line_features([]).shape == (0, len(LOCAL_FEATURES))
    context = context_features(np.full(5, 0.5), features)
    assert context.shape == (5, len(CONTEXT_FEATURES)) and np.isfinite(context).all()


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789:：@.-_ab+万k人次评论阅读浏览点击回复参与收藏转发点赞播放关注粉丝量数(（ "
                                                 "hHtTpPsSwW/comcnetorgvdu年月日١٢３\n\u3000作者来源"))
                    | st.characters(), max_size=40))
@example(text="阅读(12) 1.2万+人关注 播放量:3 12:30 a@b.cn 评论 5 赞")
@example(text="作者：某某\n来源 : https://www.a.com/b.html 2023年5月1日 ٢٠٢٣-١-٢")
def test_token_scans_are_skipped_only_where_no_match_can_be(text: str):
    """line_features scans for e-mails, times, counters, URLs, dates and field labels
    only when the page holds what each match needs (``_NEEDED``): every match holds it."""
    import textclean.line_features as features

    for name, needed in features._NEEDED.items():
        pattern = getattr(features, "_" + name.upper())
        for match in pattern.finditer(text):
            assert needed.search(match.group()) is not None, (name, match.group())


def test_title_similarity_is_measured_against_the_first_line():
    values = feature(["女童眼睛被塞纸_凤凰网", "女童眼睛被塞纸", "首页"], "title_similarity")
    assert values == [0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["女童眼睛被塞纸，无法解释_凤凰网资讯_凤凰网", "首页", "女童眼睛被塞纸，无法解释", "正文。"], 2),
        (["女童眼睛被塞纸，无法解释_凤凰网", "首页", "女 童 眼 睛 被 塞 纸，无法解释", "正文。"], 2),
        (["定了！广州南沙邮轮母港即将开通！地铁直达+无敌免...", "定了！广州南沙邮轮母港即将开通！地铁直达+无敌免税店"], 1),
        (["北医新闻网", "首页", "正文第一段很长很长。"], None),  # a site name: the title is the only headline
        (["2023年网络意识形态工作开展情况(四篇)", "前言。", "网络意识形态工作开展情况篇一"], None),  # a section, not the headline
        (["标题", "标题"], None),  # too short to tell
        (["城市排水能力将大幅提升", "首页", "城市排水能力将大幅提升"], 2),  # equal: the body's copy stays
        (["一是加强组织领导，二是强化责任落实。", "一是加强组织领导，二是强化责任落实"], None),  # a sentence
        (["单独一行"], None),
    ],
)
def test_repeated_title(lines: list[str], expected: int | None):
    assert repeated_title(lines) == expected


_TITLE_TEXT = st.lists(st.sampled_from(list("城市排水能力大幅提升_|» ，。") + ["城市排水"]), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=_TITLE_TEXT, body=st.lists(_TITLE_TEXT, max_size=8), cut=st.integers(0, 40))
def test_repeated_title_skips_only_lines_that_cannot_match(title: str, body: list[str], cut: int):
    """Lines too long to cover the title, or with too few bigrams, are skipped before
    their bigrams are counted; the answer is the same as counting every line's."""
    import textclean.title as title_module

    lines = [title, *body, title[:cut], title[cut:], title + "_网", "网_" + title]
    assert repeated_title(lines) == title_module._repeated_title(lines, 400, skip=False)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="城市排水 \u3000\t\n_a", max_size=260) | st.text(max_size=260))
def test_the_title_bigrams_of_a_joined_line_are_those_of_the_strip_by_character(text: str):
    """The title check joins each line from its split() and takes its bigrams: that join
    removes every character str.isspace() calls white space, so stripping again character
    by character (what the bigrams did before) finds nothing to remove."""
    import textclean.title as title_module

    joined = "".join(text.split())
    stripped = "".join(ch for ch in joined[:200] if not ch.isspace())
    expected = {stripped[i : i + 2] for i in range(len(stripped) - 1)} if len(stripped) > 1 else (
        {stripped} if stripped else set())
    assert title_module._bigrams(joined) == expected


def test_good_lines_are_long_punctuated_prose():
    assert good_lines([PROSE[0] + PROSE[1], "首页 | 新闻", "短句，很短。"]).tolist() == [True, False, False]


def _judge(lines: list[str], **options: object) -> Document:
    """The title rule, then the model, as the pipeline runs them (dedup between them is left out)."""
    config = BoilerplateConfig(**options)
    return judge_lines(drop_repeated_title(Document.from_text("\n".join(lines)), config), config=config)


@pytest.mark.parametrize(
    ("name", "lines", "gone", "kept"),
    [
        ("menu block", ["某某新闻网", *MENU, *PROSE], MENU, PROSE),
        (
            "heading between two paragraphs",
            ["城市排水", PROSE[0], PROSE[1], "专家建议", PROSE[2], PROSE[3]],
            [],
            ["专家建议", *PROSE],
        ),
        (
            "comment widget",
            ["城市排水", *PROSE, "发表评论", "登录", "注册", "0条评论", "热门评论", "查看更多"],
            ["发表评论", "登录", "注册", "0条评论", "热门评论", "查看更多"],
            PROSE,
        ),
        (
            "related headlines after the article",
            ["城市排水", *PROSE, "相关新闻", "暴雨来袭多地发布预警", "气象台发布蓝色预警信号", "多地迎来强降雨天气",
             "防汛应急响应启动"],
            ["相关新闻", "暴雨来袭多地发布预警", "气象台发布蓝色预警信号", "多地迎来强降雨天气", "防汛应急响应启动"],
            PROSE,
        ),
    ],
)
def test_context_revision(name: str, lines: list[str], gone: list[str], kept: list[str]):
    """Chrome scores above content on the same page; content stays under the
    default threshold; chrome is at least even odds."""
    scores = dict(zip(lines, LineModel.builtin().scores(lines).tolist()))
    threshold = BoilerplateConfig().line_model_threshold
    assert all(scores[line] < threshold for line in kept), (name, scores)
    if gone:
        assert min(scores[line] for line in gone) > max(scores[line] for line in kept), (name, scores)
        assert min(scores[line] for line in gone) >= 0.5, (name, scores)
    out = _judge(lines, line_model_threshold=0.5).text.split("\n")
    assert all(line in out for line in kept) and not any(line in out for line in gone), (name, out)


def test_copyright_disclaimer_and_footer_go_with_both_tiers():
    """The rule pack knows footers by their words; the model alone scores a
    disclaimer right after the article below even odds (0.46), so the tiers
    work together here."""
    disclaimer = "免责声明：本网站所刊载信息，不代表本站观点。如转载稿涉及版权等问题，请在两周内来电或来函与本网联系。"
    footer = ["关于我们 | 联系我们 | 网站地图", disclaimer, "Copyright © 2019 某某网 All Rights Reserved", "京ICP备12345678号"]
    out = clean("\n".join(["城市排水", *PROSE, *footer])).splitlines()
    assert out == ["城市排水", *PROSE]


def test_title_line_goes_when_the_body_repeats_the_headline():
    lines = ["城市排水能力将大幅提升_某某新闻网", *MENU[:3], "城市排水能力将大幅提升", *PROSE]
    out = _judge(lines)
    assert "城市排水能力将大幅提升_某某新闻网" not in out.text and "城市排水能力将大幅提升" in out.text.split("\n")
    title = next(r for r in out.trace if r.rule == TITLE_RULE)
    assert title.line == 1 and title.duplicate_of == 5


def test_title_stays_when_it_is_the_only_headline():
    out = _judge(["城市排水能力将大幅提升", *PROSE])
    assert out.text.split("\n")[0] == "城市排水能力将大幅提升"


def test_a_page_of_nothing_but_chrome_is_skipped():
    out = _judge(["某某网_首页", *MENU, "Copyright © 2019 某某网", "京ICP备12345678号"], line_model_threshold=0.5)
    assert out.skipped == "no content" and "chrome" in (out.detail or "")
    assert any(r.rule == LINE_MODEL_RULE for r in out.trace)


def test_removals_carry_the_score_and_explain_it():
    out = _judge(["某某新闻网", *MENU, *PROSE])
    removal = next(r for r in out.trace if r.rule == LINE_MODEL_RULE)
    assert 0.0 <= removal.score <= 1.0 and f"(score {removal.score:.2f})" in removal.reason


def test_options_switch_the_model_off_and_move_the_threshold():
    lines = ["某某新闻网", *MENU, *PROSE]
    assert _judge(lines, line_model=False).text == "\n".join(lines)
    strict = _judge(lines, line_model_threshold=1.0)  # a probability never reaches 1.0 exactly
    assert not [r for r in strict.trace if r.rule == LINE_MODEL_RULE]
    assert _judge(lines[:4], line_model_min_lines=5).text == "\n".join(lines[:4])  # too little context


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, "0.5", True])
def test_threshold_is_validated(bad: object):
    with pytest.raises(ConfigError, match="line_model_threshold"):
        Config().replace(line_model_threshold=bad)


def test_weights_round_trip_through_json():
    model = LineModel.builtin()
    again = LineModel.from_json(model.to_json())
    lines = ["某某新闻网", *MENU, *PROSE]
    assert np.array_equal(model.scores(lines), again.scores(lines))
    with pytest.raises(ConfigError, match="not a textclean line model"):
        LineModel.from_json("{}")


def test_fit_is_deterministic_and_learns_the_labels():
    pages = [
        Page(lines=("某某网", *MENU, *PROSE), labels=(None, *[1] * len(MENU), *[0] * len(PROSE)), group=f"site{k}")
        for k in range(3)
    ]
    one, two = fit(pages, folds=3), fit(pages, folds=3)
    assert one.to_json() == two.to_json()
    scores = one.scores(pages[0].lines)
    assert scores[1 : 1 + len(MENU)].min() > scores[1 + len(MENU) :].max()


def test_clean_uses_the_model_by_default():
    page = "\n".join(["某某新闻网", *MENU, *MENU[::-1], *PROSE, "关于我们", "联系我们", "网站地图", "京ICP备12345678号"])
    out = clean(page).splitlines()
    assert out[-len(PROSE):] == PROSE and "体育" not in out and "网站地图" not in out
    assert clean(page, line_model=False).splitlines()[:2] == ["某某新闻网", "首页"]


def test_title_rule_keeps_the_body_copy_not_a_teaser():
    """A title equal to the body's headline goes and the body's copy stays; a later
    pass must not take a shorter teaser for the headline, which lost the headline
    on three real pages."""
    headline = "城市排水能力将大幅提升"
    page = [headline, *MENU, headline, *PROSE, "相关新闻", "排水能力将大幅提升", "暴雨来袭多地发布预警"]
    doc = next(Pipeline.default().run([Document.from_text("\n".join(page))]))
    assert doc.text.split("\n").count(headline) == 1
    title = next(r for r in doc.trace if r.rule == TITLE_RULE)
    assert title.line == 1 and title.duplicate_of == 2 + len(MENU)


def test_a_heading_kept_as_the_copy_of_others_is_no_orphan():
    from textclean.dedup import drop_orphan_headings
    from textclean.document import Line, Removal

    before = [Line(1, "标题"), Line(2, "正文第一句话在这里出现了。"), Line(3, "标题")]
    doc = Document.from_text("标题\n正文第一句话在这里出现了。\n标题")
    doc = doc.with_lines([Line(1, "标题")], [
        Removal(step="dedup", rule="duplicate-paragraph", kind="line", line=2, text="正文第一句话在这里出现了。",
                duplicate_of=9, duplicate_of_document="other"),
        Removal(step="dedup", rule="duplicate-paragraph", kind="line", line=3, text="标题", duplicate_of=1),
    ])
    assert drop_orphan_headings(doc, before).text == "标题"


@pytest.mark.parametrize("text", [
    ";\r<\r00:\r0:\r0\r:\r;",  # an orphaned heading used to go in the corpus phase, after settle
    "0\r:\r;\r0000A\r/\r{\r！",  # a line the model removed counted as a copy, orphaning its heading
    # once dedup took the first line's copy, a section heading inside it passed for its headline
    "今年以来，我局认真贯彻落实上级决策部署，扎实推进各项改革。二、存在的问题\n0\n:\n;\n"
    "今年以来，我局认真贯彻落实上级决策部署，扎实推进各项改革。二、存在的问题\n二、存在的问题",
    "二、存在的问题二、存在的问题\n000\n::,\n今年以来，我局认真贯彻落实上级决策部署，扎实推进各项改革。\n"
    "二、存在的问题\n二、存在的问题二、存在的问题",
    # blank lines before the title: it is still the page's first line
    "\n二、存在的问题二、存在的问题\n0\n:\n.\n二、存在的问题",
    "欢迎来到某某文库网!\n二、存在的问题二、存在的问题\n0\n:\n.\n二、存在的问题",  # chrome before the title
    "00\r:\r;\rA\r！\r<\r0\r！",  # a heading orphaned only once the one below it went (found in the corpus phase)
])
def test_clean_is_idempotent_where_hypothesis_found_it_was_not(text: str):
    once = clean(text)
    assert clean(once) == once


def _distance_loop(flags: list[bool], below: bool) -> list[float]:  # the plain loop the numpy version replaced
    out, last = [50.0] * len(flags), None
    for i in (range(len(flags) - 1, -1, -1) if below else range(len(flags))):
        if last is not None:
            out[i] = float(min(abs(i - last), 50))
        if flags[i]:
            last = i
    return out


def _runs_loop(flags: list[bool]) -> list[float]:
    out, i = [0.0] * len(flags), 0
    while i < len(flags):
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        out[i:j] = [float(j - i)] * (j - i)
        i = max(j, i + 1)
    return out


@settings(max_examples=300, deadline=None)
@given(flags=st.lists(st.booleans(), max_size=130))
def test_context_distances_and_runs_equal_the_plain_loops(flags: list[bool]) -> None:
    from textclean.line_features import _distance_to, _run_lengths

    array = np.array(flags, dtype=bool)
    assert _distance_to(array, below=False).tolist() == _distance_loop(flags, False)
    assert _distance_to(array, below=True).tolist() == _distance_loop(flags, True)
    assert _run_lengths(array).tolist() == _runs_loop(flags)


_TOKENS = ["评论", "阅读", "点赞", "赞", "播放", "粉丝", "数", "12", "3", "1,0", "万", "k", "+", "人", "次", ":", "：",
           "（", "(", "@", "a.b", "x-y", "今天", " ", "\u3000", "\t", "\n", "07:30", "2024年", "http://", "www.", ".com",
           "HTTPS", ".html", "."]
_TOKEN_LINE = st.lists(st.sampled_from(_TOKENS), max_size=6).map("".join)


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(_TOKEN_LINE, max_size=14))
@example(lines=["12", "万+", "人评论", "正文"])  # a counter over three lines
@example(lines=["点赞", "：", "3", "正文"])
@example(lines=["12", " ", "评论"])  # white space at a line's edge: the whole text is scanned
def test_token_scans_near_their_words_mark_what_the_whole_scan_marks(lines: list[str]):
    """E-mail and counter are scanned only on the lines near one holding "@" or a
    counter word (time: only when a line holds ":"); the lines marked are those a scan
    of all short lines marks."""
    import textclean.line_features as features

    found = line_features(lines)
    lengths = np.array([len(line) for line in lines], dtype=np.int64)
    short = np.flatnonzero(lengths <= features._SCAN_CHARS)
    scanned = "\n".join(lines[i] for i in short)
    starts = np.concatenate(([0], np.cumsum(lengths[short] + 1)[:-1])) if len(short) else short
    for name, pattern in (("url", features._URL), ("email", features._EMAIL), ("time", features._TIME),
                          ("counter", features._COUNTER)):
        expected = np.zeros(len(lines))
        if len(short):
            expected[short] = features._present(pattern, scanned, starts)
        assert np.array_equal(found[:, LOCAL_FEATURES.index(name)], expected), name
