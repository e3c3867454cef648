"""The pipeline: small steps over a stream of documents.

A step is anything with a ``name`` and ``run(documents) -> documents``. Most steps
are :class:`Map` steps around a pure ``Document -> Document`` function; skipped
documents flow through every step untouched so the report can explain them.

>>> from textclean.pipeline import Pipeline
>>> from textclean.document import Document
>>> [doc.text for doc in Pipeline.default().run([Document(id="a", data="标题\\n\\n标题\\n正文。".encode())])]
['标题\\n正文。']
"""

from __future__ import annotations

import contextlib
import functools
import logging
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Protocol, runtime_checkable

from .config import Config
from .corpus_dedup import CorpusDedup
from .decode import decode
from .document import Document
from .errors import ConfigError, WorkerError
from .io import read_file, record_of, records_to_documents
from .mining import MinedRules, Miner, observe
from .normalize import normalize
from .page import PageCleaner

logger = logging.getLogger(__name__)

__all__ = [
    "Step", "Map", "Pipeline", "decode_document", "mark_empty", "clean", "clean_bytes", "clean_document",
    "clean_records", "count_observed", "mine_documents", "mining_steps", "parallel_map", "WorkerPool",
]


@runtime_checkable
class Step(Protocol):
    name: str

    def run(self, documents: Iterable[Document]) -> Iterator[Document]: ...


@dataclass(frozen=True)
class Map:
    """A step applying a pure function to each document that is not skipped.

    ``errors="skip"`` (corpus runs) turns an unexpected exception on one document
    into that document skipped as ``"error"`` with the exception in its detail,
    so one bad page never stops a job; ``errors="raise"`` lets it propagate.
    """

    name: str
    function: Callable[[Document], Document]
    errors: str = "raise"
    timeout: float | None = None  # with errors="skip": seconds per document (see RunConfig.doc_timeout)

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        function = self.function
        for doc in documents:
            if doc.skipped:
                yield doc
            elif self.errors == "raise":
                yield function(doc)
            else:
                try:
                    with _budget(self.timeout):
                        result = function(doc)
                except _OverBudget:
                    logger.warning("%s: %s step took more than %s s", doc.id, self.name, self.timeout)
                    yield doc.skip("timeout", f"{self.name} took more than {self.timeout:g} s (--doc-timeout)")
                except Exception as exc:  # noqa: BLE001 - reported, never silent
                    logger.warning("%s: %s step failed: %r", doc.id, self.name, exc)
                    yield doc.skip("error", f"{self.name}: {type(exc).__name__}: {exc}")
                else:
                    yield result


class _OverBudget(BaseException):
    """Raised by the timer inside a step that ran out of its time budget (a
    BaseException, so the step's own ``except Exception`` cannot swallow it)."""


def _over(signum: int, frame: object) -> None:
    raise _OverBudget


try:  # signal.getsignal wraps this in enum conversions: 0.9 us, per document and step
    from _signal import getsignal as _getsignal
except ImportError:  # pragma: no cover - another Python
    _getsignal = signal.getsignal


class _budget:
    """Raise :class:`_OverBudget` in this thread after ``seconds`` (main thread only;
    elsewhere, or with ``None``, no budget). The previous timer and handler come back.
    Inside :func:`budget_handler` (a run's loop) the handler is in place already: a step
    then only arms and disarms the timer (a handler set and reset per document and
    step cost ~5 us, 18k times per 10 MB run)."""

    __slots__ = ("seconds", "previous", "armed", "installed")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.previous: Any = None
        self.armed = self.installed = False

    def __enter__(self) -> None:
        if self.seconds is None or threading.current_thread() is not threading.main_thread():
            return
        if _getsignal(signal.SIGALRM) is not _over:
            self.previous = signal.signal(signal.SIGALRM, _over)
            self.installed = True
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if self.installed:  # None: a handler set outside Python, which cannot be put back: the default
                signal.signal(signal.SIGALRM, signal.SIG_DFL if self.previous is None else self.previous)


@contextlib.contextmanager
def budget_handler() -> Iterator[None]:
    """The handler of :class:`_budget`'s timer in place for a whole loop of steps (a
    corpus run, a worker's chunk), the previous one back after it; main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _over)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def decode_document(doc: Document, config: Config | None = None) -> Document:
    """Turn ``doc.data`` into ``doc.text`` (or skip it with the reason)."""
    if doc.data is None:
        return doc
    config = config or Config()
    result = decode(doc.data, config.decode)
    if not result.ok:
        return doc.replace(chars_in=0).skip(result.reason or "undecodable", result.detail)
    text = result.text or ""
    return doc.replace(
        data=None,
        text=text,
        encoding=result.encoding,
        confidence=result.confidence,
        detail=result.detail,
        replaced_bytes=result.replaced_bytes,
        chars_in=len(text),
    )


def mark_empty(doc: Document) -> Document:
    """Skip a document with nothing left as ``"no content"`` (it is not written)."""
    return doc if doc.text else doc.skip("no content", "nothing left after cleaning")


@dataclass(frozen=True)
class Pipeline:
    """An ordered list of steps; :meth:`run` streams documents through them lazily."""

    steps: tuple[Step, ...]

    def __init__(self, steps: Iterable[Step]) -> None:
        object.__setattr__(self, "steps", tuple(steps))

    @classmethod
    def default(
        cls,
        config: Config | None = None,
        *,
        errors: str = "raise",
        mined: MinedRules | None = None,
        corpus_dedup: CorpusDedup | None = None,
    ) -> Pipeline:
        """decode -> normalize -> clean (boilerplate, dedup, line model; see
        :class:`~textclean.page.PageCleaner`) -> corpus dedup -> mark empty documents.

        ``errors`` is ``"raise"`` or ``"skip"`` (see :class:`Map`). ``mined`` adds
        each document's site rules from :mod:`textclean.mining` after the pack's.
        ``corpus_dedup`` is the corpus step to use (one restored by a resumed run,
        or one whose index the caller wants to inspect); by default a new one.
        """
        if errors not in ("raise", "skip"):
            raise ConfigError(f"errors must be 'raise' or 'skip', got {errors!r}")
        config = config or Config()
        steps = [
            ("read", read_file),  # a file named by a lazy source is read here, in a worker when parallel
            ("decode", functools.partial(decode_document, config=config)),
            ("normalize", functools.partial(normalize, config=config.normalize)),
            # the rules (and the title line) to a fixed point, dedup, the line model, settled
            ("clean", PageCleaner(config, mined=mined)),
        ]
        timeout = config.run.doc_timeout if errors == "skip" else None
        maps: list[Step] = [Map(name, function, errors, timeout) for name, function in steps]
        if config.dedup.near and config.dedup.cross_document:
            maps.append(corpus_dedup if corpus_dedup is not None else CorpusDedup(config.dedup))
        maps.append(Map("finish", mark_empty, errors, timeout))
        return cls(maps)

    def then(self, *steps: Step) -> Pipeline:
        """A new pipeline with ``steps`` appended (e.g. a writer)."""
        return Pipeline([*self.steps, *steps])

    def run(
        self, documents: Iterable[Document], *, jobs: int = 1, pool: WorkerPool | None = None
    ) -> Iterator[Document]:
        """Stream ``documents`` through the steps.

        With ``jobs > 1`` (or a :class:`WorkerPool`) the leading :class:`Map`
        steps (pure, per document) run in worker processes; the steps after them
        (the corpus phase) run here, in input order. The output is the same for
        any ``jobs``.
        """
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ConfigError(f"jobs must be a whole number >= 1, got {jobs!r}")
        steps = list(self.steps)
        stream: Iterable[Document] = documents
        if jobs > 1 or pool is not None:
            prefix: list[Map] = []
            while steps and isinstance(steps[0], Map):
                prefix.append(steps.pop(0))  # type: ignore[arg-type]
            if prefix:
                stream = parallel_map(prefix, stream, jobs, pool=pool)
        for step in steps:
            stream = step.run(stream)
        return iter(stream)


def clean_document(doc: Document, *, config: Config | None = None) -> Document:
    """Run the default pipeline on one document (bytes in ``data`` or ``text``)."""
    return next(Pipeline.default(config).run([doc]))


def clean_bytes(data: bytes, *, config: Config | None = None, id: str = "<bytes>", **overrides: object) -> Document:
    """Decode and clean raw bytes; the result says which encoding was found.

    >>> doc = clean_bytes("欢迎来到某某范文网!\\n正文。".encode("gbk"))
    >>> doc.encoding, doc.text
    ('gb18030', '正文。')
    """
    config = (config or Config()).replace(**overrides)
    return clean_document(Document(id=id, data=data), config=config)


def clean(text: str, *, config: Config | None = None, **overrides: object) -> str:
    """Clean one document's text; returns one paragraph per line with a final newline.

    Options are the config field names (``min_sentence_chars=10``,
    ``disable_rules={"zh.meta.label"}``, ...). An empty result is ``""``.

    >>> clean("现在位置:首页> 范文 > 讲话\\n\\n标题\\n\\n  标题\\n正文第一句话在这里。正文第一句话在这里。")
    '标题\\n正文第一句话在这里。\\n'
    """
    if not isinstance(text, str):
        raise TypeError(f"clean() takes str, got {type(text).__name__}; use clean_bytes() for bytes")
    config = (config or Config()).replace(**overrides)
    return clean_document(Document.from_text(text), config=config).output_text


def mine_documents(
    documents: Iterable[Document], config: Config | None = None, *, jobs: int = 1, pool: WorkerPool | None = None,
    advance: Callable[[int], None] | None = None, keep: Callable[[Document], None] | None = None,
) -> Miner:
    """Decode and normalise ``documents`` and count them for mining (the corpus pass).

    The documents are not kept: memory grows with the distinct short lines per
    site, not with the corpus. Call :meth:`Miner.result` for the rules.
    ``advance`` is called with each document's input bytes once it is counted.
    ``keep`` (in this process only: ``jobs=1``, no pool) is handed each normalised
    document — one set aside by reading, decoding or normalising too — before its
    text is dropped.
    """
    config = config or Config()
    steps = mining_steps(config)
    parallel = jobs > 1 or pool is not None
    if keep is not None:
        if parallel:
            raise ConfigError("mine_documents: keep= sees the documents in this process only (jobs=1, no pool)")
        steps.insert(3, _Each("keep", keep))
    stream: Iterable[Document] = documents
    if parallel:
        stream = parallel_map(steps, stream, jobs, pool=pool)
    else:
        for step in steps:
            stream = step.run(stream)
    return count_observed(config, ((doc.observation, doc.bytes_in or doc.chars_in * 3) for doc in stream), advance)


def count_observed(config: Config, observed: Iterable[tuple[Any, int]],
                   advance: Callable[[int], None] | None = None) -> Miner:
    """A :class:`~textclean.mining.Miner` that counted ``observed``: each document's
    observation (None: nothing to count) and input bytes, in input order; ``advance``
    is called with the bytes of each."""
    miner = Miner(config.mining, config.boilerplate)
    for observation, nbytes in observed:
        if observation is not None:
            miner.merge(observation)
        if advance is not None:
            advance(nbytes)
    return miner


def mining_steps(config: Config) -> list[Map]:
    """The mining pass's steps: read, decode, normalize, then observe (the document's
    :class:`~textclean.mining.Observation` in ``doc.observation``, its text dropped)."""
    return [
        Map("read", read_file, "skip"),
        Map("decode", functools.partial(decode_document, config=config), "skip"),
        Map("normalize", functools.partial(normalize, config=config.normalize), "skip"),
        Map("observe", functools.partial(_observed, config=config), "skip"),
    ]


@dataclass(frozen=True)
class _Each:
    """A step that hands ``see`` each document, skipped ones too, and passes it on."""

    name: str
    see: Callable[[Document], None]

    def run(self, documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:
            self.see(doc)
            yield doc


def _observed(doc: Document, *, config: Config) -> Document:
    """The document with its mining :class:`~textclean.mining.Observation` in
    ``doc.observation`` and its text dropped (only the observation is counted)."""
    observation = observe(doc, config.mining, config.boilerplate)
    return doc.replace(text="", origin=(), observation=observation)


_WORKER: dict[str, Any] = {}  # per worker process: the step lists it has unpickled, by key


def _start_worker(pure: str | None) -> None:
    """A worker's start: Ctrl-C is the parent's to handle (once), SIGTERM ends it (a
    worker forked from the parent itself has the parent's handler, which turns it into
    Ctrl-C), and the core is the parent's choice — a worker forked from the server has
    the server's environment, not the parent's as it is now."""
    import os
    import signal

    from .native import core

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, once
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if pure is None:
        os.environ.pop("TEXTCLEAN_PURE", None)
    else:
        os.environ["TEXTCLEAN_PURE"] = pure
    core.cache_clear()


def _forks() -> bool:
    """Whether workers are forked from this process itself (see :func:`_context`): on
    Linux, while the process runs one thread — the operating system's count, so
    threads that C libraries started (numpy's BLAS) count too; unknown: no — and
    when the environment chose numpy's BLAS thread count (the ``textclean`` command
    chooses one): a copy of a BLAS left to start a thread per core would start them
    again in each worker, where the server starts with one."""
    import os
    import sys

    from ._entry import BLAS_THREADS

    if not sys.platform.startswith("linux") or not any(name in os.environ for name in BLAS_THREADS):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _context() -> Any:
    """How workers start. Forked from this process where :func:`_forks` says it can
    be: a worker starts at once with everything this process imported and built
    (the pools run :func:`warm_up` for the run's config first; a 10 MB run on two
    cores ended ~0.4 s sooner than with workers from a server, which imported and
    warmed up alone while the parent waited). A fork copies only the thread that forks, so
    locks other threads held mid-work would stay held in the copy: with another
    thread running, workers are forked instead from a server process that imported
    textclean and built its tables once (``forkserver`` preloading
    :mod:`textclean._preload`: each worker skips ~0.4 s of imports and ~0.2 s of
    :func:`warm_up`), where there is one; else spawned."""
    import multiprocessing

    if _forks():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["textclean._preload"])
        return context
    return multiprocessing.get_context("spawn")


def _worker_context(warm: Callable[[], None] | None) -> Any:
    """The context a pool starts its workers with (:func:`_context`; the server started
    where there is one), ``warm`` run first in this process when they are forked from
    it: they start with what it built."""
    start_worker_server()
    context = _context()
    if warm is not None and context.get_start_method() == "fork":
        warm()
    return context


def start_worker_server() -> None:
    """Start the process workers are forked from now, where they are forked from one
    (see :func:`_context`): its imports and :func:`warm_up` (~0.5 s) then run while the
    caller plans the run, instead of after the first chunk is handed out.

    The server starts with one BLAS thread (``OPENBLAS_NUM_THREADS=1`` in its
    environment, unless the caller set a thread count): numpy's OpenBLAS otherwise
    starts a thread per core at import that spins ~0.1 s of CPU waiting for work, in
    the server, and textclean's matrix products are a few rows each. The workers
    forked from it inherit that environment."""
    import os

    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        from ._entry import BLAS_THREADS

        chosen = any(name in os.environ for name in BLAS_THREADS)
        if not chosen:
            os.environ["OPENBLAS_NUM_THREADS"] = "1"  # the server inherits this process's environment
        try:
            forkserver.ensure_running()
        finally:
            if not chosen:
                os.environ.pop("OPENBLAS_NUM_THREADS", None)


def warm_up(config: Config | None = None) -> None:
    """Build, in this process, what cleaning with ``config`` (default: the defaults)
    builds on first use and keeps: the NFKC, fold and script tables, the rule pack
    compiled with the prefilter of every scope, zone and length class, the line
    model and its tables, the MinHash permutations. Nothing else changes; a worker
    forked afterwards starts with all of it (see :func:`_context`)."""
    from .boilerplate import resolve_rules
    from .rules import SCOPES, _BUCKETS

    config = config or Config()
    rules = resolve_rules(config.boilerplate)
    for rule in rules:  # compiled once here: a worker compiling its copy of the rule finds it in regex's cache
        rule.compiled  # noqa: B018
    for scope in SCOPES:
        for zone in ("head", "body", "tail"):
            for length in (*_BUCKETS, _BUCKETS[-1] + 1):
                rules.candidates(scope, zone, length)
    # one small page through every step: the tables each step builds on first use
    clean("欢迎来到某某网!\n标题 Title\n正文，第一段，（全角）。\n正文，第一段，（全角）。\n責任編輯：某某", config=config)


def _run_chunk(key: str, blob: bytes | None, documents: list[Document]) -> list[Document] | None:
    steps = _WORKER.get(key)
    if steps is None:  # first chunk of this step list in this worker: unpickle (and compile) once
        if blob is None:
            return None  # sent without the steps, which this worker has not seen: the parent sends them
        import pickle

        _WORKER.clear()
        steps = _WORKER[key] = pickle.loads(blob)
    out = []
    with budget_handler():
        for doc in documents:
            for step in steps:
                doc = next(step.run([doc]))
            out.append(doc)
    return out


class WorkerPool:
    """``jobs`` worker processes, started once and shared by the passes of a run
    (mining, then cleaning): starting a worker and compiling its rules costs a few
    tenths of a second, once (workers are forked from a process that imported
    textclean, see :func:`_context`).

    Use as a context manager; :meth:`map` streams documents through per-document
    steps in the workers, results in input order. A worker that dies (killed by
    the system for memory, ``kill -9``) stops the run with :class:`WorkerError`
    instead of leaving it waiting for a result that will never come.
    """

    _WITH_STEPS = 2  # per worker: the first chunks of a map() that carry the step list

    def __init__(self, jobs: int, *, warm: Callable[[], None] | None = None) -> None:
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ConfigError(f"jobs must be a whole number >= 1, got {jobs!r}")
        self.jobs = jobs
        # what to build here before the workers are forked from this process, at the first map
        # (warm_up for the run's config: they start with it; see textclean.keeping.KeepingPool)
        self.warm = warm
        self._pool: Any = None
        self._answered = False  # a worker has sent a result back (after that, a death is not at start-up)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (also on Ctrl-C): pending chunks are dropped, the chunks in
        progress finish (they ignore Ctrl-C), and a worker still busy after
        ``_STOP_SECONDS`` is terminated. Not at once: a worker killed while it sends a
        result leaves the pool's result pipe half-written, and the interpreter's exit
        then waits forever for the pool's manager thread (seen: ~1 Ctrl-C in 100)."""
        if self._pool is not None:
            import time

            pool, self._pool = self._pool, None
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + _STOP_SECONDS
            for process in processes:
                process.join(timeout=max(0.0, deadline - time.monotonic()))
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=5)

    def map(self, steps: list[Map], documents: Iterable[Document], *, chunk: int = 8) -> Iterator[Document]:
        """Run ``steps`` on each document in the workers; yields in input order.

        Documents go out in chunks of ``chunk``; up to ``4 * jobs`` chunks are in
        flight, so the workers never wait for the caller to finish a window and
        memory stays bounded however long the input is. The step list (~100 KB
        pickled) goes with the first ``2 * jobs`` chunks only and is unpickled once
        per worker; a worker handed a later chunk before any with the steps says
        so, and that chunk is sent again with them.
        """
        import collections
        import hashlib
        import os
        import pickle
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=_worker_context(self.warm),
                                             initializer=_start_worker, initargs=(os.environ.get("TEXTCLEAN_PURE"),))
        blob = pickle.dumps(steps)
        key = hashlib.blake2b(blob, digest_size=16).hexdigest()
        pending: collections.deque[tuple[Any, list[Document]]] = collections.deque()
        with_steps = self._WITH_STEPS * self.jobs  # chunks still to send with the step list

        def send(batch: list[Document]) -> None:
            nonlocal with_steps
            pending.append((self._submit(key, blob if with_steps > 0 else None, batch), batch))
            with_steps -= 1

        def receive() -> list[Document]:
            future, batch = pending.popleft()
            out = self._result(future)
            if out is None:  # that worker had not seen the steps yet
                out = self._result(self._submit(key, blob, batch))
            return out  # type: ignore[no-any-return]

        batch: list[Document] = []
        for doc in documents:
            batch.append(doc)
            if len(batch) == chunk:
                send(batch)
                batch = []
                if len(pending) >= 4 * self.jobs:
                    yield from receive()
        if batch:
            send(batch)
        while pending:
            yield from receive()

    def _submit(self, key: str, blob: bytes | None, batch: list[Document]) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._pool.submit(_run_chunk, key, blob, batch)
        except BrokenProcessPool as exc:
            raise WorkerError(_WORKER_DIED if self._answered else _WORKER_DIED_AT_START) from exc

    def _result(self, future: Any) -> list[Document] | None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            out = future.result()
        except BrokenProcessPool as exc:
            raise WorkerError(_WORKER_DIED if self._answered else _WORKER_DIED_AT_START) from exc
        self._answered = True
        return out  # type: ignore[no-any-return]


_STOP_SECONDS = 5.0  # how long a closing pool lets the workers finish the chunks they hold

_WORKER_DIED = (
    "a worker process died (killed by the system, often for lack of memory, or by a signal); "
    "the run stopped: lower --jobs or --max-memory, then rerun the same command with --resume"
)
# Before any result: also what a script that runs textclean with jobs > 1 outside a main guard gets
# (worker processes import the script again, and its second start of a run fails there).
_WORKER_DIED_AT_START = (
    "a worker process died before it sent anything back (killed by the system, often for lack of memory, "
    "or by a signal; or, from a Python script: the script runs textclean with jobs > 1 outside "
    "`if __name__ == \"__main__\":` — worker processes import the script again, so the run must start "
    "under that guard); the run stopped: fix that or lower --jobs or --max-memory, then rerun the same "
    "command with --resume"
)


def parallel_map(
    steps: list[Map], documents: Iterable[Document], jobs: int, *, pool: WorkerPool | None = None
) -> Iterator[Document]:
    """Run per-document ``steps`` in ``jobs`` processes (or in ``pool``); results in input order."""
    if pool is not None:
        yield from pool.map(steps, documents)
        return
    with WorkerPool(jobs) as own:
        yield from own.map(steps, documents)


def clean_records(
    records: Iterable[Any],
    *,
    text_field: str = "text",
    id_field: str = "id",
    config: Config | None = None,
    **overrides: object,
) -> Iterator[dict[str, Any]]:
    """Clean a stream of dict records (JSONL rows, ``datasets`` rows, ...), deduplicating
    across the stream; yields one record per input record, in order.

    Every field passes through untouched; ``text_field`` holds the cleaned text and
    a ``textclean`` object says what happened. A record that was dropped (a
    duplicate of an earlier one, nothing left, invalid) keeps its text and carries
    ``textclean.skipped`` so the caller decides — nothing is lost silently.

    >>> rows = [{"id": 1, "text": "标题\\n正文。\\n标题"}, {"id": 2, "text": None}]
    >>> [(r["text"], r["textclean"].get("skipped")) for r in clean_records(rows)]
    [('标题\\n正文。', None), (None, 'invalid record')]
    """
    config = (config or Config()).replace(**overrides)
    documents = records_to_documents(records, text_field=text_field, id_field=id_field)
    for doc in Pipeline.default(config, errors="skip").run(documents):
        yield record_of(doc, text_field=text_field)
