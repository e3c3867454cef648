"""Cross-page mining on a generated multi-site folder."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from textclean import Document, RuleSet
from textclean.cli import main
from textclean.config import MiningConfig
from textclean.mining import Miner, group_of, template_of
from textclean.normalize import normalize

TOPICS = ["教育", "医疗", "交通", "环保", "农业", "科技", "文化", "体育", "旅游", "水利", "养老", "就业"]
VERBS = ["加强", "完善", "推进", "落实", "深化", "健全", "优化", "强化"]
OBJECTS = ["工作机制", "队伍建设", "制度保障", "监督检查", "宣传引导", "服务体系", "基础设施", "考核评价"]
SLOGAN = "“绿水青山就是金山银山”，这是我们的行动指南。"
SHARED_QUOTE = "正如一位老同志所说：“群众的事再小也是大事。”"

SITES = {
    "site-a": {
        "head": lambda i, title: ["【好范文网】专注公文写作二十年", title],
        "tail": lambda i, title: [f"——本篇《{title}》收录于好范文网第{100 + i}期——"],
    },
    "site-b": {
        "head": lambda i, title: ["某某文库 · 精品资料共享平台", title, f"文档编号：DOC-{5000 + i * 7} 下载积分：{i % 4 + 1}"],
        "tail": lambda i, title: ["资料整理自网络公开信息，仅作学习交流之用"],
    },
    "site-c": {
        "head": lambda i, title: [f"每日一读·第{20 + i}期", title],
        "tail": lambda i, title: ["〔每日一读 · 陪你成长〕", "往期精选", f"《{TOPICS[(i + 3) % 12]}工作的几点思考》"],
    },
}


def _body(rng: random.Random, topic: str, n: int) -> list[str]:
    lines = []
    for k in range(n):
        verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
        lines.append(f"{topic}领域第{k + 1}项任务是{verb}{obj}，{rng.choice(VERBS)}{rng.choice(OBJECTS)}，确保取得实效。")
    return lines


def build_corpus(root: Path, pages: int = 10) -> dict[str, list[str]]:
    """Write site folders; return the content lines of each page (by relative path)."""
    rng = random.Random(7)
    content: dict[str, list[str]] = {}
    for site, parts in SITES.items():
        for i in range(pages):
            topic = TOPICS[i % len(TOPICS)]
            title = f"{2020 + i % 4}年{topic}工作情况报告"
            body = _body(rng, topic, 10)
            if i in (1, 4):  # a quote in the bodies of two articles
                body.insert(5, SHARED_QUOTE)
            if i % 3 == 0:  # a slogan in the bodies of four articles
                body.insert(3, SLOGAN)
            lines = [*parts["head"](i, title), *body, *parts["tail"](i, title)]
            path = root / site / f"page{i:02d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines), encoding="utf-8")
            content[f"{site}/page{i:02d}.txt"] = [title, *body]
    return content


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "line, template",
    [
        ("《我的母亲》由网友分享。地址:http://a.cn/1.html", "《<TITLE>》由网友分享。地址:<URL>"),
        ("发布：2023-01-02 10:30 浏览 15 次", "发布：<DATE> <TIME> 浏览 <N> 次"),
        ("联系 admin@example.com", "联系 <EMAIL>"),
        ("没有可变部分", "没有可变部分"),
    ],
)
def test_template_of(line: str, template: str):
    assert template_of(line) == template


def test_group_of():
    assert group_of("site-a/x/p.txt") == "site-a/x"
    assert group_of("p.txt") == ""


def test_mine_finds_each_sites_templates(tmp_path: Path):
    build_corpus(tmp_path / "in")
    code, out, _ = run("mine", str(tmp_path / "in"), "-q", "--export", str(tmp_path / "mined.toml"))
    assert code == 0
    assert "【好范文网】专注公文写作二十年" in out
    assert "——本篇《<TITLE>》收录于好范文网第<N>期——" in out
    assert "某某文库 · 精品资料共享平台" in out
    assert "文档编号：DOC-<N> 下载积分：<N>" in out
    assert "每日一读·第<N>期" in out
    assert "〔每日一读 · 陪你成长〕" in out
    assert "往期精选" not in out  # the built-in pack already removes it: mining lists only what rules miss
    assert SLOGAN not in out and SHARED_QUOTE not in out
    assert "工作情况报告" not in out  # titles differ per page, and titles are not templates of chrome
    pack = (tmp_path / "mined.toml").read_text(encoding="utf-8")
    from textclean import RuleSet

    rules = RuleSet.from_toml(pack)
    assert len(rules) >= 7 and rules.failures() == []


def test_clean_removes_mined_chrome_and_keeps_content(tmp_path: Path):
    content = build_corpus(tmp_path / "in")
    report_path = tmp_path / "report.json"
    # The generated bodies are templated sentences, near-duplicates of each other by design: only
    # mining is under test here, so near-duplicate removal is off.
    code, _, err = run("clean", str(tmp_path / "in"), str(tmp_path / "out"), "--report", str(report_path), "-q", "--no-near")
    assert code == 0, err
    for rel, lines in content.items():
        written = (tmp_path / "out" / rel).read_text(encoding="utf-8").splitlines()
        assert written == lines, rel
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert {m["group"] for m in report["mined"]} == {"site-a", "site-b", "site-c"}
    removed = [r for f in report["files"] for r in f["removed"] if r["rule"].startswith("mined.")]
    assert removed and all(r["template"] and r["zone"] for r in removed)
    assert any("(10 of 10 pages in site-a/)" in r["reason"] for r in removed)


def test_no_mine_keeps_unknown_chrome(tmp_path: Path):
    build_corpus(tmp_path / "in")
    code, _, _ = run("clean", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "--no-mine")
    assert code == 0
    assert "【好范文网】" in (tmp_path / "out" / "site-a" / "page00.txt").read_text(encoding="utf-8")


def test_sites_do_not_share_rules(tmp_path: Path):
    build_corpus(tmp_path / "in")
    # The same footer line on a page of another site is content there (seen once).
    odd = tmp_path / "in" / "site-b" / "page99.txt"
    odd.write_text("\n".join(["标题", *[f"正文第{k}段，内容不同。" for k in range(10)], "〔每日一读 · 陪你成长〕"]), encoding="utf-8")
    code, _, _ = run("clean", str(tmp_path / "in"), str(tmp_path / "out"), "-q")
    assert code == 0
    assert "〔每日一读 · 陪你成长〕" in (tmp_path / "out" / "site-b" / "page99.txt").read_text(encoding="utf-8")


def test_small_folders_and_protected_lines_are_not_mined():
    miner = Miner(MiningConfig(mine_min_docs=3))
    for i in range(2):
        miner.add(normalize(Document.from_text("网站页眉\n" + "\n".join(f"正文{i}{k}。" for k in range(8)), id=f"s/{i}.txt")))
    assert miner.candidates() == []
    miner = Miner()
    for i in range(6):
        page = ["同志们：", "一、工作情况", *[f"第{i}篇第{k}段正文，内容各不相同{i * k}。" for k in range(12)], "二、存在的问题"]
        miner.add(normalize(Document.from_text("\n".join(page), id=f"speeches/{i}.txt")))
    assert miner.candidates() == []


def test_explain_with_corpus_names_the_template(tmp_path: Path):
    build_corpus(tmp_path / "in")
    page = tmp_path / "in" / "site-a" / "page03.txt"
    code, out, _ = run("explain", str(page), "--corpus", str(tmp_path / "in"))
    assert code == 0
    assert "——本篇《<TITLE>》收录于好范文网第<N>期——" in out
    assert "mined.site-a." in out


def test_reposted_pages_are_one_page_of_evidence():
    article = ["文章标题", *[f"这是第{k}段正文，篇幅较长，" + "内容" * 60 + "。" for k in range(6)], "结尾一句话。"]
    miner = Miner()
    for i in range(10):
        miner.add(normalize(Document.from_text("\n".join(article), id=f"site/copy{i}.txt")))
    for i in range(5):
        page = [f"{TOPICS[i]}报告", *[f"{TOPICS[i]}正文{k}，" + "文字" * 70 + "。" for k in range(6)], f"{TOPICS[i]}的结尾。"]
        miner.add(normalize(Document.from_text("\n".join(page), id=f"site/other{i}.txt")))
    assert miner.candidates() == []


@settings(max_examples=300, deadline=None)
@given(line=st.text(alphabet=st.sampled_from(list("关注http://www.a.cn@b.c《标题》2024年1月2日 12:30 1,234.5５٣\u3000")) | st.characters(),
                    max_size=50))
@example(line="访问 https://example.com/a?b=1 或 www.x.cn，邮箱 a.b@c.com，《标题》2024-01-02 12:30 共1,234.5人")
def test_templates_skip_only_slots_that_cannot_match(line: str) -> None:
    """A slot is looked for only when the line holds what every match of it needs: the
    same template as replacing every slot in turn."""
    from textclean.mining import _SLOTS, _template

    expected = line
    for marker, pattern, _ in _SLOTS:
        expected = pattern.sub(marker, expected)
    assert _template(line) == expected


_PACK = RuleSet.builtin()
_PACK_LINES = [text if isinstance(text, str) else text["text"] for rule in _PACK for text in (*rule.examples, *rule.counterexamples)]


@settings(max_examples=300, deadline=None)
@given(line=st.sampled_from(_PACK_LINES), cut=st.integers(0, 30), extra=st.sampled_from(["", "。", "首页", " ", "：2024"]))
def test_removed_by_tries_the_rules_the_prefilters_name(line: str, cut: int, extra: str) -> None:
    """Whether the pack removes a mined line: the same answer as trying every line rule."""
    from textclean.mining import _removed_by
    from textclean.normalize import simplified_view

    for text in (line, line[cut:] + extra, extra + line[:cut]):
        if text:
            view = simplified_view(text)
            every = any(rule.scope == "line" and rule.matches(text, view=view) for rule in _PACK)
            assert _removed_by(_PACK, text) == every == _removed_by(_PACK, text, direct=True)


def test_a_line_several_groups_share_is_checked_against_the_pack_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chrome recurs across site groups (one CMS, mirrors): whether the pack removes a
    line is asked once per distinct line, with the same candidates as asking each time."""
    from textclean import mining

    miner = Miner()
    for site in ("a", "b", "c"):
        for topic in ("教育", "医疗", "交通", "环保"):
            body = "\n".join(f"{site}站关于{topic}的第{n}段正文。" for n in range(12))
            miner.add(Document.from_text(f"{body}\n——某某站出品，转载请保留——\n责任编辑：张三",
                                         id=f"{site}/{topic}.txt"))
    asked: list[str] = []
    real = mining._removed_by

    def counted(rules: RuleSet, text: str, **options: bool) -> bool:
        asked.append(text)
        return real(rules, text, **options)

    monkeypatch.setattr(mining, "_removed_by", counted)
    found = [(c.group, c.display) for c in miner.candidates(_PACK)]
    assert sorted(asked) == sorted(set(asked)) and len(asked) == 2
    assert found == [(group, "——某某站出品，转载请保留——") for group in ("a", "b", "c")]


_PIECES = ["尊敬的", "各位", "同志们", "朋友们", "领导", "来宾", "大家好", "女士们", "先生们", "一", "十", "百", "、", "．",
           ".", "（", "(", "）", ")", "第", "章", "条", "部分", "附件", "附录", "注", "备注", "：", ":", "！", "，", "。",
           "3", "１２", "٣", "\U00010d40", "\u3000", " ", "正文", "我们", "导", "来", "好", "x"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join))
def test_the_protected_line_test_is_the_pattern(line: str) -> None:
    """The quick test of what a protected line must hold never turns one away: the same
    answer as the pattern alone."""
    from textclean.mining import _PROTECTED, _protected

    assert _protected(line) == (_PROTECTED.search(line) is not None)


def test_a_digit_is_what_regex_calls_one_on_every_code_point() -> None:
    """The protected-line test's quick digit check agrees with ``regex``'s ``\\d`` everywhere
    (regex's Unicode tables can be newer than Python's: 110 astral digits were, here)."""
    import sys

    import regex

    from textclean.mining import _is_digit

    digit = regex.compile(r"\d")
    wrong = [hex(point) for point in range(sys.maxunicode + 1)
             if _is_digit(chr(point)) != (digit.match(chr(point)) is not None)]
    assert not wrong
