"""The ``textclean`` command: the only module that prints or exits.

Exit codes: 0 every file was written or deliberately dropped as a duplicate; 1
some files were skipped (the rest were written; reasons on stderr and in the
report); 2 usage error or an output that cannot be used. Bad input never
produces a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Sequence, TextIO

from . import __version__
from .boilerplate import RuleSet, resolve_rules
from .config import Config, MiB
from .document import Document, shown
from .dedup import CorpusDedup
from .errors import OutputError, TextcleanError
from .io import (
    WriteJsonl,
    WriteTree,
    check_output_dir,
    is_jsonl,
    list_text_files,
    count_records,
    read_folder,
    read_jsonl,
    remove_temporaries,
    write_atomic,
)
from .line_model import LineModel
from .outdir import LOCK_NAME, Manifest, OutputLock
from .mining import MinedRules
from .normalize import normalize_line, split_lines
from .pipeline import Pipeline, Step, WorkerPool, decode_document, mine_documents
from .report import Report
from .resume import ResumeError, RunState, inputs_hash, options_of, state_dir

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2
# Outcomes of cleaning rather than failures: counted in the summary and the report,
# not listed one by one on stderr, and no reason for exit code 1.
DROPPED = frozenset({"duplicate"})


class Progress:
    """A progress bar on stderr, shown only once a run has taken a second.

    On a terminal it redraws one line; elsewhere (CI logs) it prints a line at
    most every ten seconds.
    """

    def __init__(self, total: int, stream: TextIO, *, enabled: bool = True, label: str = "", unit: str = "files") -> None:
        self.label = label + " " if label else ""
        self.unit = unit
        self.total = total
        self.stream = stream
        self.enabled = enabled
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.start = time.monotonic()
        self.last = float("-inf")
        self.done = 0
        self.bytes = 0
        self.shown = False

    def update(self, nbytes: int) -> None:
        self.done += 1
        self.bytes += nbytes
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.start
        if elapsed < 1.0 or now - self.last < (0.1 if self.tty else 10.0):
            return
        self.last = now
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        rate = self.bytes / MiB / max(elapsed, 1e-9)
        line = f"{self.label}[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {self.unit} {rate:.1f} MB/s"
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("cleaning options")
    group.add_argument("--encoding", metavar="ENC", help="force this codec instead of detecting one")
    group.add_argument(
        "--max-bytes", type=int, metavar="N", default=None,
        help=f"skip files larger than N bytes as 'oversize' (default {64 * MiB})",
    )
    group.add_argument("--rules", action="append", type=Path, default=[], metavar="FILE",
                       help="add a TOML rule pack (repeatable)")
    group.add_argument("--disable-rule", action="append", default=[], metavar="ID",
                       help="switch off a rule by id (repeatable); see `textclean rules`")
    group.add_argument("--no-builtin-rules", action="store_true", help="do not use the built-in Chinese pack")
    group.add_argument("--head-lines", type=int, metavar="N", help="size of the head zone (default 8)")
    group.add_argument("--tail-lines", type=int, metavar="N", help="size of the tail zone (default 8)")
    group.add_argument("--min-sentence-chars", type=int, metavar="N",
                       help="shortest sentence removed as a repeat (default 8)")
    group.add_argument("--no-line-model", action="store_true",
                       help="rules only: do not judge lines by shape and context (the line model)")
    group.add_argument("--line-model-threshold", type=float, metavar="F",
                       help="chrome probability at which the line model removes a line; higher keeps more (default 0.9)")
    group.add_argument("--line-model-weights", type=Path, metavar="FILE",
                       help="line model weights (JSON written by scripts/train_line_model.py) instead of the shipped ones")
    group.add_argument("--doc-timeout", type=float, metavar="SECONDS",
                       help="skip a document one step spends longer than this on, as 'timeout' (default 600)")
    group.add_argument("--no-dedup-paragraphs", action="store_true", help="keep repeated paragraphs")
    group.add_argument("--no-dedup-sentences", action="store_true", help="keep repeated sentences")
    near = parser.add_argument_group("near-duplicate options")
    near.add_argument("--no-near", action="store_true", help="exact repeats only (no MinHash)")
    near.add_argument("--no-cross-document", action="store_true", help="deduplicate within each document only")
    near.add_argument("--shingle", choices=("char", "word"), help="character n-grams (default) or jieba word n-grams")
    near.add_argument("--ngram", type=int, metavar="N", help="shingle size (default 3)")
    near.add_argument("--num-perm", type=int, metavar="N", help="MinHash permutations (default 128)")
    near.add_argument("--bands", type=int, metavar="N", help="LSH bands; must divide --num-perm (default 32)")
    near.add_argument("--threshold", type=float, metavar="F", help="paragraph similarity threshold (default 0.6)")
    near.add_argument("--sentence-threshold", type=float, metavar="F", help="sentence similarity threshold (default 0.7)")
    near.add_argument("--min-near-chars", type=int, metavar="N",
                      help="shortest paragraph key matched near and across documents (default 30)")
    near.add_argument("--no-to-simplified", action="store_true",
                      help="keep traditional and simplified text apart in dedup keys (by default they match)")
    near.add_argument("--simplified-converter", choices=("table", "opencc"),
                      help="fold keys one character for one with the shipped table (default) or phrase by phrase "
                           "with OpenCC (needs the opencc extra)")
    near.add_argument("--document-share", type=float, metavar="F",
                      help="share of a document copied from others that drops it whole (default 0.8)")
    mining = parser.add_argument_group("mining options (folder runs)")
    mining.add_argument("--no-mine", action="store_true", help="do not mine repeated lines across a site's pages")
    mining.add_argument("--mine-min-docs", type=int, metavar="N", help="fewest pages a mined line needs (default 3)")
    mining.add_argument("--mine-min-share", type=float, metavar="F",
                        help="smallest share of a folder's pages a mined line needs (default 0.2)")


# On/off flags: flag attribute -> (config field, value when given).
_SWITCHES = {
    "no_dedup_paragraphs": ("dedup_paragraphs", False),
    "no_dedup_sentences": ("dedup_sentences", False),
    "no_mine": ("mine", False),
    "no_line_model": ("line_model", False),
    "no_near": ("near", False),
    "no_cross_document": ("cross_document", False),
    "no_to_simplified": ("to_simplified", False),
}


def _config_from(args: argparse.Namespace) -> Config:
    rules = RuleSet() if args.no_builtin_rules else RuleSet.builtin()
    for path in args.rules:
        rules = rules + RuleSet.from_file(path)
    overrides: dict[str, object] = {"rules": rules, "disable_rules": frozenset(args.disable_rule)}
    for name in ("encoding", "max_bytes", "head_lines", "tail_lines", "min_sentence_chars",
                 "mine_min_docs", "mine_min_share", "shingle", "ngram", "num_perm", "bands", "threshold",
                 "sentence_threshold", "min_near_chars", "document_share", "line_model_threshold",
                 "simplified_converter", "doc_timeout"):
        value = getattr(args, name)
        if value is not None:
            overrides[name] = value
    for flag, (name, value) in _SWITCHES.items():
        if getattr(args, flag):
            overrides[name] = value
    if args.line_model_weights is not None:
        overrides["line_model_weights"] = LineModel.from_file(args.line_model_weights)
    config = Config().replace(**overrides)
    resolve_rules(config.boilerplate)  # an unknown --disable-rule id fails here, before any work
    return config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="textclean",
        description="Clean scraped (Chinese-first) text: decode, strip boilerplate, drop repeats.",
    )
    parser.add_argument("--version", action="version", version=f"textclean {__version__} (pure-Python core)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    clean = sub.add_parser("clean", help="clean every .txt under IN into OUT (same relative paths)")
    clean.add_argument("input", type=Path, metavar="IN",
                       help="input folder, one .txt file, a JSONL(.gz) file, or - for JSONL on stdin (plain or gzip)")
    clean.add_argument("output", type=Path, metavar="OUT",
                       help="output folder (or file, for one input file), a .jsonl(.gz) file, or - for JSONL on stdout")
    clean.add_argument("--report", type=Path, metavar="FILE", help="write a JSON report of every removal")
    clean.add_argument("--report-html", type=Path, metavar="FILE",
                       help="write the report as one self-contained HTML page (charts, per-site table, sample files)")
    clean.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    clean.add_argument("--overwrite", action="store_true",
                       help="write into an OUT folder that holds files textclean did not write (they are left alone)")
    clean.add_argument("--follow-symlinks", action="store_true",
                       help="read .txt links that point outside IN (by default they are skipped as 'outside input')")
    clean.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                       help="worker processes for the per-document work (output is the same for any N)")
    clean.add_argument("--format", choices=("txt", "jsonl", "parquet"), default=None,
                       help="output a .txt tree (default for folders), one JSONL file (default for .jsonl input) "
                            "or a folder of Parquet files (default for .parquet input; --engine ray)")
    clean.add_argument("--text-field", default="text", metavar="NAME", help="JSONL: the field holding the text")
    clean.add_argument("--id-field", default="id", metavar="NAME", help="JSONL: the field holding the record id")
    clean.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="run here (default) or on Ray Data (needs the ray extra); the output is the same")
    clean.add_argument("--address", metavar="ADDR", default=None,
                       help="--engine ray: the Ray cluster to join (default: start a local Ray with --jobs CPUs)")
    clean.add_argument("--resume", action="store_true",
                       help="continue an interrupted run into the same OUT (same options); finished files are not redone")
    clean.add_argument("--max-memory", metavar="SIZE", default=None,
                       help="RAM for the duplicate index, e.g. 2G or 500M; beyond it the index spills to disk "
                            "under OUT (default: no limit)")
    _add_config_options(clean)

    explain = sub.add_parser("explain", help="show each line of one file as kept or removed, with the reason")
    explain.add_argument("file", type=Path, metavar="FILE")
    explain.add_argument("--corpus", type=Path, metavar="DIR",
                         help="mine DIR first (FILE inside it), as `textclean clean DIR OUT` would")
    _add_config_options(explain)

    mine = sub.add_parser("mine", help="list the lines and templates that repeat across each site folder's pages")
    mine.add_argument("input", type=Path, metavar="IN",
                      help="input folder (each sub-folder is a site) or JSONL(.gz) file (grouped by the folder part of ids)")
    mine.add_argument("--export", type=Path, metavar="FILE", help="also write them as a TOML rule pack for review")
    mine.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    mine.add_argument("--follow-symlinks", action="store_true", help="read .txt links that point outside IN")
    mine.add_argument("--text-field", default="text", metavar="NAME", help="JSONL: the field holding the text")
    mine.add_argument("--id-field", default="id", metavar="NAME", help="JSONL: the field holding the record id")
    _add_config_options(mine)

    report = sub.add_parser("report", help="turn a JSON report (clean --report) into one HTML page")
    report.add_argument("report", type=Path, metavar="REPORT", help="a JSON report written by clean --report")
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="the HTML page to write (default: REPORT with .html in place of .json)")

    rules = sub.add_parser("rules", help="list the boilerplate rules (with --check: run their examples)")
    rules.add_argument("--rules", action="append", type=Path, default=[], metavar="FILE", help="add a rule pack")
    rules.add_argument("--check", action="store_true", help="run every rule's examples; exit 1 on a failure")
    return parser


def _check_outputs(args: argparse.Namespace, src: Path) -> None:
    """Refuse, before any work, an output or report that would touch an input, a
    device or a FIFO, or a report that cannot be written."""
    if args.output.exists() and not (args.output.is_file() or args.output.is_dir()):
        raise _Usage(f"output {args.output} exists and is neither a regular file nor a folder; choose another path")
    for report in (args.report, args.report_html):
        if report is not None:
            _check_report_path(report, src)
    if args.report and args.report_html and args.report.resolve() == args.report_html.resolve():
        raise _Usage("--report and --report-html name the same file; give each its own")


def _check_report_path(report: Path, src: Path | None) -> None:
    target = report.resolve()
    if src is not None and (target == src.resolve() or (src.is_dir() and target.is_relative_to(src.resolve()))):
        raise _Usage(f"report {report} would be written inside the input {src}; inputs are never modified")
    if report.exists() and not report.is_file():
        raise _Usage(f"report {report} exists and is not a regular file; choose another path")
    parent = target.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise _Usage(f"cannot write the report in {parent}: the folder does not exist or is not writable")


def _cmd_clean(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: BinaryIO) -> int:
    with contextlib.ExitStack() as owned:  # the output's lock, released however the run ends
        stdout_path = _streams(args, owned, stdin)
        code = _clean(args, out, err, owned)
        if stdout_path is not None and stdout_path.exists():
            _send(stdout_path, out)
        return code


STDIO = Path("-")


def _streams(args: argparse.Namespace, owned: contextlib.ExitStack, stdin: BinaryIO) -> Path | None:
    """``-`` as IN or OUT: JSONL from stdin is spooled to a scratch file (both passes,
    mining and cleaning, read it; gzip is recognised by its magic bytes); JSONL for
    stdout is written to a scratch file and sent when the run ends. Returns that file."""
    stdin_in, stdout_out = args.input == STDIO, args.output == STDIO
    if not (stdin_in or stdout_out):
        return None
    if args.resume:
        raise _Usage("--resume needs files: a run from stdin or to stdout is not resumable")
    if stdout_out and args.format not in (None, "jsonl"):
        raise _Usage(f"OUT - writes JSONL to stdout; --format {args.format} needs a path")
    if stdin_in and hasattr(stdin, "isatty") and stdin.isatty():
        raise _Usage("IN - reads JSONL from stdin, which is a terminal; pipe records in: zcat x.jsonl.gz | textclean clean - -")
    scratch = Path(owned.enter_context(tempfile.TemporaryDirectory(prefix="textclean-")))
    args.shown = {"input": "-" if stdin_in else str(args.input), "output": "-" if stdout_out else str(args.output)}
    if stdin_in:
        args.input = scratch / "stdin.jsonl"  # ids of records without one: stdin.jsonl:N
        try:
            with open(args.input, "wb") as handle:
                shutil.copyfileobj(stdin, handle, 1 << 20)
        except OSError as exc:
            raise OutputError(f"cannot hold stdin in {scratch}: {exc.strerror or exc}") from exc
    if stdout_out:
        args.format = "jsonl"
        args.output = scratch / "stdout.jsonl"
        return args.output
    return None


def _send(path: Path, out: TextIO) -> None:
    """Copy a finished JSONL output to stdout (bytes as written, when ``out`` has a buffer)."""
    out.flush()
    buffer = getattr(out, "buffer", None)
    with open(path, "rb") as handle:
        if buffer is not None:
            shutil.copyfileobj(handle, buffer, 1 << 20)
            buffer.flush()
        else:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                out.write(chunk.decode("utf-8"))


def _own_output(
    args: argparse.Namespace, src: Path, owned: contextlib.ExitStack, *, tree: bool, unfinished: bool
) -> Manifest | None:
    """Lock the output for this run; for a tree, read its manifest (refusing a folder of
    files textclean did not write, unless --overwrite or resuming)."""
    if src.is_file() and not tree and not is_jsonl(args.output):
        return None  # one file in, one file out: written atomically, nothing to own
    if tree:
        owned.enter_context(OutputLock(args.output / LOCK_NAME, args.output))
        manifest = Manifest(args.output)
        manifest.check(overwrite=args.overwrite or args.resume or unfinished)
        return manifest
    owned.enter_context(OutputLock(args.output.with_name(args.output.name + LOCK_NAME), args.output))
    return None


def _finish_manifest(manifest: Manifest | None, written: set[str], err: TextIO, *, quiet: bool) -> None:
    if manifest is None:
        return
    removed = manifest.finish(written)
    if removed and not quiet:
        err.write(f"textclean: removed {removed} file(s) an earlier run wrote into {manifest.root} "
                  "that this run does not write\n")


def _written(entry: dict, prefix: str) -> set[str]:
    """The file (relative to the output tree whose shown path is ``prefix``, as the
    report shows it) that a report ``entry`` wrote, if any."""
    output = entry.get("output")
    return {output[len(prefix):]} if isinstance(output, str) and output.startswith(prefix) else set()


def _tree_prefix(root: Path) -> str:
    """What a report's ``output`` paths under ``root`` start with (resolved once per run)."""
    return shown(str(root.resolve())) + "/"


def _clean(args: argparse.Namespace, out: TextIO, err: TextIO, owned: contextlib.ExitStack) -> int:
    config = _config_from(args)
    if args.jobs < 1:
        raise _Usage(f"--jobs must be at least 1, got {args.jobs}")
    max_memory = _parse_size(args.max_memory) if args.max_memory is not None else None
    src: Path = args.input
    if not src.exists():
        raise _Usage(f"input {src} does not exist")
    if not (src.is_file() or src.is_dir()):
        raise _Usage(f"input {src} is neither a regular file nor a folder (a FIFO, socket or device is not read)")
    if src.is_file() and args.output.resolve() == src.resolve():
        raise _Usage("output file is the input file; inputs are never modified")
    _check_outputs(args, src)
    parquet_in = src.is_file() and src.name.lower().endswith(".parquet")
    if parquet_in or args.format == "parquet":
        if args.engine != "ray":
            raise _Usage("Parquet input and output run on --engine ray (pip install 'textclean[ray]')")
        if args.resume:
            raise _Usage("--resume works with --engine local; a Ray run is restarted whole")
        return _clean_ray(args, config, src, list_text_files(src) if src.is_dir() else [], False,
                          False, config.mining.mine, err, parquet_in=parquet_in,
                          parquet_out=args.format == "parquet" or (args.format is None and parquet_in))
    jsonl_in = src.is_file() and is_jsonl(src)
    jsonl_out = args.format == "jsonl" or (args.format is None and (is_jsonl(args.output) or jsonl_in))
    files: list[Path] = []
    if jsonl_in:
        total, mine_ok = count_records(src), True
        inputs = inputs_hash([src], src.parent)
    elif src.is_file():
        files = [src]
        total, mine_ok = 1, False
        inputs = ""
    else:
        if not jsonl_out:
            check_output_dir(src, args.output)
        elif args.output.resolve().is_relative_to(src.resolve()):
            raise _Usage(f"output {args.output} is inside the input folder {src}; choose a path outside it")
        files = list_text_files(src)
        total, mine_ok = len(files), True
        inputs = inputs_hash(files, src)
        if not files:
            err.write(f"textclean: no .txt files under {src}\n")

    def documents(skip: int = 0) -> Iterable[Document]:
        if jsonl_in:
            return itertools.islice(read_jsonl(src, text_field=args.text_field, id_field=args.id_field), skip, None)
        root = src.parent if src.is_file() else src
        # a file named on the command line is read wherever its link points
        follow = args.follow_symlinks or src.is_file()
        return read_folder(root, max_bytes=config.decode.max_bytes, files=files[skip:], follow_symlinks=follow)

    # A corpus run (a folder or a JSONL file) keeps a journal so it can be resumed.
    state_path: Path | None = None
    if jsonl_out:
        if args.output.is_dir():
            raise _Usage(f"output {args.output} is a folder; JSONL output needs a file path such as out.jsonl")
        state_path = state_dir(args.output, tree=False)
    elif jsonl_in:
        if args.output.exists() and not args.output.is_dir():
            raise _Usage(f"output {args.output} is a file; --format txt needs a folder")
        state_path = state_dir(args.output, tree=True)
    elif src.is_dir():
        state_path = state_dir(args.output, tree=True)
    elif args.resume:
        raise _Usage("--resume is for folder and JSONL runs; one file is simply cleaned again")
    options = options_of(config, input=str(src.resolve()), inputs=inputs, format="jsonl" if jsonl_out else "txt",
                         text_field=args.text_field, id_field=args.id_field)
    tree_out = not jsonl_out and (src.is_dir() or jsonl_in)
    # an unfinished run in OUT is the state check's to report (below), not the manifest's
    unfinished = state_path is not None and state_path.exists()
    manifest = _own_output(args, src, owned, tree=tree_out, unfinished=unfinished)
    written: set[str] = set()  # what this run writes into a tree (for the manifest)
    prefix = _tree_prefix(args.output)
    if args.engine == "ray":
        if args.resume:
            raise _Usage("--resume works with --engine local; a Ray run is restarted whole")
        if state_path is not None and state_path.exists():
            raise _Usage(f"{args.output} holds an unfinished local run ({state_path}); finish it with --resume "
                         "or delete it")
        mine = config.mining.mine and mine_ok and total >= config.mining.mine_min_docs
        return _clean_ray(args, config, src, files, jsonl_in, jsonl_out, mine, err, manifest=manifest)
    if args.address:
        raise _Usage("--address is for --engine ray")
    state: RunState | None = None
    if state_path is not None:
        if state_path.exists() and not args.resume:
            raise _Usage(f"{args.output} holds an unfinished run ({state_path}); continue it with --resume, "
                         "or delete it to start again")
        if state_path.exists():
            state = RunState.resume(state_path, options)
            # A kill between creating a file's temporary copy and renaming it leaves the copy.
            if jsonl_out:
                remove_temporaries(args.output.parent, recursive=False, prefix=f".{args.output.name}.")
            else:
                remove_temporaries(args.output)
        else:
            if args.resume and not args.quiet:
                err.write(f"textclean: no unfinished run in {args.output}; starting from the beginning\n")
            try:
                state = RunState.start(state_path, options)
            except OSError as exc:
                raise OutputError(f"cannot write to {args.output}: {exc.strerror or exc}") from exc

    report = Report(keep_files=state is None, run=_run_info(args, jsonl_in=jsonl_in, jsonl_out=jsonl_out))
    corpus = CorpusDedup(config.dedup, record_changes=state is not None,
                         memory_limit=max_memory if state is not None else None,
                         spill_dir=state.path / "index" if state is not None else None)
    done, offset = 0, 0
    if state is not None:
        for record in state.records():  # replay what the interrupted run finished
            report.add_entry(record["entry"])
            if record["change"] is not None:
                corpus.restore(record["change"])
            if record["offset"] is not None:
                offset = record["offset"]
            if manifest is not None:
                written |= _written(record["entry"], prefix)
            done += 1
        if done and not args.quiet:
            err.write(f"textclean: resuming after {done} of {total} {'records' if jsonl_in else 'files'}\n")

    # One set of worker processes for both passes (mining, cleaning).
    with WorkerPool(args.jobs) if args.jobs > 1 else contextlib.nullcontext() as pool:
        mined = None
        if config.mining.mine and mine_ok and total >= config.mining.mine_min_docs:
            saved = state.load("mined") if state is not None else None
            if saved is not None:
                mined, report.mined = saved
            else:
                mined, candidates = _mine(documents(), total, config, err, quiet=args.quiet, pool=pool)
                report.add_mined(candidates)
                if state is not None:
                    state.save("mined", (mined, report.mined))

        if jsonl_out:
            assert state is not None
            if done and offset and not state.partial.exists():
                raise ResumeError(f"the partial output {state.partial} is gone; delete {state.path} and start again")
            writer: Step = WriteJsonl(args.output, text_field=args.text_field, partial=state.partial, resume_at=offset)
        elif jsonl_in:  # records to a .txt tree, one file per record id
            writer = WriteTree(args.output, suffix=".txt")
        elif src.is_file():
            writer = WriteTree(args.output.parent, rename=args.output.name)
        else:
            writer = WriteTree(args.output)
        pipeline = Pipeline.default(config, errors="skip", mined=mined, corpus_dedup=corpus).then(writer)
        progress = Progress(total, err, enabled=not args.quiet, label="cleaning" if mined is not None else "",
                            unit="records" if jsonl_in else "files")
        progress.done = done
        finished = False
        try:
            # Everything done before: the writer still runs its last step (moving the
            # JSONL output into place), which the interrupted run may not have finished.
            stream = pipeline.run(documents(done), pool=pool) if done < total else writer.run(iter(()))
            for doc in stream:
                entry = report.entry(doc)
                report.add_entry(entry)
                if manifest is not None:
                    written |= _written(entry, prefix)
                if state is not None:
                    try:
                        state.append({"entry": entry, "change": doc.meta.get("index_change"),
                                      "offset": doc.meta.get("offset")})
                    except OSError as exc:
                        raise OutputError(f"cannot write the run journal in {state.path}: {exc.strerror or exc}") from exc
                progress.update(doc.bytes_in or doc.chars_in * 3)
                if doc.skipped and doc.skipped not in DROPPED:
                    detail = f" ({doc.detail})" if doc.detail else ""
                    err.write(f"textclean: skipped {doc.id}: {doc.skipped}{detail}\n")
                for warning in doc.warnings:
                    err.write(f"textclean: warning: {doc.id}: {warning}\n")
            finished = True
        except BaseException:
            if state is not None:
                state.close()
                err.write("textclean: the run stopped; what was finished is kept: rerun the same command with --resume "
                          "to continue\n")
            raise
        finally:
            progress.close()
    _write_reports(args, report, (lambda: (r["entry"] for r in state.records())) if state is not None else None)
    _finish_manifest(manifest, written, err, quiet=args.quiet)
    if state is not None and finished:
        state.finish()
    if not args.quiet:
        unit = "records" if jsonl_in else "files"
        err.write(f"textclean: {report.summary_line(unit)}\n")
    failed = sum(n for reason, n in report.skipped.items() if reason not in DROPPED)
    return EXIT_SKIPPED if failed else EXIT_OK


def _clean_ray(args: argparse.Namespace, config: Config, src: Path, files: list[Path], jsonl_in: bool,
               jsonl_out: bool, mine: bool, err: TextIO, *, parquet_in: bool = False, parquet_out: bool = False,
               manifest: Manifest | None = None) -> int:
    """``clean --engine ray``: the same run on Ray Data (see :mod:`textclean.ray_engine`)."""
    import pickle

    from . import ray_engine

    ray = ray_engine.require_ray()
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=args.address, num_cpus=None if args.address else args.jobs,
                 include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        if parquet_out and args.output.exists() and (args.output.is_file() or any(args.output.iterdir())):
            raise _Usage(f"Parquet output {args.output} must be a new or empty folder")
        if parquet_in:
            dataset = ray_engine.dataset_of_parquet(src, text_field=args.text_field, id_field=args.id_field)
            writer: Any = None if (jsonl_out or parquet_out) else WriteTree(args.output, suffix=".txt")
        elif jsonl_in:
            dataset = ray_engine.dataset_of_jsonl(src, text_field=args.text_field, id_field=args.id_field)
            writer = None if jsonl_out else WriteTree(args.output, suffix=".txt")
        else:
            root = src.parent if src.is_file() else src
            dataset = ray_engine.dataset_of_folder(files, root, follow_symlinks=args.follow_symlinks or src.is_file())
            writer = None if (jsonl_out or parquet_out) else (
                WriteTree(args.output.parent, rename=args.output.name) if src.is_file() else WriteTree(args.output))
        run = ray_engine.RayRun()
        written: set[str] = set()
        prefix = _tree_prefix(args.output)
        finished = ray_engine.clean_dataset(dataset, config=config, mine=mine, writer=writer, run=run)
        report = Report(keep_files=bool(args.report or args.report_html),
                        run=_run_info(args, jsonl_in=jsonl_in or parquet_in, jsonl_out=jsonl_out, parquet_out=parquet_out))
        report.add_mined(run.candidates)

        def documents() -> Iterator[Document]:
            for row in finished.sort("order").iter_rows():
                doc = pickle.loads(row["doc"])
                entry = pickle.loads(row["entry"])
                report.add_entry(entry)
                if manifest is not None:
                    written.update(_written(entry, prefix))
                if doc.skipped and doc.skipped not in DROPPED:
                    detail = f" ({doc.detail})" if doc.detail else ""
                    err.write(f"textclean: skipped {doc.id}: {doc.skipped}{detail}\n")
                yield doc

        if parquet_out:
            ray_engine.write_parquet(finished, args.output, text_field=args.text_field)
        stream: Iterable[Document] = documents()
        partial = args.output.with_name(f".{args.output.name}.partial")
        if jsonl_out:
            stream = WriteJsonl(args.output, text_field=args.text_field, partial=partial).run(stream)
        for _ in stream:
            pass
        if jsonl_out:
            partial.unlink(missing_ok=True)  # a Ray run is not resumed: its partial lines are not kept
        _finish_manifest(manifest, written, err, quiet=args.quiet)
    finally:
        if started_here:
            ray.shutdown()
    _write_reports(args, report, None)
    if not args.quiet:
        err.write(f"textclean: {report.summary_line('records' if jsonl_in else 'files')}\n")
        stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.seconds.items())
        err.write(f"textclean: ray: {stages}; {run.colliding_paragraphs} colliding paragraphs\n")
    failed = sum(n for reason, n in report.skipped.items() if reason not in DROPPED)
    return EXIT_SKIPPED if failed else EXIT_OK


def _run_info(args: argparse.Namespace, *, jsonl_in: bool, jsonl_out: bool, parquet_out: bool = False) -> dict:
    """What the report says of the run: where from, where to, in which form."""
    shown_paths = getattr(args, "shown", None) or {"input": str(args.input), "output": str(args.output)}
    info = {"input": shown(shown_paths["input"]), "output": shown(shown_paths["output"]),
            "format": "parquet" if parquet_out else "jsonl" if jsonl_out else "txt",
            "input_format": "records" if jsonl_in else "files"}
    if jsonl_in or jsonl_out:
        info.update(text_field=args.text_field, id_field=args.id_field)
    return info


def _write_reports(args: argparse.Namespace, report: Report, entries: Any) -> None:
    """The JSON and HTML reports; ``entries`` gives a fresh stream of the file
    entries when the report did not keep them (a journalled run)."""
    if args.report:
        report.write(args.report, files=entries() if entries else None)
    if args.report_html:
        output = args.output if getattr(args, "shown", {}).get("output") == "-" else None
        report.write_html(args.report_html, files=entries() if entries else None, output=output)


def _parse_size(text: str) -> int:
    """``2G``, ``500M``, ``64k`` or a byte count -> bytes."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (value[:-1], value[-1]) if value and value[-1] in units else (value, "")
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise _Usage(f"--max-memory {text!r} is not a size; write it like 2G, 500M or 1500000000") from None
    if size < 16 << 20:
        raise _Usage(f"--max-memory {text!r} is below 16M; give the index at least 16M")
    return size


def _mine(
    documents: Iterable[Document], total: int, config: Config, err: TextIO, *, quiet: bool,
    pool: WorkerPool | None = None,
) -> tuple[MinedRules, list]:
    """The corpus pass: count every document's lines, return the mined rules and their evidence."""
    progress = Progress(total, err, enabled=not quiet, label="mining")

    def counted() -> Iterator[Document]:
        for doc in documents:
            progress.update(doc.bytes_in or doc.chars_in * 3)
            yield doc

    miner = mine_documents(counted(), config, pool=pool)
    progress.close()
    base = resolve_rules(config.boilerplate)
    candidates = miner.candidates(base)
    return miner.result(base), candidates


def _cmd_mine(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = _config_from(args)
    root: Path = args.input
    if root.is_file() and is_jsonl(root):
        total = count_records(root)
        documents: Iterable[Document] = read_jsonl(root, text_field=args.text_field, id_field=args.id_field)
        unit = "records"
    elif root.is_dir():
        files = list_text_files(root)
        total = len(files)
        documents = read_folder(root, max_bytes=config.decode.max_bytes, files=files,
                                follow_symlinks=args.follow_symlinks)
        unit = "files"
    else:
        raise _Usage(f"{root} is neither a folder nor a JSONL file; mining needs a folder of pages or JSONL records")
    mined, candidates = _mine(documents, total, config, err, quiet=args.quiet)
    group = None
    for candidate in candidates:
        if candidate.group != group:
            group = candidate.group
            out.write(f"{group or '.'}/  ({candidate.group_docs} pages)\n")
        out.write(
            f"  {candidate.docs:>5}/{candidate.group_docs:<5} edges {candidate.edge_share:4.2f}  "
            f"{candidate.kind:<8}  {candidate.display}\n"
        )
    out.write(f"{len(candidates)} lines and templates mined from {total} {unit}\n")
    if args.export:
        write_atomic(args.export, mined.to_toml().encode("utf-8"))
        out.write(f"rule pack written to {args.export}; review it, then use it with --rules\n")
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = _config_from(args)
    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    doc_id, mined = path.name, None
    if args.corpus is not None:
        try:
            doc_id = path.resolve().relative_to(args.corpus.resolve()).as_posix()
        except ValueError:
            raise _Usage(f"{path} is not inside --corpus {args.corpus}") from None
        corpus_files = list_text_files(args.corpus)
        mined, _ = _mine(read_folder(args.corpus, max_bytes=config.decode.max_bytes, files=corpus_files),
                         len(corpus_files), config, err, quiet=True)
    decoded = decode_document(Document(id=doc_id, source=str(path), data=data), config)
    if decoded.skipped:
        out.write(f"{path}: skipped: {decoded.skipped}" + (f" ({decoded.detail})" if decoded.detail else "") + "\n")
        return EXIT_SKIPPED
    pipeline = Pipeline.default(config, errors="skip", mined=mined)
    doc = None
    if args.corpus is not None:
        # as `textclean clean CORPUS OUT` cleans it: after every earlier page, whose
        # paragraphs it may repeat (cross-document dedup), in the run's order
        for cleaned in pipeline.run(read_folder(args.corpus, max_bytes=config.decode.max_bytes, files=corpus_files)):
            if cleaned.id == doc_id:
                doc = cleaned
                break
    if doc is None:
        doc = next(pipeline.run([decoded]))
    out.write(f"{path}: encoding {decoded.encoding} (confidence {decoded.confidence})\n")
    removed: dict[int, list] = defaultdict(list)
    for removal in doc.trace:
        removed[removal.line].append(removal)
    kept_numbers = set(doc.origin or ())
    raw_lines = split_lines(decoded.text or "")
    width = len(str(len(raw_lines)))
    counts = {"kept": 0, "removed": 0, "changed": 0}
    for number, raw in enumerate(raw_lines, 1):
        text = normalize_line(raw)
        if not text:
            continue
        entries = removed.get(number, [])
        if number in kept_numbers:
            mark = "~" if entries else "+"
            counts["changed" if entries else "kept"] += 1
        else:
            mark = "-"
            counts["removed"] += 1
        out.write(f"{number:>{width}} {mark} {text}\n")
        for entry in entries:
            what = "" if entry.kind == "line" else f" {entry.kind} {entry.text!r}"
            out.write(f"{'':>{width}}   └ removed{what}: {entry.reason}\n")
        if mark == "-" and not entries:
            out.write(f"{'':>{width}}   └ removed: every sentence repeats an earlier one\n")
    if doc.skipped:
        out.write(f"{path}: nothing left ({doc.skipped}" + (f": {doc.detail}" if doc.detail else "") + ")\n")
    out.write(f"{counts['kept']} kept, {counts['changed']} kept with parts removed, {counts['removed']} removed\n")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .report_html import html_of, read_report

    source: Path = args.report
    target: Path = args.output or source.with_suffix(".html")
    if target.resolve() == source.resolve():
        raise _Usage(f"the HTML page would replace the report {source}; give another path with -o")
    _check_report_path(target, None)
    head, entries = read_report(source)
    write_atomic(target, html_of(head, entries).encode("utf-8"))
    err.write(f"textclean: wrote {target}\n")
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rules = RuleSet.builtin()
    for path in args.rules:
        rules = rules + RuleSet.from_file(path)
    for rule in rules:
        out.write(f"{rule.id:<32} {rule.category:<11} {rule.scope:<5} {rule.zone:<6} {rule.description}\n")
    if args.check:
        failures = rules.failures()
        for failure in failures:
            err.write(f"textclean: {failure}\n")
        out.write(f"{len(rules)} rules, {len(failures)} example failures\n")
        return EXIT_SKIPPED if failures else EXIT_OK
    return EXIT_OK


class _Usage(Exception):
    pass


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a job scheduler stopping the run, ``kill``) stops it the way Ctrl-C
    does: cleanly, journal kept, resumable. Only in the main thread, and the
    previous handler is put back (tests call :func:`main` in-process)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None,
         stdin: BinaryIO | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    out = stdout or sys.stdout
    source = stdin if stdin is not None else sys.stdin.buffer
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return int(exc.code or 0) and EXIT_USAGE
    logging.basicConfig(level=logging.WARNING, format="textclean: %(levelname)s: %(message)s", stream=err)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    commands = {"clean": functools.partial(_cmd_clean, stdin=source), "explain": _cmd_explain, "mine": _cmd_mine,
                "report": _cmd_report, "rules": _cmd_rules}
    try:
        with _terminate_as_interrupt():
            return commands[args.command](args, out, err)
    except (_Usage, TextcleanError) as exc:
        err.write(f"textclean: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("textclean: interrupted; files written so far are complete\n")
        return 130
    except BrokenPipeError:  # `textclean explain … | head`: the reader left, nothing is wrong
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter from complaining at exit
        except OSError:
            pass
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
