"""The run report as one page people can look at: ``textclean clean … --report-html``.

One static, self-contained HTML file (inline CSS, inline SVG charts, a few lines of
script to sort tables; no network) built from the same entries as the JSON report
(:mod:`textclean.report`). Its size is bounded whatever the corpus: totals, tables
cut to their largest rows, and a sample of files shown the way ``textclean explain``
shows them, the files with the most removed first.

:class:`Overview` reads the entries one at a time and keeps only what the page
shows; :func:`render` writes the page. :func:`read_report` streams a JSON report
written by :meth:`textclean.report.Report.write` (one file entry per line), so
``textclean report report.json -o report.html`` works on reports of any size.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .errors import InputError

__all__ = ["Overview", "render", "html_of", "read_report", "output_texts", "kept_ranges", "numbers_of", "category_of"]

SITE_ROWS = 200  # the per-site table keeps the sites with the most characters removed
CLUSTER_ROWS = 50  # duplicate clusters shown (largest first)
CLUSTER_KEYS = 100_000  # distinct clusters counted before new ones are ignored (memory bound)
MEMBERS = 8  # dropped copies listed per cluster
DOCUMENT_DROPS = 100  # whole documents dropped as duplicates, listed
SAMPLES = 20  # files shown line by line
SAMPLE_LINES = 200  # lines shown per sample file
TEXT_CHARS = 200  # characters shown of one line
RULE_ROWS = 300  # rules listed (most characters removed first); mined rules can be thousands
MINED_ROWS = 300  # mined templates listed


def category_of(rule: str) -> str:
    """The group a rule id is counted under in the charts: the middle part of a
    pack rule (``zh.meta.dated`` -> ``meta``), ``mined`` for mined templates, and
    the rule itself for the other steps (``duplicate-paragraph``, ``line-model``).

    >>> category_of("zh.meta.dated"), category_of("mined.site-a.1a2b3c4d"), category_of("line-model")
    ('meta', 'mined', 'line-model')
    """
    if rule.startswith("mined."):
        return "mined"
    parts = rule.split(".")
    return parts[1] if len(parts) >= 3 else rule


def kept_ranges(numbers: Iterable[int]) -> str:
    """Input line numbers as compact ranges, the form of a report entry's ``kept``.

    >>> kept_ranges([1, 2, 3, 5, 8, 9])
    '1-3,5,8-9'
    """
    parts: list[str] = []
    start = end = None
    for number in numbers:
        if end is not None and number == end + 1:
            end = number
            continue
        if start is not None:
            parts.append(f"{start}-{end}" if end != start else str(start))
        start = end = number
    if start is not None:
        parts.append(f"{start}-{end}" if end != start else str(start))
    return ",".join(parts)


def numbers_of(ranges: str) -> list[int]:
    """The inverse of :func:`kept_ranges`.

    >>> numbers_of('1-3,5')
    [1, 2, 3, 5]
    """
    numbers: list[int] = []
    for part in filter(None, ranges.split(",")):
        first, _, last = part.partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def _site(doc_id: str) -> str:
    """The site folder of a document: the folder part of its id (``.`` at the top)."""
    folder, _, _ = doc_id.rpartition("/")
    return folder or "."


@dataclass
class _Site:
    files: int = 0
    written: int = 0
    skipped: int = 0
    chars_in: int = 0
    chars_out: int = 0
    lines_removed: int = 0
    rules: Counter[str] = field(default_factory=Counter)


@dataclass
class Overview:
    """What the page shows, gathered from report entries in memory bounded by the
    constants above (not by the number of files)."""

    sites: dict[str, _Site] = field(default_factory=lambda: defaultdict(_Site))
    zones: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    clusters: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    document_drops: list[tuple[str, str]] = field(default_factory=list)
    worst: list[tuple[int, str, int, dict[str, Any]]] = field(default_factory=list)  # a min-heap
    seen: int = 0

    def add(self, entry: Mapping[str, Any]) -> None:
        """Count one report entry (as :meth:`textclean.report.Report.entry` makes it)."""
        self.seen += 1
        site = self.sites[_site(entry["id"])]
        site.files += 1
        site.chars_in += entry.get("chars_in", 0)
        site.chars_out += entry.get("chars_out", 0)
        if entry.get("skipped"):
            site.skipped += 1
        else:
            site.written += 1
        removed_chars = 0
        for item in entry.get("removed", ()):
            chars = len(item.get("text", ""))
            removed_chars += chars
            self.zones[item.get("zone") or "no zone (duplicates, line model)"] += chars
            self.categories[category_of(item["rule"])] += chars
            site.rules[item["rule"]] += 1
            if item.get("kind") == "line":
                site.lines_removed += 1
            other = item.get("duplicate_of_document")
            if other is not None:
                key = (other, item.get("duplicate_of", 0))
                cluster = self.clusters.get(key)
                if cluster is None and len(self.clusters) < CLUSTER_KEYS:
                    cluster = self.clusters[key] = [0, item.get("text", ""), []]
                if cluster is not None:
                    cluster[0] += 1
                    if len(cluster[2]) < MEMBERS:
                        cluster[2].append((entry["id"], item.get("line"), item.get("similarity")))
        if entry.get("skipped") == "duplicate" and len(self.document_drops) < DOCUMENT_DROPS:
            self.document_drops.append((entry["id"], entry.get("detail") or ""))
        if entry.get("skipped") == "duplicate":
            return  # a dropped copy is listed above, not sampled
        # the files with the most removed, ties by order (earlier first): a bounded heap
        key = (removed_chars, -self.seen)
        if removed_chars and (len(self.worst) < SAMPLES or key > self.worst[0][:2]):
            item_ = (removed_chars, -self.seen, self.seen, dict(entry))
            if len(self.worst) < SAMPLES:
                heapq.heappush(self.worst, item_)
            else:
                heapq.heapreplace(self.worst, item_)

    def samples(self) -> list[dict[str, Any]]:
        """The sampled entries, most removed first."""
        return [item[3] for item in sorted(self.worst, key=lambda x: (-x[0], x[2]))]


# -- reading a JSON report ---------------------------------------------------------


def read_report(path: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The head (everything but ``files``) of a JSON report and its file entries,
    streamed when the report has the layout :meth:`Report.write` gives it (one entry
    per line), loaded whole otherwise."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise InputError(f"cannot read the report {path}: {exc.strerror or exc}") from None
    head_lines: list[str] = []
    for line in handle:
        if line.startswith(' "files": ['):
            break
        head_lines.append(line)
    else:
        handle.close()
        return _whole(path)
    try:
        head = json.loads("".join(head_lines).rstrip().rstrip(",") + "}")
    except json.JSONDecodeError:
        handle.close()
        return _whole(path)

    def entries() -> Iterator[dict[str, Any]]:
        with handle:
            for line in handle:
                text = line.strip().rstrip(",")
                if text.startswith("{"):
                    try:
                        yield json.loads(text)
                    except json.JSONDecodeError:
                        raise InputError(f"{path} is not a textclean JSON report (a file entry does not parse)") from None
                elif text.startswith("]"):
                    return

    return _checked(head, path), entries()


def _whole(path: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a textclean JSON report: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a textclean JSON report (not a JSON object)")
    files = data.pop("files", [])
    return _checked(data, path), iter(files if isinstance(files, list) else [])


def _checked(head: Any, path: Path) -> dict[str, Any]:
    if not isinstance(head, dict) or "summary" not in head or "textclean" not in head:
        raise InputError(f"{path} is not a textclean JSON report (no 'textclean' and 'summary' fields)")
    return head


# -- kept text of the sampled files ------------------------------------------------


def output_texts(samples: list[dict[str, Any]], run: Mapping[str, Any]) -> dict[str, list[str]]:
    """The written lines of each sampled file, read back from the run's output: a
    tree file named by the entry, or the record of the output JSONL file. Files no
    longer there are left out (the page then says the kept lines are not shown)."""
    texts: dict[str, list[str]] = {}
    wanted = {entry["id"] for entry in samples}
    for entry in samples:
        output = entry.get("output")
        if output:
            try:
                texts[entry["id"]] = Path(output).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                pass
    jsonl = run.get("output") if run.get("format") == "jsonl" else None
    missing = wanted - texts.keys()
    if jsonl and missing and Path(jsonl).is_file():
        from .io import jsonl_records

        text_field, id_field = run.get("text_field", "text"), run.get("id_field", "id")
        try:
            for record in jsonl_records(Path(jsonl)):
                if isinstance(record, dict) and str(record.get(id_field)) in missing:
                    value = record.get(text_field)
                    if isinstance(value, str):
                        texts[str(record[id_field])] = value.splitlines()
        except (OSError, EOFError):
            pass
    return texts


# -- the page ----------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#b9c0cc}
nav{padding:8px 24px;background:#fff;border-bottom:1px solid #dde1e7}nav a{margin-right:14px;color:#2457c5}
main{padding:8px 24px 40px;max-width:1300px}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;
margin:16px 0;padding:12px 18px}h2{font-size:17px;margin:4px 0 10px}h3{font-size:14px;margin:14px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dde1e7;border-radius:6px;padding:8px 14px;
min-width:120px}.card b{display:block;font-size:20px}.card span{color:#5b6475;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eceff3;
text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;user-select:none;background:#f0f2f5}table.sortable th:after{content:" \\2195";color:#9aa3b2}
.muted{color:#6b7385}.small{font-size:12px}code{font-size:12px;background:#f0f2f5;padding:0 3px;border-radius:3px}
svg text{font:12px system-ui,sans-serif}
.doc{border:1px solid #dde1e7;border-radius:6px;margin:10px 0}.doc summary{padding:6px 10px;cursor:pointer;background:#f0f2f5}
.lines{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;word-break:break-all;padding:4px 0}
.l{padding:0 10px}.l i{color:#8a93a3;font-style:normal;display:inline-block;min-width:3.5em}
.keep{background:#fff}.chg{background:#fff8e1}.rm{background:#fdecec;color:#8b1d1d;text-decoration:line-through}
.why{color:#8b1d1d;padding:0 10px 0 4.5em;font-size:12px}.chg .why{color:#8a5a00}
"""

_SCRIPT = """
(function(){
  function cell(row, i){var c=row.cells[i];var v=c.getAttribute('data-v');return v===null?c.textContent:parseFloat(v);}
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th').forEach(function(th){
      th.addEventListener('click', function(){
        var i=th.cellIndex, body=table.tBodies[0], rows=Array.prototype.slice.call(body.rows);
        var down=th.getAttribute('data-dir')!=='down';
        rows.sort(function(a,b){var x=cell(a,i),y=cell(b,i);var r=(x<y)?-1:(x>y)?1:0;return down?-r:r;});
        th.setAttribute('data-dir', down?'down':'up');
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  document.body.setAttribute('data-ready','1');
})();
"""


def _n(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:.3f}"


def _td(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="n" data-v="{value}">{_n(value)}</td>'
    return f"<td>{escape(str(value))}</td>"


def _table(headers: list[str], rows: Iterable[Iterable[Any]], *, id: str, sortable: bool = True) -> str:
    rows = list(rows)
    if not rows:
        return f'<p class="muted" id="{id}">none</p>'
    head = "".join(f'<th{" class=n" if h.startswith("#") else ""}>{escape(h.lstrip("#"))}</th>' for h in headers)
    body = "".join("<tr>" + "".join(_td(v) for v in row) + "</tr>" for row in rows)
    cls = ' class="sortable"' if sortable else ""
    return f'<table id="{id}"{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _by_rule(rules: Mapping[str, Mapping[str, int]]) -> dict[str, Counter[str]]:
    """Rule totals with the mined rules of each site added up under ``mined.<site>.*``
    (a crawl mines thousands; the mined section lists them one by one)."""
    totals: dict[str, Counter[str]] = {}
    for rule, counts in rules.items():
        if rule.startswith("mined."):
            rule = rule.rpartition(".")[0] + ".*"
        totals.setdefault(rule, Counter()).update(counts)
    return totals


def _more(count: int, what: str) -> str:
    return f'<p class="muted">{count:,} more {what} not shown</p>' if count > 0 else ""


def _bars(items: list[tuple[str, int]], *, id: str, unit: str = "chars") -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return '<p class="muted">nothing removed</p>'
    top = max(value for _, value in items) or 1
    label_w, bar_w, row_h = 260, 520, 20
    rows = []
    for index, (label, value) in enumerate(items):
        y = index * row_h
        width = max(1, round(bar_w * value / top))
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label[:40])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row_h - 6}" fill="#4a78d6"><title>'
            f"{escape(label)}: {value:,} {unit}</title></rect>"
            f'<text x="{label_w + width + 6}" y="{y + 14}" fill="#5b6475">{value:,}</text>'
        )
    height = row_h * len(items)
    return (f'<svg id="{id}" width="{label_w + bar_w + 90}" height="{height}" role="img" '
            f'viewBox="0 0 {label_w + bar_w + 90} {height}">{"".join(rows)}</svg>')


def _sample(entry: Mapping[str, Any], lines: list[str] | None, *, open_: bool = False) -> str:
    """One file the way ``textclean explain`` shows it: kept (+), changed (~) and
    removed (-) lines, each removal with its rule and reason."""
    removals: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for item in entry.get("removed", ()):
        removals[item.get("line", 0)].append(item)
    kept = numbers_of(entry.get("kept", "")) if lines is not None else []
    texts = dict(zip(kept, lines or [], strict=False))  # a changed output file: shown as far as it goes
    numbers = sorted(set(texts) | set(removals))
    out = []
    for number in numbers[:SAMPLE_LINES]:
        items = removals.get(number, [])
        if number in texts:
            cls, mark, text = ("chg", "~", texts[number]) if items else ("keep", "+", texts[number])
        else:
            # removed whole, or every sentence went (the first is shown; each is listed with its reason)
            whole = [i for i in items if i.get("kind") == "line"]
            cls, mark = "rm", "-"
            text = (whole[0] if whole else items[0]).get("text", "")
        out.append(f'<div class="l {cls}"><i>{number} {mark}</i>{escape(text[:TEXT_CHARS])}</div>')
        for item in items:
            what = "" if item.get("kind") == "line" else f'{item.get("kind")} “{item.get("text", "")[:80]}”: '
            reason = item.get("reason", "")
            reason = reason[len(item["rule"]):] if reason.startswith(item["rule"]) else f" {reason}"
            out.append(f'<div class="why">└ {escape(what)}<code>{escape(item["rule"])}</code>{escape(reason)}</div>')
    if len(numbers) > SAMPLE_LINES:
        out.append(f'<div class="why">… {len(numbers) - SAMPLE_LINES} more lines</div>')
    note = "" if lines is not None else ('<p class="muted small">the output of this file was not found, '
                                         "so only the removed lines are shown</p>")
    removed = sum(len(i.get("text", "")) for i in entry.get("removed", ()))
    return (f'<details class="doc"{" open" if open_ else ""} data-id="{escape(entry["id"], quote=True)}"><summary><b>{escape(entry["id"])}</b> '
            f'<span class="muted">{entry.get("chars_in", 0):,} chars in, {entry.get("chars_out", 0):,} out, '
            f'{removed:,} removed</span></summary>{note}<div class="lines">{"".join(out)}</div></details>')


def render(head: Mapping[str, Any], overview: Overview, texts: Mapping[str, list[str]] | None = None) -> str:
    """The page: ``head`` is the JSON report without its files (``summary``,
    ``mined``, ``run``), ``overview`` what :class:`Overview` gathered from the files,
    ``texts`` the written lines of the sampled files (see :func:`output_texts`)."""
    summary = head["summary"]
    run = head.get("run", {})
    texts = texts or {}
    unit = "records" if run.get("input_format") == "records" else "files"
    skipped = summary.get("skipped", {})
    cards = [
        ("files", summary.get("files", 0), f"{unit} in"),
        ("written", summary.get("written", 0), f"{unit} written"),
        ("skipped", sum(skipped.values()), f"{unit} skipped"),
        ("chars_in", summary.get("chars_in", 0), "characters in"),
        ("chars_out", summary.get("chars_out", 0), "characters out"),
    ]
    kept_share = summary.get("chars_out", 0) / max(summary.get("chars_in", 0), 1)
    cards_html = "".join(f'<div class="card"><b id="count-{key}" data-v="{value}">{value:,}</b><span>{label}</span></div>'
                         for key, value, label in cards)
    cards_html += f'<div class="card"><b>{kept_share:.1%}</b><span>characters kept</span></div>'
    rule_rows = sorted(_by_rule(summary.get("rules", {})).items(), key=lambda kv: (-kv[1].get("chars", 0), kv[0]))
    sections = []
    where = ""
    if run:
        where = f'<p>{escape(str(run.get("input", "")))} → {escape(str(run.get("output", "")))}</p>'
    sections.append(
        f'<section id="run"><h2>The run</h2><div class="cards">{cards_html}</div>'
        f'<h3>Skipped, by reason</h3>'
        + _table(["reason", f"#{unit}"], sorted(skipped.items()), id="skipped")
        + "<h3>Encodings found</h3>"
        + _table(["encoding", f"#{unit}"], sorted(summary.get("encodings", {}).items()), id="encodings")
        + "</section>"
    )
    sections.append(
        '<section id="removals"><h2>Removals by rule</h2>'
        + _bars([(rule, totals.get("chars", 0)) for rule, totals in rule_rows[:30]], id="chart-rules")
        + "<h3>By category</h3>"
        + _bars(overview.categories.most_common(), id="chart-categories")
        + "<h3>By zone</h3>"
        + _bars(overview.zones.most_common(), id="chart-zones")
        + "<h3>Every rule</h3>"
        + _table(["rule", "category", "#lines", "#spans", "#sentences", "#chars"],
                 ([rule, category_of(rule), t.get("lines", 0), t.get("spans", 0), t.get("sentences", 0),
                   t.get("chars", 0)] for rule, t in rule_rows[:RULE_ROWS]), id="rules")
        + _more(len(rule_rows) - RULE_ROWS, "rules")
        + "</section>"
    )
    sites = sorted(overview.sites.items(), key=lambda kv: (-(kv[1].chars_in - kv[1].chars_out), kv[0]))
    site_rows = [[name, s.files, s.written, s.skipped, s.chars_in, s.chars_out,
                  round(1 - s.chars_out / s.chars_in, 3) if s.chars_in else 0.0, s.lines_removed,
                  ", ".join(r for r, _ in s.rules.most_common(3))] for name, s in sites[:SITE_ROWS]]
    more = _more(len(sites) - SITE_ROWS, "sites")
    sections.append(
        '<section id="sites"><h2>Per site folder</h2><p class="muted small">click a heading to sort</p>'
        + _table(["site", f"#{unit}", "#written", "#skipped", "#chars in", "#chars out", "#share removed",
                  "#lines removed", "top rules"], site_rows, id="sites-table")
        + more + "</section>"
    )
    mined = head.get("mined", [])
    sections.append(
        '<section id="mined"><h2>Mined templates</h2>'
        + (_table(["site", "kind", "template", "#pages", "#site pages", "#edge share", "id"],
                  ([m.get("group") or ".", m.get("kind", ""), m.get("template", ""), m.get("pages", 0),
                    m.get("group_pages", 0), m.get("edge_share", 0.0), m.get("id", "")] for m in mined[:MINED_ROWS]),
                  id="mined-table") + _more(len(mined) - MINED_ROWS, "mined templates (the JSON report lists them all)")
           if mined else '<p class="muted">no site templates were mined in this run</p>')
        + "</section>"
    )
    clusters = sorted(overview.clusters.items(), key=lambda kv: (-kv[1][0], kv[0]))[:CLUSTER_ROWS]
    cluster_rows = []
    for (doc, line), (count, text, members) in clusters:
        dropped = "; ".join(f"{m[0]}:{m[1]}" + (f" ({m[2]:.2f})" if m[2] is not None else "") for m in members)
        cluster_rows.append([f"{doc}:{line}", text[:TEXT_CHARS], count, dropped])
    drops = [[doc_id, detail] for doc_id, detail in overview.document_drops]
    sections.append(
        '<section id="duplicates"><h2>Duplicates across documents</h2>'
        "<h3>Clusters: the kept copy and the dropped ones</h3>"
        + (_table(["kept copy (file:line)", "text", "#dropped", "dropped copies (file:line, similarity)"],
                  cluster_rows, id="clusters") if cluster_rows else '<p class="muted">no paragraph was dropped as a '
                                                                    "copy of another document</p>")
        + "<h3>Whole documents dropped as copies</h3>"
        + (_table(["document", "why"], drops, id="document-drops") if drops
           else '<p class="muted">no document was dropped whole</p>')
        + "</section>"
    )
    samples = overview.samples()
    sections.append(
        '<section id="samples"><h2>Files, most removed first</h2>'
        '<p class="muted small">+ kept, ~ kept with parts removed, - removed; the rule and reason under each '
        "removal</p>"
        + "".join(_sample(entry, texts.get(entry["id"]), open_=rank < 2) for rank, entry in enumerate(samples))
        + ("" if samples else '<p class="muted">nothing was removed</p>')
        + "</section>"
    )
    nav = "".join(f'<a href="#{s}">{label}</a>' for s, label in (
        ("run", "Run"), ("removals", "Removals"), ("sites", "Sites"), ("mined", "Mined"),
        ("duplicates", "Duplicates"), ("samples", "Files")))
    version = escape(str(head.get("textclean", "")))
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>textclean report</title><style>{_CSS}</style></head><body>"
        f"<header><h1>textclean report</h1><p>textclean {version}</p>{where}</header><nav>{nav}</nav>"
        f"<main>{''.join(sections)}</main><script>{_SCRIPT}</script></body></html>\n"
    )


def html_of(head: Mapping[str, Any], entries: Iterable[Mapping[str, Any]],
            texts: Callable[[list[dict[str, Any]], Mapping[str, Any]], Mapping[str, list[str]]] = output_texts) -> str:
    """The page of a report: ``head`` without files, then its file entries streamed."""
    overview = Overview()
    for entry in entries:
        overview.add(entry)
    return render(head, overview, texts(overview.samples(), head.get("run", {})))
