"""Fit the line model's weights on labelled pages and write them as package data.

    python scripts/train_line_model.py                       # fit on ../shared/realpages, write the weights
    python scripts/train_line_model.py --loso                # leave-one-site-out figures (no writing)

Labelled pages: ``../shared/realpages`` (63 real pages of 44 sites, one label per
input line; read in place, never copied into the project). Each page goes through
the same steps a run takes before the model (decode, normalize, the rule pack and
the site's mined rules, the title rule, dedup), and the model learns from the lines
those steps *kept*, in their context: that is what it judges at run time. The page's first line (its
``<title>``), optional lines (bylines, credits) and extra copies of a content line
are not scored. Each page is also given once as it looks after cleaning (its
content lines only, all labelled content), so the model learns to leave a clean
page alone — that keeps cleaning idempotent.

``--loso`` fits on all site folders but one and scores that folder, for every
folder, and prints line recall and character retention per threshold over the
lines the tiers before the model kept (the end-to-end figures, with dedup and the
scorer's alignment, come from ``benchmarks/realpages.py``). Deterministic: no
randomness anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textclean import Config, Document
from textclean.line_model import TITLE_RULE, Page, fit
from textclean.normalize import normalize
from textclean.page import PageCleaner
from textclean.pipeline import decode_document, mine_documents

ROOT = Path(__file__).resolve().parent.parent
REALPAGES = ROOT.parent / "shared" / "realpages"
OUT = ROOT / "src" / "textclean" / "data" / "line_model.json"
# Hyperparameters (documented in the README): L2 strength on standardised
# features and the weight of content characters against chrome lines.
L2 = float(__import__('os').environ.get('TC_L2', 100.0))
CONTENT_WEIGHT = float(__import__('os').environ.get('TC_CW', 1.0))
CLEAN_PAGE_WEIGHT = 0.5


@dataclass
class Labelled:
    """One realpages page after the rule tiers: kept lines with labels, and all its labels."""

    file: str
    site: str
    grade: str
    page: Page  # kept lines as the model sees them
    clean: Page  # the page as it looks after cleaning (content lines only)
    chrome_total: int  # boilerplate lines on the input page (scored by the scorer)
    chrome_kept: int  # of which the rule tiers kept
    content_chars: list[int]  # per kept line: characters if content, else 0


def load(root: Path = REALPAGES, *, mine: bool = True) -> list[Labelled]:
    """Every page of ``root`` after decode, normalize, rules and mining (per site folder)."""
    labels: dict[tuple[str, int], dict] = {}
    with open(root / "labels.jsonl", encoding="utf-8") as handle:
        for row in map(json.loads, handle):
            labels[(row["file"], row["line"])] = row
    pages = json.loads((root / "pages.json").read_text(encoding="utf-8"))
    by_site: dict[str, list[dict]] = {}
    for page in pages:
        by_site.setdefault(page["file"].split("/")[0], []).append(page)
    config = Config()  # the model's own step is left out below; the title rule runs as in a run
    out: list[Labelled] = []
    for site in sorted(by_site):
        entries = sorted(by_site[site], key=lambda p: p["file"])
        docs = [Document(id=p["file"], data=(root / "pages" / p["file"]).read_bytes()) for p in entries]
        mined = mine_documents(docs, config).result() if mine else None
        page = PageCleaner(config, mined=mined)
        for entry, doc in zip(entries, docs):
            doc = page.before_model(normalize(decode_document(doc, config), config.normalize))
            out.append(_labelled(entry, doc, labels, site))
    return out


def _label(row: dict | None) -> int | None:
    if row is None or row.get("optional") or row.get("dup_of") or not row["text"].strip():
        return None
    return 1 if row["label"] == "boilerplate" else 0


def _labelled(entry: dict, doc: Document, labels: dict, site: str) -> Labelled:
    file = entry["file"]
    lines = doc.lines()
    texts = tuple(line.text for line in lines)
    page_labels = [_label(labels.get((file, line.number))) for line in lines]
    if page_labels and not any(r.rule == TITLE_RULE for r in doc.trace):
        page_labels[0] = None  # the first line is the <title>: the model does not judge it
    content_chars = [len(t) if lab == 0 else 0 for t, lab in zip(texts, page_labels)]
    rows = [row for (f, _), row in labels.items() if f == file]
    chrome_total = sum(1 for row in rows if _label(row) == 1)
    chrome_kept = sum(1 for lab in page_labels if lab == 1)
    clean_lines = tuple(t for t, line in zip(texts, lines) if _label(labels.get((file, line.number))) == 0)
    clean = Page(lines=clean_lines, labels=tuple([None] + [0] * (len(clean_lines) - 1))[: len(clean_lines)],
                 group=site, weight=CLEAN_PAGE_WEIGHT)
    return Labelled(file=file, site=site, grade=entry["grade"],
                    page=Page(lines=texts, labels=tuple(page_labels), group=site),
                    clean=clean, chrome_total=chrome_total, chrome_kept=chrome_kept, content_chars=content_chars)


def training_pages(pages: list[Labelled]) -> list[Page]:
    return [p.page for p in pages] + [p.clean for p in pages if len(p.clean.lines) > 1]


def fit_all(pages: list[Labelled], note: str = ""):  # type: ignore[no-untyped-def]
    return fit(training_pages(pages), l2=L2, content_weight=CONTENT_WEIGHT, note=note)


def loso_scores(pages: list[Labelled]) -> dict[str, np.ndarray]:
    """Each page's scores from a model fitted without its site folder."""
    scores: dict[str, np.ndarray] = {}
    for site in sorted({p.site for p in pages}):
        model = fit_all([p for p in pages if p.site != site])
        for p in pages:
            if p.site == site:
                scores[p.file] = model.scores(p.page.lines) if p.page.lines else np.zeros(0)
    return scores


def curve(pages: list[Labelled], scores: dict[str, np.ndarray], thresholds: list[float], grade: str | None = None) -> None:
    print(f"{'threshold':>9} {'recall':>7} {'retention':>9}  ({grade or 'all'} pages; tiers before the model included)")
    for t in thresholds:
        chrome_total = chrome_removed = content_total = content_kept = 0
        for p in pages:
            if grade and p.grade != grade:
                continue
            s = scores[p.file]
            chrome_total += p.chrome_total
            chrome_removed += p.chrome_total - p.chrome_kept
            for i, label in enumerate(p.page.labels):
                if label is None:
                    continue
                drop = i > 0 and s[i] >= t
                if label == 1 and drop:
                    chrome_removed += 1
                if label == 0:
                    content_total += p.content_chars[i]
                    content_kept += 0 if drop else p.content_chars[i]
        print(f"{t:>9.2f} {chrome_removed / max(chrome_total, 1):>7.3f} {content_kept / max(content_total, 1):>9.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realpages", type=Path, default=REALPAGES)
    parser.add_argument("--loso", action="store_true", help="print leave-one-site-out figures instead of writing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not (args.realpages / "labels.jsonl").exists():
        print(f"no labelled pages at {args.realpages}", file=sys.stderr)
        return 2
    pages = load(args.realpages)
    if args.loso:
        scores = loso_scores(pages)
        thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
        for grade in (None, "gold", "silver"):
            curve(pages, scores, thresholds, grade)
        return 0
    sites = sorted({p.site for p in pages})
    note = (f"fitted by scripts/train_line_model.py on {len(pages)} pages of {len(sites)} site folders "
            f"(../shared/realpages), L2 {L2}, content weight {CONTENT_WEIGHT}")
    args.out.write_text(fit_all(pages, note).to_json(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
