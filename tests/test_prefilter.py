"""The literal prefilter never skips a rule that matches (textclean.prefilter)."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from textclean.mining import Candidate
from textclean.prefilter import IGNORE_CASE, Prefilter, closed_alphabet, required_literals, start_chars
from textclean.rules import RuleSet, _screens

BUILTIN = RuleSet.builtin()
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


@pytest.mark.parametrize("pattern, expected", [
    (r"^(?:热烈)?欢迎(?:您)?(?:来到|访问)", {"欢迎"}),
    (r"^[【\[]?\s*(?:上一篇|下一篇)\s*[:：]", {"上一篇", "下一篇"}),
    (r"版权所有|保留所有权利", {"版权所有", "保留所有权利"}),
    (r"^[>＞»]+$", {">", "＞", "»"}),  # a small class is a set of literals
    (r"ab+c", {"a"}),  # each of "a", "b", "c" is required; the first of equals is taken
    (r"^\d+$", None),  # classes only
    (r"^(?i:end)$", {IGNORE_CASE + "end"}),  # matched ignoring case
    (r"(?i)copyright", {IGNORE_CASE + "copyright"}),
    (r"完(?i:end)", {IGNORE_CASE + "完end"}),  # a concatenation with a part ignoring case ignores case
    (r"(?:abc)?d", {"d"}),  # an optional part is not required
    (r"x{0,3}y", {"y"}),
    (r"(?:ab){2,}", {"ab"}),
    (r"[\p{Han}]{2}网", {"网"}),  # a property is read as a wide class
    (r"\p{Han}+网", {"网"}),
    (r"[^\s\p{Han}]+@", {"@"}),
    (r"(?:abc){e<=1}", None),  # fuzzy matching: regex only
    (r"(?|(a)|(b))c", None),  # branch reset: regex only
    (r"\X", None),
    (r"[]a]b", {"]b", "ab"}),  # "]" first in a class is a member
    (r"点(?:在看|赞)", {"点在看", "点赞"}),  # exact parts are concatenated
    (r"[(（]?侵删[)）]?", {"侵删"}),
    (r"(?:ab){2}c", {"ababc"}),
    (r"(?<=[，。])`+(?=[，。])", {"`"}),
    (r"(?V1)[[a-z]--[aeiou]]x", None),
    (r"^(?=.*(?:上一页|下一页))(?:首页|\d|\s)+$", {"上一页", "下一页"}),  # what a lookahead requires, the line holds
    (r"^(?!.*广告)\d+$", None),  # a negative lookahead requires nothing
])
def test_required_literals(pattern, expected):
    found = required_literals(pattern)
    assert found == (None if expected is None else frozenset(expected))


@pytest.mark.parametrize("pattern, chars, categories", [
    (r"^(?:热烈)?欢迎", {"热", "欢"}, set()),
    (r"^[【\[]?\s*(?:上一篇|下一篇)", {"【", "[", "上", "下"}, {r"\s"}),
    (r"^\d+页$|^共", {"共"}, {r"\d"}),
    (r"^(?=.*下一页)(?:首页|\d)+$", {"首"}, {r"\d"}),  # a look-ahead takes no character
    (r"^(?i:end)", set(), {"(?i:e)"}),  # ignoring case: tested by regex
])
def test_start_chars(pattern, chars, categories):
    assert start_chars(pattern) == (frozenset(chars), frozenset(categories))


@pytest.mark.parametrize("pattern", [
    r"欢迎",  # not anchored
    r"^欢迎|回复",  # one branch floats
    r"^[^。]{1,9}网$",  # any first character
    r"^x?(?=y)",  # can match with nothing taken at the start
    r"(?m)^欢迎",
])
def test_start_chars_unknown(pattern):
    assert start_chars(pattern) is None


def _prefilter(patterns: list[str]) -> Prefilter:
    compiled = [BUILTIN.rules[0].__class__(id=f"t.{i}", category="t", pattern=p, trusted=True)
                for i, p in enumerate(patterns)]
    return Prefilter(patterns, lambda positions: _screens([compiled[i] for i in positions]))


def _must_keep(prefilter: Prefilter, patterns: list[str], line: str) -> None:
    positions = set(prefilter.positions(line))
    for i, pattern in enumerate(patterns):
        if regex.search(pattern, line):
            assert i in positions, (pattern, line)


PACK_PATTERNS = [rule.view_pattern for rule in BUILTIN.rules]
PACK_PREFILTER = _prefilter(PACK_PATTERNS)


def test_every_pack_example_and_counterexample_keeps_its_rules():
    for rule in BUILTIN.rules:
        for example in (*rule.examples, *rule.counterexamples):
            text = example["text"] if isinstance(example, dict) else example
            _must_keep(PACK_PREFILTER, PACK_PATTERNS, text)


def test_every_sample_line_keeps_its_rules():
    for sample in sorted(SAMPLES.glob("*.txt")):
        for line in sample.read_text(encoding="utf-8").splitlines():
            _must_keep(PACK_PREFILTER, PACK_PATTERNS, line.strip())


def test_mined_templates_get_literals():
    rule = Candidate(group="s", kind="template", key="文章地址:\ue000", docs=3, group_docs=3, edge_share=1.0,
                     examples=("文章地址:https://a.example.com/1.html",)).to_rule()
    assert required_literals(rule.view_pattern) == frozenset({"文章地址:"})


_EXAMPLES = [example["text"] if isinstance(example, dict) else example
             for rule in BUILTIN.rules for example in (*rule.examples, *rule.counterexamples)]
_ALPHABET = st.sampled_from(sorted(set("".join(_EXAMPLES)) | set("。，：:|>】【 \u3000a1")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_EXAMPLES), st.text(_ALPHABET, max_size=12)), max_size=4))
def test_pieces_of_examples_keep_their_rules(parts):
    """Lines glued from pieces of the pack's examples and stray characters."""
    _must_keep(PACK_PREFILTER, PACK_PATTERNS, "".join(parts))


def test_a_back_reference_breaks_a_run_of_literals():
    """``a(x)\\1b`` matches "axxb": "ax" and "b" are required, "axb" is not."""
    found = required_literals(r"a(x)\1b")
    assert found is not None and all(literal in "axxb" for literal in found)
    assert required_literals(r"(?:a|b)(?(1)c|d)e") in (None, frozenset({"e"}), frozenset({"a", "b"}))


@pytest.mark.parametrize("line", ["THE END", "— End —", "Copyright © 2024 Foo", "ALL RIGHTS RESERVED.", "[IMG]",
                                  "ſtrange", "Powered by Kſ", "COPYRIGHT 2023"])
def test_rules_ignoring_case_keep_their_lines(line):
    _must_keep(PACK_PREFILTER, PACK_PATTERNS, line)


@pytest.mark.parametrize(("pattern", "chars", "classes"), [
    (r"^(?:分享|收藏)$", "分享收藏", ""),
    (r"^[\s|]*(?:分享|\d+)+$|^返回列表$", "|分享返回列表", "\\d\\s"),  # "^" factored out of the branches
    (r"^(?=.*页)(?:首页|下页|\d)+$", "首页下", "\\d"),  # a lookahead consumes nothing
    (r"^[a-c]{2}\Z", "abc", ""),
])
def test_closed_alphabet(pattern: str, chars: str, classes: str):
    assert closed_alphabet(pattern) == (frozenset(chars), frozenset(classes.replace("\\", " \\").split()))


@pytest.mark.parametrize("pattern", [
    r"分享$", r"^分享", r"^分享.*$", r"^[^a]+$", r"^\w+$", r"^(?i:share)$", r"(?i)^share$", r"^a$|^b",
    r"^[一-龥]+$", r"^a$(?!x)", r"^(?:a|b$)",
])
def test_no_closed_alphabet(pattern: str):
    assert closed_alphabet(pattern) is None


_ALPHABET_RULES = [rule for rule in BUILTIN.rules if closed_alphabet(rule.view_pattern) is not None]


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(_ALPHABET_RULES) - 1), data=st.data())
def test_a_line_a_whole_line_rule_matches_passes_its_alphabet(index: int, data: st.DataObject):
    """Lines made of a whole-line rule's own characters, digits, white space and a few
    others: every line the rule matches passes its alphabet test, compiled or not."""
    from textclean import prefilter

    rule = _ALPHABET_RULES[index]
    chars, classes = closed_alphabet(rule.view_pattern)
    pool = sorted(chars) + list("0123 \u3000\t的x\U00020000")
    line = data.draw(st.text(alphabet=st.sampled_from(pool), max_size=20))
    if rule.compiled.search(line) is not None:
        for test in (prefilter._alphabet_test.__wrapped__(chars, classes), _pure_alphabet_test(chars, classes)):
            assert test(line) is not None, (rule.id, line)


def _pure_alphabet_test(chars: frozenset[str], classes: frozenset[str]):
    from textclean import prefilter

    saved = prefilter.core
    prefilter.core = lambda: None  # type: ignore[assignment]
    try:
        return prefilter._alphabet_test.__wrapped__(chars, classes)
    finally:
        prefilter.core = saved


@settings(max_examples=300, deadline=None)
@given(chars=st.frozensets(st.sampled_from(list("分享收藏ab1 \n\u3000\ud7ff\uffff")), max_size=6),
       line=st.text(alphabet=st.sampled_from(list("分享收藏ab1 \n\u3000\ud7ff\uffff的\U00020000\ud800")), max_size=12))
def test_the_compiled_alphabet_test_answers_as_the_re_class(chars: frozenset[str], line: str):
    from textclean import prefilter

    compiled = prefilter._alphabet_test.__wrapped__(chars, frozenset({"\\d"}))
    assert (compiled(line) is not None) == (_pure_alphabet_test(chars, frozenset({"\\d"}))(line) is not None)


def test_a_site_prefilter_keeps_nothing_per_character_it_has_no_rule_for():
    """A prefilter lives as long as its site's rules: the first characters of lines that
    start none of its rules are not remembered one by one (that grew ~500 KB a site)."""
    prefilter = _prefilter(["^首页$", "^关于我们$"])  # exact lines, as mining makes them: no class tests
    for line in ("今天天气很好。", "正文第二段。", "首页", "关于我们", "另一个开头"):
        prefilter.positions(line)
    # (without class tests, the characters that start a rule are all it holds, from the start)
    assert prefilter._heads == {"首": frozenset({0}), "关": frozenset({1})} and prefilter.positions("首页") == [0]
    pack = PACK_PREFILTER  # the pack's rules test classes (\s, \d): those answers are kept, empty ones shared
    pack.positions("今天天气很好。")
    pack.positions("明天天气很好。")
    assert pack._heads["今"] == frozenset() and pack._heads["今"] is pack._heads["明"]


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(_EXAMPLES), st.text(_ALPHABET, max_size=12)), max_size=4),
       padding=st.integers(0, 700), zone=st.sampled_from(["head", "body", "tail"]))
def test_a_line_the_screen_turns_away_matches_no_rule_of_either_scope(parts: list[str], padding: int, zone: str):
    """RuleSet.screen(zone, length) is a superset test: where it says False, no rule of the
    pack (span or line scope) that applies in that zone and length class matches (lines
    glued from the pack's examples, padded into every length class)."""
    from textclean.normalize import simplified_view
    from textclean.rules import _BUCKETS, _bucket, _previous, _zone_allows

    view = simplified_view("".join(parts) + "正" * padding)
    if BUILTIN.screen(zone, len(view))(view):
        return
    previous = _previous(_bucket(len(view), _BUCKETS))
    for rule in BUILTIN.rules:
        if _zone_allows(rule.zone, zone) and (rule.max_chars is None or rule.max_chars >= previous):
            assert not rule.matches(view, view=view), (rule.id, view)


def test_the_screen_passes_every_line_when_a_rule_can_be_screened_neither_way():
    from textclean.prefilter import Screen

    assert Screen([r"\w+$"])("任何一行")
    assert not Screen([r"^首页", "版权所有"])("正文，没有别的。")
    assert Screen([r"^首页", "版权所有"])("首页 > 新闻") and Screen([r"^首页", "版权所有"])("某某版权所有")


_USER_PATTERNS = [r"(?i)^copyright\b", r"^(?:首页|返回)|版权所有", r"(?=.*来源)来源[:：]", r"(?i)all rights",
                  r"^\s*[【\[]?\d+[】\]]", r"(?<=某)网站$", r"^(?:a|b)c$", r"责任编辑\s*[:：]"]


@settings(max_examples=300, deadline=None)
@given(line=st.text(st.sampled_from(list("首页返回版权所有来源:：某网站编辑责任【】[]0123456789 abcxCOPYRIGHTAll rights")),
                    max_size=30),
       zone=st.sampled_from(["head", "body", "tail"]))
def test_the_screen_of_a_user_pack_turns_away_no_line_a_rule_matches(line: str, zone: str):
    """Patterns of other shapes (ignoring case, lookaround, anchored and
    floating branches together): where a set's screen says no, none of its rules match."""
    from textclean.rules import Rule

    rules = RuleSet(tuple(Rule(id=f"u{i}", category="x", pattern=pattern, scope=scope, zone="any")
                          for i, pattern in enumerate(_USER_PATTERNS) for scope in ("line",)))
    if rules.screen(zone, len(line))(line):
        return
    assert not [rule.id for rule in rules.rules if rule.matches(line, view=line)]
