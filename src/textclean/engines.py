"""Engines run the two passes of a corpus run; :func:`textclean.clean_corpus` owns the rest.

An engine is a context manager with two methods:

- ``mine(source, config, advance=...) -> (MinedRules, candidates)``: the mining
  pass over every document of the source;
- ``clean(source, config, *, mined, corpus, writer, skip=0) -> Iterator[Document]``:
  the per-document steps, the corpus pass through ``corpus``
  (:class:`~textclean.corpus_dedup.CorpusDedup`, whose ``judge`` is the keep
  rule), then ``writer``; finished documents come out in input order, from
  position ``skip``.

:class:`LocalEngine` runs here, the per-document steps in ``jobs`` worker
processes; :class:`~textclean.ray_engine.RayEngine` on a Ray cluster. Both give
the same documents for the same input.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterable, Iterator

from .config import Config
from .corpus_dedup import CorpusDedup
from .document import Document
from .errors import ConfigError
from .mining import MinedRules

__all__ = ["LocalEngine", "engine_of", "resolve_jobs", "AUTO_MAX_JOBS", "AUTO_MIN_BYTES"]

AUTO_MAX_JOBS = 8  # "auto" uses at most this many processes: past it the run's serial part caps the speed-up
AUTO_MIN_BYTES = 2 << 20  # "auto" runs smaller inputs in one process: starting workers costs more than they save


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system says, else all)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | str, source: Any = None) -> int:
    """The number of worker processes ``jobs`` asks for: a whole number >= 1 as it is;
    ``"auto"``: one per available CPU, at most :data:`AUTO_MAX_JOBS`, and 1 for an input
    under :data:`AUTO_MIN_BYTES` (``source``'s files; a source whose size is unknown counts as
    large). The output is the same for any number.

    >>> resolve_jobs(3), resolve_jobs("auto", None) >= 1
    (3, True)
    """
    if jobs == "auto":
        cpus = min(available_cpus(), AUTO_MAX_JOBS)
        if cpus > 1 and source is not None:
            size = _input_bytes(source)
            if size is not None and size < AUTO_MIN_BYTES:
                return 1
        return cpus
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs must be a whole number >= 1 or 'auto', got {jobs!r}")
    return jobs


def _input_bytes(source: Any) -> int | None:
    """The bytes a source reads (its files' sizes), or None when it cannot say."""
    import os

    files = getattr(source, "files", None)
    path = getattr(source, "path", None)

    def size(name: Any) -> int:
        try:
            return os.stat(name).st_size
        except OSError:  # unreadable: the run says so when it gets there
            return 0

    if files is not None:
        return sum(size(name) for name in files)
    if path is not None and os.path.isfile(path):
        return size(path)
    if path is not None and os.path.isdir(path):  # a folder of Parquet files
        try:
            return sum(size(entry.path) for entry in os.scandir(path) if entry.is_file())
        except OSError:
            return None
    return None


class LocalEngine:
    """This machine: the per-document steps in ``jobs`` processes, the corpus pass here,
    in input order. Pages of a folder, a JSONL file or Parquet are finished and written
    (a tree), or their lines or rows made (JSONL, Parquet), by the worker that cleaned
    each (:class:`~textclean.keeping.KeepingPool`: here only its verdict and its place
    in the tree are decided, and the lines and rows appended in input order); a run
    that writes one named file is written here.

    The mining pass keeps the documents it normalised, up to ``keep_chars``
    characters in all (with workers over a folder: each its share, in the worker), and
    the cleaning pass starts those at the page cleaner instead of reading, decoding and
    normalising them again (the same documents: the same steps made them); when it
    kept every page (those it set aside too), the cleaning pass does not read the
    input at all (a .jsonl.gz is not decompressed again)."""

    name = "local"

    def __init__(self, jobs: int = 1, *, keep_chars: int = 16_000_000) -> None:
        self.jobs = jobs
        self.keep_chars = keep_chars
        self._stack = contextlib.ExitStack()
        self.pool: Any = None
        self._keeping: Any = None  # a KeepingPool, once a pass uses one
        self._normalized: dict[int | str, Document] = {}
        self._kept_all = False  # the mining pass kept every page it saw in _normalized (in input order)

    def __enter__(self) -> LocalEngine:
        if self.jobs > 1:
            from .pipeline import WorkerPool

            self.pool = self._stack.enter_context(WorkerPool(self.jobs))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self.pool = self._keeping = None
        self._normalized = {}
        self._kept_all = False

    def mine(self, source: Any, config: Config, *, advance: Callable[[int], None] | None = None
             ) -> tuple[MinedRules, list]:
        from .boilerplate import resolve_rules
        from .pipeline import mine_documents

        documents = source.documents(max_bytes=config.decode.max_bytes, lazy=True)  # read where the steps run
        self._warm_with(config)
        if self.pool is not None and _keeps_source(source):
            miner = self._mine_keeping(documents, config, advance)
        else:
            keep = None
            seen = 0
            if self.pool is None and self.keep_chars > 0:
                from .keeping import SKIPPED_ROOM

                room = self.keep_chars
                kept = self._normalized = {}

                def keep(doc: Document) -> None:
                    nonlocal room, seen
                    seen += 1
                    size = SKIPPED_ROOM if doc.skipped else len(doc.text)
                    if size <= room and doc.place not in kept:
                        room -= size
                        kept[doc.place] = doc

            miner = mine_documents(documents, config, pool=self.pool, advance=advance, keep=keep)
            self._kept_all = keep is not None and seen == len(self._normalized)
        candidates = miner.candidates(resolve_rules(config.boilerplate))
        return MinedRules.from_candidates(candidates), candidates

    def _mine_keeping(self, documents: Iterable[Document], config: Config,
                      advance: Callable[[int], None] | None) -> Any:
        """The mining pass in the workers that will clean the pages
        (:class:`~textclean.keeping.KeepingPool`): each keeps the pages it normalised, up to
        its share of ``keep_chars``, and the cleaning pass starts them there."""
        from .pipeline import count_observed, mining_steps

        steps = mining_steps(config)
        observed = self._keeping_pool(config).observe(steps[:3], steps[3], documents, room=self.keep_chars // self.jobs)
        return count_observed(config, observed, advance)

    def _warm_with(self, config: Config) -> None:
        """Workers forked for this run start with what ``config`` builds
        (see :class:`~textclean.pipeline.WorkerPool`)."""
        if self.pool is not None:
            self.pool.warm = _warming(config)

    def _keeping_pool(self, config: Config) -> Any:
        if self._keeping is None:
            from .keeping import KeepingPool

            self._keeping = self._stack.enter_context(KeepingPool(self.jobs, warm=_warming(config)))
        return self._keeping

    def clean(self, source: Any, config: Config, *, mined: MinedRules | None, corpus: CorpusDedup,
              writer: Any, skip: int = 0, traces: bool = True) -> Iterator[Document]:
        """The cleaning pass: the finished documents in input order. ``traces=False``: the
        caller reads no document's ``trace``, which workers that keep their pages then
        send back empty (the report's items, made there, come back)."""
        from .pipeline import Pipeline

        pipeline = Pipeline.default(config, errors="skip", mined=mined, corpus_dedup=corpus).then(writer)
        self._warm_with(config)
        if self.pool is not None and _keeps_pages(source, writer):
            return self._clean_keeping(source, config, pipeline, writer, skip, traces)
        if self._keeping is not None:  # the mining pass kept pages for a pass that will not use them
            self._keeping.close()
            self._keeping = None
        if self.pool is not None:  # the report's items of each page made in the worker, after its last step
            from .pipeline import Map
            from .report import pack_removals

            steps = list(pipeline.steps)
            last = max(i for i, step in enumerate(steps) if isinstance(step, Map) and step.name == "clean")
            steps.insert(last + 1, Map("report", pack_removals, "skip", steps[last].timeout))  # type: ignore[attr-defined]
            pipeline = Pipeline(steps)
        kept, self._normalized = self._normalized, {}
        kept_all, self._kept_all = self._kept_all, False
        first = [step.name for step in pipeline.steps[:3]]  # type: ignore[attr-defined]
        if kept and kept_all and skip == 0 and self.pool is None and first == ["read", "decode", "normalize"]:
            # every page kept: the input is not read again (each page let go as it is taken)
            return Pipeline(pipeline.steps[3:]).run(kept.pop(place) for place in list(kept))
        documents = source.documents(max_bytes=config.decode.max_bytes, skip=skip, lazy=True)
        if not kept or self.pool is not None:
            return pipeline.run(documents, pool=self.pool)
        if first != ["read", "decode", "normalize"]:  # pragma: no cover - a pipeline of other steps
            return pipeline.run(documents)
        return Pipeline(pipeline.steps[3:]).run(_normalized(documents, pipeline.steps[:3], kept))

    def _clean_keeping(self, source: Any, config: Config, pipeline: Any, writer: Any, skip: int,
                       traces: bool) -> Iterator[Document]:
        """The cleaning pass in workers that keep their pages (:class:`~textclean.keeping.KeepingPool`):
        here only the keep rule and each page's place in the tree, in input order."""
        from .io import WriteTree
        from .keeping import Finishing
        from .pipeline import Map

        steps = list(pipeline.steps)
        prefix: list[Map] = []
        while steps and isinstance(steps[0], Map):
            prefix.append(steps.pop(0))
        corpus = steps.pop(0) if steps and isinstance(steps[0], CorpusDedup) else None
        finish, last = steps
        if last is not writer or not isinstance(finish, Map):  # pragma: no cover - the default pipeline's shape
            raise AssertionError(f"unexpected pipeline {[step.name for step in pipeline.steps]}")
        self.pool.close()  # workers that return pages: none was started (see mine), or they are done
        keeping = self._keeping_pool(config)
        tree = isinstance(writer, WriteTree)
        claims = writer.claims() if tree else None
        skip_normalized = 3 if [step.name for step in prefix[:3]] == ["read", "decode", "normalize"] else 0

        def judge(request: Any) -> tuple[Any, Any, Any]:
            doc_id, _, keys = request
            verdict = change = None
            if keys is not None and corpus is not None:
                pending, chars, total = keys
                verdict, change = corpus.decide(doc_id, pending, dict(zip(pending.lines, chars)), total)
            return verdict, None, change

        def claim(doc_id: str) -> Any:
            """A written page's file, claimed in input order once the page is settled (the
            verdict applied, the last step run): a page the verdict or the last step
            skips claims none, as the one-process writer decides."""
            placed = writer.claim(Document(id=doc_id), claims, make_folder=False)
            return (placed.skipped, placed.detail) if placed.skipped else placed.output

        # every page kept by the mining pass: the input is not read again (see KeepingPool.kept_documents)
        kept = keeping.kept_documents() if skip == 0 and skip_normalized else None

        def lines() -> Iterator[tuple[Document, Any]]:  # (page, its JSONL line or Parquet row; None: not written)
            documents = kept if kept is not None else source.documents(max_bytes=config.decode.max_bytes, skip=skip,
                                                                        lazy=True)
            finishing = Finishing(finish=finish, writer=writer, trace=traces)
            for (doc, line), change in keeping.run(prefix, finishing, documents, judge,
                                                   claim=claim if claims is not None else None,
                                                   skip_normalized=skip_normalized):
                yield (doc if change is None else doc.replace(index_change=change)), line

        def written() -> Iterator[Document]:  # a tree: each page written by its worker
            for doc, _ in lines():
                yield doc
            writer.sync(claims)

        return written() if tree else writer.write_lines(lines())


def _warming(config: Config) -> Callable[[], None]:
    """What a pool builds before it forks its workers: :func:`~textclean.pipeline.warm_up` for ``config``."""
    import functools

    from .pipeline import warm_up

    return functools.partial(warm_up, config)


def _keeps_source(source: Any) -> bool:
    """Whether a source's pages may stay in the workers from the mining pass on: a
    folder of pages or a JSONL file, whose documents the workers read (a file) or
    parse (a line) themselves, or Parquet (its records read here, a batch at a time,
    and sent); see :func:`_keeps_pages` for the outputs."""
    from .sources import FolderSource, JsonlSource, ParquetSource

    return isinstance(source, (FolderSource, JsonlSource, ParquetSource))


def _keeps_pages(source: Any, writer: Any) -> bool:
    """Whether a pass can keep each page in one worker to its end (see
    :class:`~textclean.keeping.KeepingPool`): any of them written into a tree (the parent
    claims each written page's file by its id in input order, once the worker applied
    its verdict and the last step — a record's id is known by then: the worker parsed
    it — and the worker writes it there), a JSONL
    file or Parquet (each worker makes its pages' lines or rows; the parent appends
    them in input order). Not a tree that names the one file it writes (``rename``)."""
    from .io import WriteJsonl, WriteTree
    from .parquet import WriteParquet

    if not _keeps_source(source):
        return False
    if isinstance(writer, (WriteJsonl, WriteParquet)):
        return True
    return isinstance(writer, WriteTree) and writer.rename is None


def _normalized(documents: Iterable[Document], steps: Any, kept: dict[int | str, Document]) -> Iterator[Document]:
    """``documents`` through ``steps`` (read, decode, normalize), or as the mining pass
    left them where it kept them."""
    for doc in documents:
        found = kept.pop(doc.place, None)
        if found is None:
            for step in steps:
                doc = next(step.run([doc]))
        yield doc if found is None else found


def engine_of(name: str, *, jobs: int = 1, address: str | None = None, keep_chars: int | None = None) -> Any:
    """The engine called ``name`` ("local" or "ray"); ``keep_chars``: see :class:`LocalEngine`."""
    if name == "local":
        return LocalEngine(jobs) if keep_chars is None else LocalEngine(jobs, keep_chars=keep_chars)
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(jobs=jobs, address=address)
    raise ConfigError(f"engine must be 'local' or 'ray', got {name!r}")
