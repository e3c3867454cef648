"""Boilerplate on real pages of sites textclean was not written for, side by side.

    python benchmarks/realpages.py [--realpages ../shared/realpages] [--trafilatura-python PY] [--keep DIR]

Scores, with the set's own scorer (``../shared/realpages/score.py --scored``), on
63 real pages of 44 sites (read in place, never copied into the project):

  rules            the rule pack alone (no mining, no line model)
  rules+mining     plus site-level mining of repeated lines and templates
  +line model T    plus the line model at threshold T, leave-one-site-out: the pages of each site
                   folder are cleaned by a model fitted on the other 43 folders
                   (``scripts/train_line_model.py``), so no figure is on pages its
                   weights saw
  trafilatura      trafilatura's extract() on the HTML of the same pages (precision
                   default), run by ``--trafilatura-python`` (a Python with
                   trafilatura installed; not a textclean dependency)

Each textclean configuration runs the library the way ``textclean clean`` does: a
site folder is mined, then cleaned, documents in order, default options otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import train_line_model  # noqa: E402

from textclean import Config, Document  # noqa: E402
from textclean.pipeline import Pipeline, mine_documents  # noqa: E402

_SUMMARY = re.compile(r"SUMMARY (.*)")

_TRAFILATURA = r"""
import json, sys, pathlib
import trafilatura
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for page in json.loads((root / "pages.json").read_text(encoding="utf-8")):
    html = (root / page["html"]).read_bytes()
    text = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    target = out / page["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
"""


def run_textclean(root: Path, out: Path, config: Config, models: dict[str, object] | None = None) -> float:
    """Clean every site folder of ``root/pages`` into ``out``; seconds taken."""
    pages = json.loads((root / "pages.json").read_text(encoding="utf-8"))
    sites = sorted({p["file"].split("/")[0] for p in pages})
    start = time.perf_counter()
    for site in sites:
        files = sorted(p["file"] for p in pages if p["file"].startswith(site + "/"))
        site_config = config if models is None else config.replace(line_model_weights=models[site])
        docs = [Document(id=f, data=(root / "pages" / f).read_bytes()) for f in files]
        mined = mine_documents(docs, site_config).result() if site_config.mining.mine else None
        for doc in Pipeline.default(site_config, mined=mined, errors="skip").run(docs):
            target = out / doc.id
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(doc.output_text, encoding="utf-8")
    return time.perf_counter() - start


def score(root: Path, out: Path) -> dict[str, str]:
    done = subprocess.run([sys.executable, str(root / "score.py"), "--scored", str(out), "--worst", "0"],
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    figures = dict(item.split("=") for item in _SUMMARY.search(done.stdout).group(1).split())
    for line in lines:  # headlines kept, all pages
        if "headlines kept" in line:
            figures["headlines"] = line.rsplit("headlines kept", 1)[1].strip()
            break
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realpages", type=Path, default=train_line_model.REALPAGES)
    parser.add_argument("--trafilatura-python", help="a Python with trafilatura installed, to score it on the HTML")
    parser.add_argument("--keep", type=Path, help="keep each configuration's output under this folder")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.7, 0.8, 0.9, 0.95],
                        help="line model thresholds to score (each leave-one-site-out)")
    args = parser.parse_args(argv)
    root = args.realpages
    if not (root / "score.py").exists():
        print(f"no realpages at {root}", file=sys.stderr)
        return 2
    work = Path(args.keep or tempfile.mkdtemp(prefix="realpages-"))
    rows: list[tuple[str, dict[str, str], float]] = []
    base = Config()
    for name, config in (
        ("rules", base.replace(mine=False, line_model=False)),
        ("rules+mining", base.replace(line_model=False)),
    ):
        seconds = run_textclean(root, work / name, config)
        rows.append((name, score(root, work / name), seconds))
    labelled = train_line_model.load(root)
    sites = sorted({p.site for p in labelled})
    started = time.perf_counter()
    models = {site: train_line_model.fit_all([p for p in labelled if p.site != site]) for site in sites}
    fitting = time.perf_counter() - started
    for threshold in args.thresholds:
        name = f"lm@{threshold:g}"
        seconds = run_textclean(root, work / name, base.replace(line_model_threshold=threshold), models)
        default = " (default)" if threshold == base.boilerplate.line_model_threshold else ""
        rows.append((f"+line model {threshold:g}{default}", score(root, work / name), seconds))
    if args.trafilatura_python:
        out = work / "trafilatura"
        started = time.perf_counter()
        done = subprocess.run([args.trafilatura_python, "-c", _TRAFILATURA, str(root), str(out)],
                              capture_output=True, text=True)
        if done.returncode == 0:
            rows.append(("trafilatura (HTML)", score(root, out), time.perf_counter() - started))
        else:
            print(f"trafilatura failed, left out of the table:\n{done.stderr[-2000:]}", file=sys.stderr)
    print(f"realpages: {len(labelled)} pages, {len(sites)} site folders; LOSO fits took {fitting:.1f} s")
    print(f"{'configuration':<28} {'bp recall':>9} {'retention':>9} {'gold bp':>8} {'gold ret':>8} "
          f"{'silver bp':>9} {'silver ret':>10} {'headlines':>9} {'seconds':>7}")
    for name, f, seconds in rows:
        print(f"{name:<28} {f['bp_recall']:>9} {f['content_retention']:>9} {f['gold_bp']:>8} {f['gold_ret']:>8} "
              f"{f['silver_bp']:>9} {f['silver_ret']:>10} {f.get('headlines', '?'):>9} {seconds:>7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
