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
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import BinaryIO, Iterator, NoReturn, Sequence, TextIO

from . import __version__
from .boilerplate import RuleSet, resolve_rules
from .config import Config, MiB
from .corpus import DROPPED, Listener, check_report_path, clean_corpus, mine_corpus
from .document import Document
from .engines import AUTO_MAX_JOBS, AUTO_MIN_BYTES
from .errors import OutputError, TextcleanError
from .explain import explain
from .io import (
    is_jsonl,
    write_atomic,
)
from .line_model import LineModel
from .sources import source_of

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2


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


class _Version(argparse.Action):
    """``--version``: the version and whether the compiled core is active (asked only then)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from .native import describe

        sys.stdout.write(f"textclean {__version__} ({describe()})\n")
        parser.exit()


def _input_path(text: str) -> Path | str:
    """A path, or a URI (``s3://…``) kept as written."""
    return text if "://" in text else Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="textclean",
        description="Clean scraped (Chinese-first) text: decode, strip boilerplate, drop repeats.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and which core runs, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    clean = sub.add_parser("clean", help="clean every .txt under IN into OUT (same relative paths)")
    clean.add_argument("input", type=_input_path, metavar="IN",
                       help="input folder, one .txt file, a JSONL(.gz) file, Parquet (a file, a folder, or a URI "
                            "such as s3://bucket/prefix), or - for JSONL on stdin (plain or gzip)")
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
    clean.add_argument("--jobs", "-j", type=_jobs, default="auto", metavar="N",
                       help="worker processes for the per-document work; 'auto' (default): one per CPU, at most "
                            f"{AUTO_MAX_JOBS}, and one for inputs under {AUTO_MIN_BYTES >> 20} MB. "
                            "The output is the same for any N")
    clean.add_argument("--format", choices=("txt", "jsonl", "parquet"), default=None,
                       help="output a .txt tree (default for folders), one JSONL file (default for .jsonl input) "
                            "or a folder of Parquet files (default for Parquet input)")
    clean.add_argument("--text-field", default="text", metavar="NAME",
                       help="JSONL and Parquet: the field (column) holding the text")
    clean.add_argument("--id-field", default="id", metavar="NAME",
                       help="JSONL and Parquet: the field holding each record's id (it names the record in "
                            "reports and, with --format txt, its file; its folder part groups records into sites "
                            "for mining); a record without one is named by its position")
    clean.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="run here (default) or on Ray Data (needs the ray extra); the output is the same")
    clean.add_argument("--address", metavar="ADDR", default=None,
                       help="--engine ray: the Ray cluster to join (default: start a local Ray with --jobs CPUs)")
    clean.add_argument("--resume", action="store_true",
                       help="continue an interrupted run into the same OUT (same options); finished files are not redone")
    clean.add_argument("--index", type=Path, metavar="DIR", default=None,
                       help="keep the corpus duplicate index in DIR between runs: what an earlier run with the same "
                            "DIR kept counts as earlier, so a re-crawl keeps only what is new")
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


def _cmd_clean(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: BinaryIO) -> int:
    config = _config_from(args)
    max_memory = _parse_size(args.max_memory) if args.max_memory is not None else None
    printer = _Printer(err, quiet=args.quiet)
    with contextlib.ExitStack() as owned:
        stdout_path = _streams(args, owned, stdin)
        shown_paths = getattr(args, "shown", {})
        summary = clean_corpus(
            args.input, args.output, config=config, engine=args.engine, jobs=args.jobs, address=args.address,
            resume=args.resume, index=args.index, report=args.report, report_html=args.report_html,
            overwrite=args.overwrite, max_memory=max_memory, listener=printer, format=args.format,
            text_field=args.text_field, id_field=args.id_field, follow_symlinks=args.follow_symlinks,
            shown_input=shown_paths.get("input"), shown_output=shown_paths.get("output"),
        )
        if stdout_path is not None and stdout_path.exists():
            _send(stdout_path, out)
    if not args.quiet:
        how = f"{summary.jobs} Ray CPUs" if args.engine == "ray" and args.address is None else (
            "on Ray" if args.engine == "ray" else "1 process" if summary.jobs == 1 else f"{summary.jobs} worker processes")
        err.write(f"textclean: {summary.line()}; {summary.seconds:.1f} s, {how}\n")
    return EXIT_SKIPPED if summary.failed else EXIT_OK


def _jobs(value: str) -> int | str:
    """``--jobs``: a whole number >= 1, or ``auto``."""
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1 or 'auto', got {value!r}")
    return number


class _Printer(Listener):
    """A run's progress bar, skips and messages, on stderr."""

    document_trace = False  # document() prints skips and warnings

    def __init__(self, err: TextIO, *, quiet: bool) -> None:
        self.err = err
        self.quiet = quiet
        self.progress: Progress | None = None

    def phase(self, name: str, total: int, done: int, unit: str) -> None:
        self.progress = Progress(total, self.err, enabled=not self.quiet, label=name, unit=unit)
        self.progress.done = done

    def advance(self, nbytes: int) -> None:
        if self.progress is not None:
            self.progress.update(nbytes)

    def phase_done(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def document(self, doc: Document) -> None:
        if doc.skipped and doc.skipped not in DROPPED:
            detail = f" ({doc.detail})" if doc.detail else ""
            self.err.write(f"textclean: skipped {doc.id}: {doc.skipped}{detail}\n")
        for warning in doc.warnings:
            self.err.write(f"textclean: warning: {doc.id}: {warning}\n")

    def message(self, text: str) -> None:
        if not self.quiet:
            self.err.write(f"textclean: {text}\n")

    def warning(self, text: str) -> None:
        self.err.write(f"textclean: {text}\n")


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


def _cmd_mine(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = _config_from(args)
    root: Path = args.input
    if not (root.is_dir() or (root.is_file() and is_jsonl(root))):
        raise _Usage(f"{root} is neither a folder nor a JSONL file; mining needs a folder of pages or JSONL records")
    source = source_of(root, text_field=args.text_field, id_field=args.id_field, follow_symlinks=args.follow_symlinks)
    mined, candidates = mine_corpus(source, config=config, listener=_Printer(err, quiet=args.quiet))
    group = None
    for candidate in candidates:
        if candidate.group != group:
            group = candidate.group
            out.write(f"{group or '.'}/  ({candidate.group_docs} pages)\n")
        out.write(
            f"  {candidate.docs:>5}/{candidate.group_docs:<5} edges {candidate.edge_share:4.2f}  "
            f"{candidate.kind:<8}  {candidate.display}\n"
        )
    out.write(f"{len(candidates)} lines and templates mined from {source.count()} {source.unit}\n")
    if args.export:
        write_atomic(args.export, mined.to_toml().encode("utf-8"))
        out.write(f"rule pack written to {args.export}; review it, then use it with --rules\n")
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    explanation = explain(args.file, config=_config_from(args), corpus=args.corpus)
    out.write(explanation.render())
    return EXIT_SKIPPED if explanation.decoded.skipped else EXIT_OK


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .report_html import html_of, read_report

    source: Path = args.report
    target: Path = args.output or source.with_suffix(".html")
    if target.resolve() == source.resolve():
        raise _Usage(f"the HTML page would replace the report {source}; give another path with -o")
    check_report_path(target)
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


def console() -> NoReturn:
    """The ``textclean`` command: :func:`main`, then exit with its code. Once the work
    is done a Ctrl-C is ignored: while the interpreter shuts down Python has put
    SIGINT's default action back, and a late Ctrl-C killed a finished run, turning
    its exit status into -2 (~1 in 15 Ctrl-Cs sent at random times to a 2 s run)."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
