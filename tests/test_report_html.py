"""The HTML report: what it holds, that it stays small, that a real browser renders it."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from textclean import Document, Report, clean_document
from textclean.cli import main
from textclean.errors import InputError
from textclean.report_html import (
    SAMPLES,
    SITE_ROWS,
    Overview,
    category_of,
    html_of,
    kept_ranges,
    numbers_of,
    read_report,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "samples"


class _Dom(HTMLParser):
    """Ids, the text of each element with an id, and every attribute, from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []
        self.body: dict[str, str | None] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        if tag == "body":
            self.body = found
        if "id" in found and found["id"]:
            self.ids[found["id"]] = found
        if tag not in ("meta", "br", "img", "input", "link"):
            self._open.append(found.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for name in self._open:
            if name:
                self.text[name] = self.text.get(name, "") + data


def _dom(page: str) -> _Dom:
    parser = _Dom()
    parser.feed(page)
    return parser


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's run on the bundled samples, with both reports."""
    folder = tmp_path_factory.mktemp("report")
    code, _, err = _run(["clean", str(SAMPLES_DIR), str(folder / "out"), "--report", str(folder / "report.json"),
                         "--report-html", str(folder / "report.html"), "--quiet"])
    assert code == 0, err
    return folder


# -- pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "category"), [
    ("zh.meta.dated", "meta"),
    ("zh.nav.breadcrumb", "nav"),
    ("mined.site-a.1a2b3c4d", "mined"),
    ("mined..1a2b3c4d", "mined"),
    ("duplicate-paragraph", "duplicate-paragraph"),
    ("line-model", "line-model"),
    ("user.rule", "user.rule"),
])
def test_category_of(rule: str, category: str) -> None:
    assert category_of(rule) == category


@given(st.lists(st.integers(1, 500), unique=True).map(sorted))
def test_kept_ranges_round_trip(numbers: list[int]) -> None:
    assert numbers_of(kept_ranges(numbers)) == numbers


def test_report_entry_names_the_kept_lines() -> None:
    doc = clean_document(Document.from_text("欢迎来到某某文库网!\n标题\n正文。\n\n尾。", id="a.txt"))
    assert Report.entry(doc)["kept"] == "2-3,5"


# -- the page -----------------------------------------------------------------------


def test_page_sections_and_counts(sample_run: Path) -> None:
    page = (sample_run / "report.html").read_text(encoding="utf-8")
    summary = json.loads((sample_run / "report.json").read_text(encoding="utf-8"))["summary"]
    dom = _dom(page)
    for section in ("run", "removals", "sites", "mined", "duplicates", "samples"):
        assert section in dom.ids, section
    for key in ("files", "written", "chars_in", "chars_out"):
        assert dom.ids[f"count-{key}"]["data-v"] == str(summary[key])
    assert not re.search(r"<(link|script)[^>]+(src|href)=", page), "the page loads nothing from anywhere"
    # every rule of the JSON report has its row (mined rules one row per site)
    for rule in summary["rules"]:
        assert f"<td>{rule if not rule.startswith('mined.') else rule.rpartition('.')[0] + '.*'}</td>" in page
    # the sample shows removed lines with their rule and the kept lines from the output
    assert 'class="l rm"' in page and 'class="l keep"' in page
    assert "duplicate of paragraph at line" in page


def test_the_report_command_gives_the_same_page(sample_run: Path, tmp_path: Path) -> None:
    code, _, err = _run(["report", str(sample_run / "report.json"), "-o", str(tmp_path / "again.html")])
    assert code == 0, err
    assert (tmp_path / "again.html").read_bytes() == (sample_run / "report.html").read_bytes()


def test_report_command_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for content in ("not json", "[1, 2]", '{"files": []}'):
        bad.write_text(content, encoding="utf-8")
        code, _, err = _run(["report", str(bad), "-o", str(tmp_path / "x.html")])
        assert code == 2 and "not a textclean JSON report" in err, err
    code, _, err = _run(["report", str(tmp_path / "missing.json")])
    assert code == 2 and "cannot read the report" in err
    with pytest.raises(InputError):
        read_report(tmp_path / "missing.json")
    good = tmp_path / "r.json"
    good.write_text("{}", encoding="utf-8")
    code, _, err = _run(["report", str(good), "-o", str(good)])
    assert code == 2


def test_a_report_loaded_whole_or_streamed_gives_the_same_page(sample_run: Path, tmp_path: Path) -> None:
    data = json.loads((sample_run / "report.json").read_text(encoding="utf-8"))
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # not the line layout
    head, entries = read_report(compact)
    streamed_head, streamed = read_report(sample_run / "report.json")
    assert head == streamed_head
    assert list(entries) == list(streamed)


def test_hostile_names_are_escaped() -> None:
    entry = {"id": "<script>alert(1)</script>/a.txt", "chars_in": 10, "chars_out": 0, "kept": "",
             "removed": [{"rule": "zh.meta.x", "kind": "line", "line": 1, "text": "<img src=x onerror=alert(1)>",
                          "zone": "head", "reason": "zh.meta.x [head]"}]}
    head = {"textclean": "0", "summary": {"files": 1, "written": 1, "skipped": {}, "encodings": {}, "chars_in": 10,
                                          "chars_out": 0, "rules": {"zh.meta.x": {"lines": 1, "chars": 10}}}}
    page = html_of(head, [entry])
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_page_size_is_bounded_whatever_the_corpus() -> None:
    def entries():
        for number in range(20_000):
            yield {"id": f"site{number % 1000}/page{number}.txt", "chars_in": 3000, "chars_out": 1000,
                   "kept": "1-10",
                   "removed": [{"rule": f"zh.meta.r{number % 50}", "kind": "line", "line": 11 + k, "text": "x" * 200,
                                "zone": "tail", "duplicate_of_document": f"site0/page{number % 7}.txt",
                                "duplicate_of": k, "similarity": 0.9, "reason": "r"} for k in range(10)]}

    overview = Overview()
    for entry in entries():
        overview.add(entry)
    assert len(overview.samples()) == SAMPLES
    rules = {f"mined.site{n}.{n:08x}": {"lines": 1, "chars": n} for n in range(5000)}
    mined = [{"id": rule, "group": "site", "kind": "line", "template": "x" * 100, "pages": 3, "group_pages": 5,
              "edge_share": 1.0} for rule in rules]
    head = {"textclean": "0", "mined": mined, "summary": {"files": 20_000, "written": 20_000, "skipped": {},
                                                          "encodings": {}, "chars_in": 1, "chars_out": 1, "rules": rules}}
    page = html_of(head, entries(), texts=lambda samples, run: {})
    assert len(page.encode("utf-8")) < 5_000_000
    assert page.count("<tr>") < SITE_ROWS + 50 + 2 * 300 + 20  # sites, clusters, rules, mined templates cut


# -- a real browser -----------------------------------------------------------------

_BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--enable-logging=stderr", "--v=0",
]


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_the_page_renders_in_a_real_browser(sample_run: Path, tmp_path: Path) -> None:
    """Headless Chromium loads the sample run's page from disk: the script runs
    (it marks the body ready), nothing is logged to the console, the DOM holds
    every section and the JSON report's counts; a screenshot is saved (to
    ``$TEXTCLEAN_SCREENSHOT`` when set: how ``docs/report.png`` is made)."""
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium found (.ci/run installs Debian's chromium; install it to run this test)")
    url = (sample_run / "report.html").resolve().as_uri()
    common = [browser, *_BROWSER_FLAGS]
    dump = subprocess.run([*common, f"--user-data-dir={tmp_path / 'profile1'}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert dump.returncode == 0, dump.stderr[-2000:]
    console = [line for line in dump.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    dom = _dom(dump.stdout)
    assert dom.body.get("data-ready") == "1", "the page's script did not run to its end"
    summary = json.loads((sample_run / "report.json").read_text(encoding="utf-8"))["summary"]
    for section in ("run", "removals", "sites", "mined", "duplicates", "samples", "chart-rules", "rules"):
        assert section in dom.ids, section
    for key in ("files", "written", "chars_in", "chars_out"):
        assert dom.text[f"count-{key}"] == f"{summary[key]:,}"
    assert len(dom.ids["rules"]) and dom.text["rules"].count("zh.") >= sum(r.startswith("zh.") for r in summary["rules"])
    shot = Path(os.environ.get("TEXTCLEAN_SCREENSHOT") or tmp_path / "report.png")
    done = subprocess.run([*common, f"--user-data-dir={tmp_path / 'profile2'}", "--window-size=1280,2200",
                           f"--screenshot={shot}", url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 10_000


def test_an_entry_packed_in_a_worker_reads_and_counts_as_one_built_here(tmp_path: Path) -> None:
    """With worker processes each page's removals come as report items made there
    (pickled); the corpus phase adds its own after them. The entry, its totals, its
    journal record and its JSON are those of an entry built from the trace here."""
    import pickle

    from textclean.document import Removal
    from textclean.report import PackedRemoved, pack_removals, plain_entry
    from textclean.resume import RunState

    page = "欢迎来到某某范文网!\n标题\n第一段正文，很长很长很长很长。\n第一段正文，很长很长很长很长。\n责任编辑：某某"
    doc = pack_removals(clean_document(Document.from_text(page, id="a.txt")))
    later = Removal(step="dedup", rule="duplicate-paragraph", kind="line", line=3, text="第一段正文，很长很长很长很长。",
                    duplicate_of=9, duplicate_of_document="b.txt", similarity=1.0)
    for final in (doc, doc.replace(trace=doc.trace + (later,))):
        packed, built = Report.entry(final), Report.entry(final.replace(report_part=None))
        assert isinstance(packed["removed"], PackedRemoved) and packed["removed"].more == built["removed"][len(doc.trace):]
        assert plain_entry(packed) == built and list(plain_entry(packed)) == list(built)  # the keys in order
        assert json.dumps(plain_entry(packed), ensure_ascii=False) == json.dumps(built, ensure_ascii=False)
        counted, reference = Report(), Report()
        counted.add_entry(packed)
        reference.add_entry(built)
        assert counted.summary() == reference.summary() and counted.files == reference.files
        state = RunState.start(tmp_path / f"state{len(final.trace)}", {"version": "test"})
        state.append({"entry": packed, "change": None, "offset": None})
        state.close()
        (record,) = state.records()
        assert plain_entry(record["entry"]) == built
        assert pickle.loads(pickle.dumps(packed["removed"])).blob == packed["removed"].blob
