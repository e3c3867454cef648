"""A corpus run as a library call: :func:`clean_corpus`.

The run owns everything between a source and a sink: the checks made before any
work, the lock on the output, planning (mine or not, decided once), the mining
pass, the cleaning pass with the corpus duplicate index, the journal that makes
it resumable, the persistent index of an incremental run, the reports, and the
summary. Engines (:mod:`textclean.engines`) only run the passes; the CLI only
parses arguments, prints and exits.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "in").mkdir(), (folder / "in" / "a.txt").write_text("标题\\n正文。", encoding="utf-8")
>>> summary = clean_corpus(folder / "in", folder / "out")
>>> summary.written, (folder / "out" / "a.txt").read_text(encoding="utf-8")
(1, '标题\\n正文。\\n')
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .config import Config
from .document import Document, shown
from .errors import ConfigError, OutputError
from .report import Report, plain_entry
from .sinks import Sink, sink_of
from .sources import Source, source_of

__all__ = ["clean_corpus", "mine_corpus", "RunSummary", "Listener", "DROPPED"]

# Outcomes of cleaning rather than failures: counted in the summary and the report,
# not reasons for a failed run.
DROPPED = frozenset({"duplicate"})


class Listener:
    """What a run tells its caller as it goes (the CLI draws a progress bar and
    prints skips; a job may log). Every method does nothing by default.

    ``document_trace``: whether :meth:`document` reads a document's ``trace`` (its
    removals). A listener that says no gets documents whose trace is empty — and, for
    records, whose ``record`` is None (the output line holds it) — from a run whose
    worker processes keep their pages (a folder, JSONL or Parquet into a tree, a JSONL
    file or Parquet, ``jobs`` > 1): the parent then receives only the report's items, made
    in the workers, and not each removal again (~2.5 µs each; ~0.15 s per 10 MB of
    real pages, the parent's serial time). The report is the same either way.
    """

    document_trace: bool = True

    def phase(self, name: str, total: int, done: int, unit: str) -> None:
        """A pass starts: ``name`` is ``"mining"`` or ``"cleaning"``; ``done`` of
        ``total`` documents are already finished (a resumed run)."""

    def advance(self, nbytes: int) -> None:
        """One more document of the current pass is done."""

    def phase_done(self) -> None:
        """The current pass has ended."""

    def document(self, doc: Document) -> None:
        """A finished document (written, dropped or skipped with its reason; its
        ``trace`` may be empty: see ``document_trace``)."""

    def message(self, text: str) -> None:
        """Something the user may want to know (resuming, stale files removed, ...)."""

    def warning(self, text: str) -> None:
        """Something the user must know (nothing to read, the run stopped)."""


@dataclass(frozen=True)
class RunSummary:
    """What a corpus run did. ``failed`` counts documents skipped for a reason
    other than being a duplicate (unreadable, binary, invalid record, ...)."""

    unit: str
    documents: int
    written: int
    skipped: dict[str, int]
    encodings: dict[str, int]
    chars_in: int
    chars_out: int
    mined: int
    engine: str
    seconds: float
    report: Report = field(repr=False, compare=False)
    jobs: int = 1  # the worker processes (or Ray CPUs) the run used

    @property
    def failed(self) -> int:
        return sum(n for reason, n in self.skipped.items() if reason not in DROPPED)

    def line(self) -> str:
        """One line for the end of a run."""
        return self.report.summary_line(self.unit)


@dataclass
class _Plan:
    """What a run decided before any work."""

    source: Source
    sink: Sink
    config: Config
    total: int
    mine: bool
    options: dict[str, str]
    state_path: Path | None


def _check_report_path(report: Path, source: Source | None) -> None:
    target = Path(report).resolve()
    if source is not None:
        src = source.path.resolve()
        if target == src or (source.path.is_dir() and target.is_relative_to(src)):
            raise OutputError(f"report {report} would be written inside the input {source.path}; "
                              "inputs are never modified")
    if Path(report).exists() and not Path(report).is_file():
        raise OutputError(f"report {report} exists and is not a regular file; choose another path")
    parent = target.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write the report in {parent}: the folder does not exist or is not writable")


def check_report_path(report: Path) -> None:
    """Refuse a report path that cannot be written (for ``textclean report``)."""
    _check_report_path(report, None)


def _plan(source: Source, sink: Sink, config: Config, *, resume: bool, engine: str,
          reports: list[Path]) -> _Plan:
    from .resume import options_of

    if sink.target.exists() and not (sink.target.is_file() or sink.target.is_dir()):
        raise OutputError(f"output {sink.target} exists and is neither a regular file nor a folder; "
                          "choose another path")
    for report in reports:
        _check_report_path(report, source)
    if len(reports) == 2 and reports[0].resolve() == reports[1].resolve():
        raise ConfigError("the JSON and the HTML report name the same file; give each its own")
    sink.check(source)
    if engine not in ("local", "ray"):
        raise ConfigError(f"engine must be 'local' or 'ray', got {engine!r}")
    state_path = sink.state_path() if source.resumable else None
    if resume and not source.resumable:
        raise ConfigError("--resume is for folder and JSONL runs; one file is simply cleaned again")
    if resume and state_path is None:
        raise ConfigError(f"a run writing {sink.format} is not resumable; run it again without --resume")
    if resume and engine == "ray":
        raise ConfigError("--resume works with --engine local; a Ray run is restarted whole")
    total = source.count()
    mine = config.mining.mine and source.minable and total >= config.mining.mine_min_docs
    fields = _fields(source, sink)
    options = options_of(config, input=str(source.path.resolve()), inputs=source.fingerprint(),
                         format=sink.format, **fields)
    return _Plan(source, sink, config, total, mine, options, state_path)


def _fields(source: Source, sink: Sink) -> dict[str, str]:
    """The record fields a run reads and writes (sources and sinks of pages have none: the defaults)."""
    return {"text_field": getattr(source, "text_field", getattr(sink, "text_field", "text")),
            "id_field": getattr(source, "id_field", "id")}


def _run_info(plan: _Plan, shown_input: str | None, shown_output: str | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "input": shown(shown_input if shown_input is not None else str(plan.source.path)),
        "output": shown(shown_output if shown_output is not None else str(plan.sink.target)),
        "format": plan.sink.format,
        "input_format": plan.source.unit,
    }
    if plan.source.unit == "records" or plan.sink.format != "txt":
        info.update(_fields(plan.source, plan.sink))
    return info


def _written_by(entry: dict[str, Any], prefix: str) -> str | None:
    """The file (relative to the tree whose shown path is ``prefix``) an entry wrote."""
    output = entry.get("output")
    return output[len(prefix):] if isinstance(output, str) and output.startswith(prefix) else None


def clean_corpus(
    source: Source | Path | str,
    sink: Sink | Path | str,
    *,
    config: Config | None = None,
    engine: str = "local",
    jobs: int | str = 1,
    address: str | None = None,
    resume: bool = False,
    index: Path | str | None = None,
    report: Path | str | None = None,
    report_html: Path | str | None = None,
    overwrite: bool = False,
    max_memory: int | None = None,
    listener: Listener | None = None,
    format: str | None = None,
    text_field: str = "text",
    id_field: str = "id",
    follow_symlinks: bool = False,
    shown_input: str | None = None,
    shown_output: str | None = None,
) -> RunSummary:
    """Clean a corpus from ``source`` into ``sink``; the library form of ``textclean clean``.

    ``source`` is a :class:`~textclean.sources.Source` or a path (a folder of
    ``.txt`` pages, one page, a JSONL(.gz) file, Parquet); ``sink`` a
    :class:`~textclean.sinks.Sink` or a path (a tree, a ``.jsonl(.gz)`` file, a
    Parquet folder; ``format`` chooses when the path does not say). ``engine`` is
    ``"local"`` (``jobs`` worker processes; ``"auto"``: see
    :func:`~textclean.engines.resolve_jobs`; the workers import the calling script
    again, so a script calls this under ``if __name__ == "__main__":``) or ``"ray"``
    (``address`` of a cluster); the output is the same. ``resume`` continues an interrupted run into the same
    sink. ``index`` is a folder that keeps the corpus duplicate index between runs:
    everything in it counts as earlier than this run's documents (an incremental
    re-crawl). ``report`` and ``report_html`` are written at the end.
    ``max_memory`` (bytes) caps the index's RAM. ``listener`` hears progress.

    Raises :class:`~textclean.errors.TextcleanError` subclasses for a run that
    cannot start (bad paths, options that differ from the run being resumed);
    bad documents never raise, they are skipped with a reason.
    """
    started = time.perf_counter()
    config = config or Config()
    listener = listener or Listener()
    from .engines import available_cpus, resolve_jobs
    from .io import WriteJsonl

    resolve_jobs(jobs)  # a bad value fails before anything is read (the input decides "auto" below)
    if address is not None and engine != "ray":
        raise ConfigError("an address is for the Ray engine (engine='ray')")
    if not isinstance(source, (str, Path)) and not hasattr(source, "documents"):
        raise ConfigError(f"source must be a path or a Source, got {type(source).__name__}")
    src = source_of(source, text_field=text_field, id_field=id_field, follow_symlinks=follow_symlinks) \
        if isinstance(source, (str, Path)) else source
    out = sink_of(sink, src, format=format, text_field=text_field) if isinstance(sink, (str, Path)) else sink
    jobs = resolve_jobs(jobs, src)
    if engine == "local" and jobs > 1:
        from .pipeline import start_worker_server

        start_worker_server()  # its imports and warm-up overlap the planning below
    reports = [Path(p) for p in (report, report_html) if p is not None]
    plan = _plan(src, out, config, resume=resume, engine=engine, reports=reports)
    if plan.total == 0 and src.unit == "files" and src.path.is_dir():
        listener.warning(f"no .txt files under {src.path}")

    if index is not None and not (config.dedup.near and config.dedup.cross_document):
        raise ConfigError("an index keeps the corpus duplicate index between runs: it needs near-duplicate dedup "
                          "across documents (drop --no-near and --no-cross-document)")

    from .corpus_dedup import CorpusDedup
    from .engines import engine_of
    from .pipeline import budget_handler

    with contextlib.ExitStack() as owned:
        owned.enter_context(budget_handler())  # --doc-timeout's signal handler, once for the run
        journalled = plan.state_path is not None and engine == "local"
        # the index first: a folder written with other options refuses the run before it touches the output
        corpus = CorpusDedup.open(index, config.dedup, record_changes=journalled,
                                  memory_limit=max_memory if journalled or index is not None else None,
                                  spill_dir=plan.state_path / "index" if journalled else None)
        owned.callback(corpus.close)
        unfinished = plan.state_path is not None and plan.state_path.exists()
        manifest = owned.enter_context(_Owned(plan, resume or unfinished, overwrite))
        state = _state(plan, resume=resume, engine=engine, listener=listener)
        the_report = Report(keep_files=state is None, run=_run_info(plan, shown_input, shown_output))
        done, offset, placed = _replay(state, the_report, corpus, manifest, plan, listener)
        if state is not None:  # from here on, a run that stops (Ctrl-C, an error) is continued with --resume
            owned.push(functools.partial(_stopped, state, listener))
        # under a memory cap the mining pass keeps no normalised documents for the cleaning pass
        runner = owned.enter_context(engine_of(engine, jobs=jobs, address=address,
                                               keep_chars=0 if max_memory is not None else None))
        mined = None
        if plan.mine:
            saved = state.load("mined") if state is not None else None
            if saved is not None:
                mined, the_report.mined = saved
            else:
                listener.phase("mining", plan.total, 0, src.unit)
                try:
                    mined, candidates = runner.mine(src, config, advance=listener.advance)
                finally:
                    listener.phase_done()
                the_report.add_mined(candidates)
                if state is not None:
                    state.save("mined", (mined, the_report.mined))
        writer = out.writer(partial=state.partial if state is not None and out.format == "jsonl" else None,
                            resume_at=offset, claimed=placed)
        if isinstance(writer, WriteJsonl):  # a .gz output is compressed at the end by as many threads
            writer = dataclasses.replace(writer, threads=min(jobs, available_cpus()))
        listener.phase("cleaning" if mined is not None else "", plan.total, done, src.unit)
        finished = False
        try:
            # Everything done before: the writer still runs its last step (moving the
            # JSONL output into place), which the interrupted run may not have finished.
            # a listener that does not read the finished documents reads no traces
            traces = listener.document_trace and type(listener).document is not Listener.document
            stream = runner.clean(src, config, mined=mined, corpus=corpus, writer=writer, skip=done,
                                  traces=traces) if done < plan.total else writer.run(iter(()))
            for doc in stream:
                _finished(doc, the_report, state, manifest)
                listener.advance(doc.bytes_in or doc.chars_in * 3)
                listener.document(doc)
            finished = True
        finally:
            listener.phase_done()
        entries: Callable[[], Iterable[dict[str, Any]]] | None = \
            (lambda: (plain_entry(r["entry"]) for r in state.records())) if state is not None else None
        if report is not None:
            the_report.write(Path(report), files=entries() if entries else None)
        if report_html is not None:
            the_report.write_html(Path(report_html), files=entries() if entries else None,
                                  output=out.path if shown_output == "-" else None)
        if manifest is not None:
            removed = manifest.finish()
            if removed:
                listener.message(f"removed {removed} file(s) an earlier run wrote into {out.path} "
                                 "that this run does not write")
        corpus.save()
        if state is not None and finished:
            state.finish()
        for note in getattr(runner, "notes", lambda: [])():
            listener.message(note)
    return RunSummary(
        unit=src.unit, documents=the_report.count, written=the_report.written,
        skipped=dict(sorted(the_report.skipped.items())), encodings=dict(sorted(the_report.encodings.items())),
        chars_in=the_report.chars_in, chars_out=the_report.chars_out, mined=len(the_report.mined),
        engine=engine, seconds=time.perf_counter() - started, report=the_report, jobs=jobs,
    )


def _stopped(state: Any, listener: Listener, kind: type[BaseException] | None, *exc: object) -> bool:
    """At the end of a journalled run's passes (an ``ExitStack`` exit callback): a run that
    stopped before its state was finished — interrupted while mining, cleaning or writing its
    reports — closes its journal and says how to continue. Never swallows the exception."""
    if kind is not None and state.path.exists():
        state.close()
        listener.warning("the run stopped; what was finished is kept: rerun the same command with --resume "
                         "to continue")
    return False


class _Owned:
    """The output for the run: its lock and, for a tree, the manifest of what runs wrote."""

    def __init__(self, plan: _Plan, resuming: bool, overwrite: bool) -> None:
        self.plan = plan
        self.overwrite = overwrite or resuming
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> _TreeManifest | None:
        manifest = self.plan.sink.own(self.stack, overwrite=self.overwrite)
        return _TreeManifest(manifest, self.plan.sink.path) if manifest is not None else None

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


class _TreeManifest:
    """What this run writes into a tree, recorded in the tree's manifest at the end."""

    def __init__(self, manifest: Any, root: Path) -> None:
        self.manifest = manifest
        self.prefix = shown(str(Path(root).resolve())) + "/"
        self.written: set[str] = set()

    def add(self, entry: dict[str, Any]) -> None:
        name = _written_by(entry, self.prefix)
        if name is not None:
            self.written.add(name)

    def finish(self) -> int:
        return self.manifest.finish(self.written)


def _state(plan: _Plan, *, resume: bool, engine: str, listener: Listener) -> Any:
    """The run journal: a new one, the interrupted run's (``resume``), or none."""
    from .resume import RunState

    path = plan.state_path
    if path is None:
        return None
    if engine == "ray":
        if path.exists():
            raise ConfigError(f"{plan.sink.path} holds an unfinished local run ({path}); finish it with --resume "
                              "or delete it")
        return None
    if path.exists() and not resume:
        raise ConfigError(f"{plan.sink.path} holds an unfinished run ({path}); continue it with --resume, "
                          "or delete it to start again")
    if path.exists():
        state = RunState.resume(path, plan.options)
        # A kill between creating a file's temporary copy and renaming it leaves the copy.
        plan.sink.cleanup()  # type: ignore[attr-defined]
        return state
    if resume:
        listener.message(f"no unfinished run in {plan.sink.path}; starting from the beginning")
    try:
        return RunState.start(path, plan.options)
    except OSError as exc:
        raise OutputError(f"cannot write to {plan.sink.path}: {exc.strerror or exc}") from exc


def _replay(state: Any, report: Report, corpus: Any, manifest: _TreeManifest | None, plan: _Plan,
            listener: Listener) -> tuple[int, int, tuple[tuple[str, str], ...]]:
    """Replay what the interrupted run finished: report totals, index, written files —
    up to the first document whose output is not there (:func:`_on_disk`); the journal
    is cut there and the documents from it on are done again. Parquet parts are
    replayed whole: the documents of the last part the journal names (all of it, or
    only its first documents) are done again with that part, which is written again
    the same (a part starts where the one before it ended). Returns how many documents
    are done, where the output goes on (a JSONL file's length, Parquet's parts) and, for
    a tree, the files written and their ids (the writer claims them again: see
    :attr:`~textclean.io.WriteTree.claimed`)."""
    done, offset = 0, 0
    placed: list[tuple[str, str]] = []
    if state is None:
        return done, offset, ()
    tree = plan.sink.format == "txt"
    on_disk = _on_disk(plan, state)
    lost = False
    whole_parts = plan.sink.format == "parquet"
    held: list[dict[str, Any]] = []  # Parquet: the records of the part being read, replayed once it ends

    def replay(record: dict[str, Any]) -> None:
        nonlocal done, offset
        report.add_entry(record["entry"])
        if record["change"] is not None:
            corpus.restore(record["change"])
        if record["offset"] is not None:
            offset = record["offset"]
        if manifest is not None:
            manifest.add(record["entry"])
        output = record["entry"].get("output")
        if tree and output is not None and "\\" not in output:  # (a name shown escaped was not UTF-8: not known)
            placed.append((output, record["entry"]["id"]))
        done += 1

    with contextlib.closing(state.records()) as records:
        for record in records:
            if not on_disk(record):
                lost = True
                break
            if not whole_parts:
                replay(record)
                continue
            if held and record["offset"] != held[-1]["offset"]:
                for earlier in held:
                    replay(earlier)
                held = []
            held.append(record)
    if lost or held:
        state.cut(done)
    if lost:
        listener.warning(f"the output of the interrupted run lacks what its journal says was written after "
                         f"{done} {plan.source.unit} (the machine stopped before it reached the disk); "
                         "those are done again")
    if done:
        listener.message(f"resuming after {done} of {plan.total} {plan.source.unit}")
    return done, offset, tuple(placed)


def _on_disk(plan: _Plan, state: Any) -> Callable[[dict[str, Any]], bool]:
    """Whether a journal record's output is there to resume after: its JSONL line within
    the partial file (a shorter file would be cut back past its end: zeros), its file in
    the tree, whole (the size it was written with). The journal is synced with the
    outputs, but a machine that stops during a sync (or the system writing pages back
    on its own) can keep a record and lose the output it names, or keep a file's name
    and lose its end. A name shown escaped (not UTF-8) is taken as there."""
    if plan.sink.format == "jsonl":
        try:
            size = state.partial.stat().st_size
        except OSError:
            size = 0
        return lambda record: record["offset"] is None or record["offset"] <= size
    if plan.sink.format == "parquet":  # the offset: the parts written when the document came out
        from .parquet import WriteParquet

        def placed(record: dict[str, Any]) -> bool:
            parts = record["offset"]
            return not parts or (plan.sink.path / WriteParquet.part_name(parts - 1)).is_file()

        return placed

    def written(record: dict[str, Any]) -> bool:
        output = record["entry"].get("output")
        if output is None or "\\" in output:
            return True
        try:
            info = os.lstat(output)
        except OSError:
            return False
        return record["offset"] is None or info.st_size == record["offset"]  # None: a journal without sizes

    return written


def _finished(doc: Document, report: Report, state: Any, manifest: _TreeManifest | None) -> None:
    entry = report.entry(doc)
    report.add_entry(entry)
    if manifest is not None:
        manifest.add(entry)
    if state is not None:
        try:
            state.append({"entry": entry, "change": doc.index_change, "offset": doc.offset})
        except OSError as exc:
            raise OutputError(f"cannot write the run journal in {state.path}: {exc.strerror or exc}") from exc


def mine_corpus(source: Source | Path | str, *, config: Config | None = None, jobs: int | str = 1,
                listener: Listener | None = None) -> tuple[Any, list]:
    """The mining pass alone (``textclean mine``): the site templates of ``source`` as
    ``(MinedRules, candidates)``; candidates carry their evidence (pages, share at the edges)."""
    from .engines import LocalEngine, resolve_jobs

    config = config or Config()
    listener = listener or Listener()
    src = source_of(source) if isinstance(source, (str, Path)) else source
    jobs = resolve_jobs(jobs, src)
    listener.phase("mining", src.count(), 0, src.unit)
    try:
        with LocalEngine(jobs, keep_chars=0) as engine:  # no cleaning pass follows: keep no pages for it
            return engine.mine(src, config, advance=listener.advance)
    finally:
        listener.phase_done()
