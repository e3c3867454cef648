"""Every rule of the built-in pack passes its own examples; packs load and validate."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textclean import Document, RuleError, RuleSet
from textclean.boilerplate import strip_boilerplate
from textclean.boilerplate import Rule
from textclean.config import BoilerplateConfig
from textclean.normalize import simplified_view

BUILTIN = RuleSet.builtin()


@pytest.mark.parametrize("rule", BUILTIN.rules, ids=BUILTIN.ids())
def test_builtin_rule_examples(rule: Rule):
    assert rule.examples, f"{rule.id} has no examples"
    assert rule.counterexamples, f"{rule.id} has no counterexamples"
    assert rule.description
    assert rule.failures() == []


@pytest.mark.parametrize("rule", BUILTIN.rules, ids=BUILTIN.ids())
def test_builtin_patterns_compile_and_need_a_character(rule: Rule):
    # a trusted rule is compiled when first searched: what construction checks for a user's rule, checked here
    assert rule.compiled.pattern == rule.view_pattern
    assert rule.compiled.search("") is None


def test_trusted_rules_compile_when_first_searched_and_travel_without_their_pattern_object():
    import pickle

    trusted = Rule(id="t.lazy", category="t", pattern="^欢迎来到", trusted=True)
    assert "_compiled" not in vars(trusted)
    assert trusted.matches("欢迎来到本站") and "_compiled" in vars(trusted)
    copy = pickle.loads(pickle.dumps(trusted))
    assert "_compiled" not in vars(copy) and copy == trusted and copy.matches("欢迎来到本站")
    user = Rule(id="u.eager", category="t", pattern="^欢迎")  # a user's rule is compiled (and checked) at once
    assert "_compiled" in vars(user)
    with pytest.raises(RuleError, match="empty string"):
        Rule(id="u.empty", category="t", pattern="x*")
    # traditional characters: the simplified view is compiled (and checked) at once, trusted or not
    assert "_compiled" in vars(Rule(id="t.view", category="t", pattern="^延伸閱讀", trusted=True))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("首页ab.*+?^$\\|()[]{} \t\n，_#-é閱")), min_size=1, max_size=12),
       other=st.text(alphabet=st.sampled_from(list("首页ab.\n ")), max_size=3))
def test_a_mined_line_rule_matches_as_its_regex(text: str, other: str):
    """Mining's ``^escaped line$`` rules are decided by comparing the line (no regex
    compiled): the same answer as the pattern, trailing newline included."""
    import regex

    rule = Rule(id="mined.t", category="mined", pattern="^" + regex.escape(text) + "$", trusted=True)
    for line in (text, text + "\n", text + other, other + text, text[:-1] + other, other):
        if not line:
            continue
        expected = regex.compile(rule.view_pattern).search(simplified_view(line)) is not None
        assert rule.matches(line) == expected, (text, line)


@pytest.mark.parametrize(("pattern", "literal"), [
    ("^首页$", "首页"), ("^a\\ b\\.c$", "a b.c"), ("^\\^\\$$", "^$"), ("^\\d+$", None), ("^a.b$", None),
    ("^abc\\$", None), ("^(?:a)$", None), ("首页$", None), ("^a\\_b$", None), ("^a\\1$", None),
])
def test_whole_line_literal(pattern: str, literal: str | None):
    from textclean.rules import _whole_line_literal

    assert _whole_line_literal(pattern) == literal


def test_builtin_ids_are_namespaced_and_categories_cover_the_issue():
    assert all(rule_id.startswith("zh.") for rule_id in BUILTIN.ids())
    categories = {rule.category for rule in BUILTIN}
    for needed in ("header", "breadcrumb", "meta", "promo", "source", "footer", "copyright", "contact", "forum",
                   "related", "navigation", "share", "prompt", "pagination", "image", "inline"):
        assert needed in categories


USER_PACK = '''
[[rule]]
id = "site.footer"
category = "footer"
zone = "tail"
pattern = '^——.{1,10}版主推荐——$'
examples = ["——某某论坛版主推荐——"]
counterexamples = ["版主推荐了这本书。"]
'''


def test_user_pack_adds_a_rule(tmp_path: Path):
    path = tmp_path / "site.toml"
    path.write_text(USER_PACK, encoding="utf-8")
    rules = BUILTIN + RuleSet.from_file(path)
    doc = Document.from_text("正文一。\n——某某论坛版主推荐——")
    assert strip_boilerplate(doc, rules).text == "正文一。"
    assert strip_boilerplate(doc, BUILTIN).text == "正文一。\n——某某论坛版主推荐——"


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[[rule]]\nid="a"\ncategory="x"\npattern="("', "does not compile"),
        ('[[rule]]\nid="a"\ncategory="x"\npattern="a"\nscope="page"', "scope must be one of"),
        ('[[rule]]\nid="a"\ncategory="x"\npattern="a"\nzone="middle"', "zone must be one of"),
        ('[[rule]]\nid="a"\ncategory="x"\npattern="a?"', "matches the empty string"),
        ('[[rule]]\nid="a"\ncategory="x"\npattern="a"\ncolour="red"', "unknown field"),
        ('[[rule]]\nid="a"\npattern="a"', "lacks ['category']"),
        ('[[rule]]\nid="a b"\ncategory="x"\npattern="a"', "id must be"),
        ("[[rule]\n", "not valid TOML"),
        ('[[rule]]\nid="zh.header.welcome"\ncategory="x"\npattern="a"', None),
    ],
)
def test_bad_packs_say_what_to_fix(toml: str, message: str | None):
    if message is None:  # a duplicate id only fails when merged with the built-in pack
        with pytest.raises(RuleError, match="defined twice"):
            BUILTIN + RuleSet.from_toml(toml)
        return
    with pytest.raises(RuleError, match=message.replace("[", r"\[").replace("]", r"\]")):
        RuleSet.from_toml(toml, origin="pack.toml")


def test_disable_rule_and_unknown_id():
    doc = Document.from_text("推荐内容\n正文。")
    assert strip_boilerplate(doc, BUILTIN.without({"zh.related.heading", "zh.related.heading-tail"})).text == "推荐内容\n正文。"
    with pytest.raises(RuleError, match="unknown rule id"):
        BUILTIN.without({"no.such.rule"})


def test_catastrophic_user_pattern_times_out_and_is_reported():
    rule = Rule(id="slow", category="x", pattern=r"(a|aa)+$", timeout=0.05)
    doc = Document.from_text("a" * 5000 + "!\n正文。")
    start = time.monotonic()
    result = strip_boilerplate(doc, RuleSet((rule,)), BoilerplateConfig(junk_run_chars=10**6))
    assert time.monotonic() - start < 2
    assert result.text == doc.text
    assert any("timed out" in w for w in result.warnings)


def test_zones():
    rule = Rule(id="t", category="x", pattern="^推广$", zone="tail")
    rules = RuleSet((rule,))
    body = [f"正文第{i}段。" for i in range(20)]
    doc = Document.from_text("\n".join(["推广", *body, "推广"]))
    result = strip_boilerplate(doc, rules, BoilerplateConfig(tail_lines=3))
    assert result.text.split("\n")[0] == "推广"
    assert result.text.split("\n")[-1] == "正文第19段。"
    assert [r.zone for r in result.trace] == ["tail"]


def test_junk_runs_are_cut_and_traced():
    doc = Document.from_text("正文第一段。\n" + "啊" * 50_000 + "\n正文" + "=" * 150 + "第二段。")
    result = strip_boilerplate(doc, BUILTIN)
    assert result.text == "正文第一段。\n正文第二段。"
    assert [(r.rule, r.kind, r.line) for r in result.trace] == [
        ("junk.repeated-char", "line", 2),
        ("junk.repeated-char", "span", 3),
    ]
    assert strip_boilerplate(Document.from_text("哈哈哈哈哈哈哈哈"), BUILTIN).text == "哈哈哈哈哈哈哈哈"


def test_titles_listed_after_a_related_marker_go_with_it():
    body = [f"正文第{i}段，这是文章的内容。" for i in range(10)]
    doc = Document.from_text("\n".join([*body, "相关文章：", "2023年工作总结", "《述职报告范文》", "- 心得体会"]))
    result = strip_boilerplate(doc, BUILTIN)
    assert result.text == "\n".join(body)
    assert [r.rule for r in result.trace] == ["zh.related.heading", *["related.list-item"] * 3]
    # not in the body, and not sentences
    doc = Document.from_text("\n".join(["推荐阅读：", "第一段很长的内容。", *body]))
    assert strip_boilerplate(doc, BUILTIN).text.split("\n")[0] == "第一段很长的内容。"
    doc = Document.from_text("\n".join([*body, "相关推荐", "这是一句完整的话，不是标题。"]))
    assert strip_boilerplate(doc, BUILTIN).text.endswith("这是一句完整的话，不是标题。")


def test_a_short_page_has_its_related_list_removed_too():
    """On a page shorter than head + tail zones every line is in the tail as well."""
    doc = Document.from_text("正文第一段，这是文章的内容。\n正文第二段。\n相关新闻:\n两会特别报道:聚焦政府工作报告\n代表委员热议")
    result = strip_boilerplate(doc, BUILTIN)
    assert result.text == "正文第一段，这是文章的内容。\n正文第二段。"
    assert [r.rule for r in result.trace] == ["zh.related.heading", "related.list-item", "related.list-item"]


@pytest.mark.parametrize("pattern, line, clean", [
    ("^延伸阅读[:：]?$", "延伸閱讀：", ""),  # a rule in simplified, a traditional page
    ("^延伸閱讀[:：]?$", "延伸阅读", ""),  # a rule in traditional, a simplified page
    ("^责任编辑[:：]", "責任編輯：王大同", ""),
    ("^责任编辑[:：]", "责任编辑是谁", "责任编辑是谁"),
])
def test_rules_match_either_script(pattern: str, line: str, clean: str):
    rules = RuleSet((Rule(id="t", category="x", pattern=pattern),))
    assert strip_boilerplate(Document.from_text(f"正文。\n{line}"), rules).text == "\n".join(filter(None, ["正文。", clean]))


def test_span_rules_cut_traditional_lines_and_keep_their_script():
    rule = Rule(id="t", category="x", scope="span", pattern="[【\\[]打印[】\\]]")
    doc = Document.from_text("關於開展檢查的通知【打印】後續")
    result = strip_boilerplate(doc, RuleSet((rule,)))
    assert result.text == "關於開展檢查的通知後續"
    assert [r.text for r in result.trace] == ["【打印】"]
    assert rule.cut("時間[打印]到了") == ("時間到了", ["[打印]"])
    named = Rule(id="n", category="x", scope="span", pattern="(編輯)：(\\S+)", replace="\\1")
    assert named.cut("責任編輯：王大同") == ("責任編輯", ["編輯：王大同"])  # the group as the page wrote it
    assert named.cut("责任编辑：王大同") == ("责任编辑", ["编辑：王大同"])


def test_back_references_survive_the_combined_patterns():
    doubled = Rule(id="user.doubled", category="x", pattern=r"^(\p{Han})\1{2}$", examples=("好好好",))
    named = Rule(id="user.named", category="x", pattern=r"^(?P<w>\w+)=(?P=w)$", examples=("ab=ab",))
    rules = BUILTIN + RuleSet((doubled, named))
    doc = Document.from_text("正文第一段。\n好好好\nab=ab\nab=cd")
    assert strip_boilerplate(doc, rules).text == "正文第一段。\nab=cd"


def _sample_lines() -> list[str]:
    from textclean.normalize import normalize
    from textclean.pipeline import decode_document

    root = Path(__file__).resolve().parent.parent / "data" / "samples"
    lines: list[str] = []
    for path in sorted(root.glob("*.txt")):
        doc = normalize(decode_document(Document(id=path.name, data=path.read_bytes())))
        lines.extend(doc.text.split("\n"))
    return lines


@pytest.mark.parametrize("rule", [r for r in BUILTIN.rules if r.trusted], ids=lambda r: r.id)
def test_fast_screen_agrees_with_the_rule(rule: Rule):
    """A trusted rule may be screened by the stdlib ``re`` engine: it must decide
    exactly as ``regex`` does on the rule's examples, counterexamples and the samples."""
    import re

    from textclean.rules import _re_compatible

    if not _re_compatible(rule.view_pattern):
        return  # screened by regex
    fast = re.compile(rule.view_pattern)
    texts = [e["text"] if isinstance(e, dict) else e for e in rule.examples]
    for text in [*texts, *rule.counterexamples, *_sample_lines()]:
        assert (fast.search(text) is None) == (rule.compiled.search(text) is None), text


def test_adding_an_empty_set_gives_the_same_set_and_its_prefilters():
    # a site with no mined rules: the pack itself, so its prefilters are built once per run, not once per site
    empty = RuleSet()
    assert BUILTIN + empty is BUILTIN and empty + BUILTIN is BUILTIN
    assert (BUILTIN + empty).candidates("line", "body", 30)[1] is BUILTIN.candidates("line", "body", 30)[1]


def test_a_sum_of_rule_sets_fires_like_one_set():
    """Pack + site rules keep their own compiled screens (layers) and fire in pack order."""
    site = RuleSet((Rule(id="site.a", category="mined", pattern="^欢迎来到", trusted=True),
                    Rule(id="site.b", category="mined", pattern="尾巴$")))
    both = BUILTIN + site
    assert both.layers() == (BUILTIN, site)
    flat = RuleSet(both.rules)
    page = "欢迎来到某某范文网!\n欢迎来到这里的朋友\n正文第一段。\n这是尾巴\n本文来源:https://example.com/1.html"
    doc = Document.from_text(page)
    assert strip_boilerplate(doc, both).trace == strip_boilerplate(doc, flat).trace
    assert [r.rule for r in strip_boilerplate(doc, both).trace][:2] == ["zh.header.welcome", "site.a"]


def test_a_layer_without_span_rules_is_not_asked_for_spans():
    """A site's mined rules are line rules: the span pass skips their layer (has_scope),
    as it found none of their candidates before; a set read back from a pickle knows
    its scopes too. The trace is the one of the flat set either way."""
    import pickle

    site = RuleSet((Rule(id="site.a", category="mined", pattern="^欢迎来到", trusted=True),))
    spans = RuleSet((Rule(id="site.s", category="mined", pattern="〖站内〗", scope="span", trusted=True),))
    assert BUILTIN.has_scope("span") and BUILTIN.has_scope("line")
    assert site.has_scope("line") and not site.has_scope("span") and not RuleSet().has_scope("line")
    assert spans.has_scope("span") and not spans.has_scope("line")
    assert not pickle.loads(pickle.dumps(site)).has_scope("span")
    doc = Document.from_text("欢迎来到某某范文网!\n正文〖站内〗第一段。\n欢迎来到这里\n本文来源:https://example.com/1.html")
    for layer in (site, spans):
        assert strip_boilerplate(doc, BUILTIN + layer).trace == strip_boilerplate(doc, RuleSet((BUILTIN + layer).rules)).trace
    assert "site.s" in [r.rule for r in strip_boilerplate(doc, BUILTIN + spans).trace]


def _probes(rule: Rule) -> list[str]:
    """Inputs that make nested quantifiers backtrack: long runs of one character and
    repeats of each example, at the longest length the rule accepts, ending in a mismatch."""
    limit = min(rule.max_chars or 300, 300)
    texts = [e["text"] if isinstance(e, dict) else e for e in rule.examples]
    units = ["1", "1,", "1 ", "12 ", " ", "a", "a.", "<", "·", "【", *texts, *(t[: len(t) // 2] for t in texts)]
    probes = []
    for unit in units:
        for tail in ("x", "。", "!"):
            body = (unit * (limit // max(len(unit), 1) + 1))[: limit - 1]
            probes.extend([body + tail, "赞 " + body[: limit - 3] + tail])
    return probes


_PROBE_ALL = """
import re, sys, time
from tests.test_rules import BUILTIN, _probes
from textclean.rules import _re_compatible
for rule in BUILTIN.rules:
    print(rule.id, flush=True)
    fast = re.compile(rule.view_pattern) if _re_compatible(rule.view_pattern) else None
    for probe in _probes(rule):
        start = time.monotonic()
        rule.compiled.search(probe, timeout=2)
        if fast is not None:
            fast.search(probe)
        if time.monotonic() - start > 0.5:
            print("SLOW", rule.id, repr(probe[:20]), flush=True)
"""


def test_no_rule_backtracks_catastrophically():
    """Trusted rules are screened by ``re``, which has no timeout and cannot be
    interrupted: a pattern that explodes on some line would hang a worker. Every rule
    must finish each probe quickly (in a child process, so a hang fails the test)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE_ALL], cwd=root, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"a rule hangs on a probe: {out.split()[-1] if out.split() else '?'}")
    assert done.returncode == 0, done.stderr
    assert "SLOW" not in done.stdout, [line for line in done.stdout.splitlines() if line.startswith("SLOW")]


def _memo_pages() -> list[Document]:
    from .conftest import SAMPLES

    pages = [Document.from_text(path.read_text(encoding="utf-8"), id=f"s/{path.name}")
             for path in sorted(SAMPLES.glob("*.txt"))]
    chrome = ["首页 > 新闻 > 正文", "责任编辑：王某", "欢迎来到某某文库网!", "【打印】【关闭】", "分享到：微信 微博",
              "上一篇：某某", "相关文章", "標題一則", "版權所有 © 2020 某某網", "正文。"]
    pages += [Document.from_text("\n".join([*chrome[i:], f"第{i}篇的正文，内容各不相同。" * 3, *chrome[:i]]), id=f"c/{i}")
              for i in range(len(chrome))]
    return pages


@pytest.mark.parametrize("limits", [{}, {"max_entries": 3}, {"max_chars": 4}], ids=["default", "3 entries", "4 chars"])
def test_the_firing_memo_changes_no_result(limits: dict[str, int]):
    from textclean.boilerplate import FiringMemo

    site = RuleSet((Rule(id="mined.x", category="mined", pattern="^正文。$", trusted=True),))
    for rules in (BUILTIN, BUILTIN + site):
        memo = FiringMemo(rules.layers()[0], **limits)
        for _ in range(2):  # the second time round, the short lines are in the memo
            for page in _memo_pages():
                remembered = strip_boilerplate(page, rules, memo=memo)
                plain = strip_boilerplate(page, rules)
                assert (remembered.text, remembered.trace) == (plain.text, plain.trace), page.id
        assert 0 < len(memo.found) <= limits.get("max_entries", 1 << 15)
        # the pack alone: each short line's two scopes answered by one entry
        assert len(memo.lines) <= limits.get("max_entries", 1 << 15) and bool(memo.lines) == (rules is BUILTIN)


def test_the_firing_memo_keeps_no_answer_a_rule_timed_out_in():
    from textclean.boilerplate import FiringMemo

    rules = RuleSet((Rule(id="slow", category="x", pattern=r"(a|aa)+$", timeout=0.05),))
    memo = FiringMemo(rules)
    page = Document.from_text("a" * 60 + "!\n正文。")
    for _ in range(2):  # timed out each time: reported on every page, as without the memo
        result = strip_boilerplate(page, rules, BoilerplateConfig(junk_run_chars=10**6), memo=memo)
        assert any("timed out" in w for w in result.warnings)
    assert ("line", "head", True, "a" * 60 + "!") not in memo.found  # (the span scope's answer is kept: none)
    assert ("line", "head", True, "正文。") in memo.found
    assert list(memo.lines) == [(("head", "tail"), "正文。")]  # both scopes of a line: kept only without a time-out


def test_the_builtin_pack_is_one_set_per_process_and_pickles_as_a_reference() -> None:
    """What the pack builds on first use (prefilters, screens) is built once per process:
    the mining and cleaning passes get the same set, and a worker handed it (pickled)
    gets its own process's set, not a copy with empty caches. Other sets pickle whole."""
    import pickle

    from textclean.boilerplate import resolve_rules
    from textclean.config import BoilerplateConfig

    pack = RuleSet.builtin()
    assert resolve_rules(BoilerplateConfig()) is pack and RuleSet.builtin() is pack
    assert pickle.loads(pickle.dumps(pack)) is pack
    pack.candidates("line", "body", 10)
    smaller = resolve_rules(BoilerplateConfig(disable_rules={pack.ids()[0]}))
    copied = pickle.loads(pickle.dumps(smaller))
    assert copied == smaller and copied is not smaller and copied.ids() == pack.ids()[1:]
    site = RuleSet.from_toml('[[rule]]\nid = "site.x"\ncategory = "nav"\npattern = "^关于本站$"\n'
                             'description = "d"\nexamples = ["关于本站"]\n')
    both = pickle.loads(pickle.dumps(pack + site))
    assert both == pack + site and both.layers()[0] is pack and both.layers()[1] == site
