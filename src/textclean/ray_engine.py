"""The Ray engine: the same run on Ray Data, byte-identical to the local engine.

Install with ``pip install 'textclean[ray]'``; Ray is imported only when this
engine runs. :class:`RayEngine` has the engine interface of
:mod:`textclean.engines` (``mine``, ``clean``); :func:`textclean.clean_corpus`
with ``engine="ray"`` uses it. How a run is split:

1. **Mine** (:func:`mine_dataset`): workers decode and normalise every page
   (``map_batches``); the pages are grouped by site folder across the cluster
   (``groupby().map_groups``) and each site is mined by one worker, in input
   order, with the same :class:`~textclean.mining.Miner` as locally. Only the
   mined rules (small) come back to the driver.
2. **Clean** (:func:`clean_dataset`; ``map_batches``, one :class:`_Clean` per
   worker so rule patterns compile once): decode, normalise, boilerplate,
   in-document dedup, line model, signatures. The cleaned documents stay in
   Ray's object store.
3. **Group**: every long paragraph's exact key and LSH band keys are counted
   across the cluster (``groupby(key).count()``, a vectorised aggregation); only
   keys shared by two or more paragraphs are kept, and only their members come
   back — the collision graph.
4. **Resolve** (driver): the keep rule itself,
   :meth:`~textclean.corpus_dedup.CorpusDedup.judge`, called in input order for
   the documents with a colliding paragraph (for every document when the index
   holds an earlier run's paragraphs). The driver holds the colliding
   paragraphs' signatures, never the corpus.
5. **Apply and write** (``map_batches``): each document gets its
   :class:`~textclean.corpus_dedup.Verdict`
   (:func:`~textclean.corpus_dedup.apply_copies`), the finish step, and is
   written (a ``.txt`` tree by the workers; a JSONL file or Parquet in order
   through the driver, with the same writer as the local engine).

The keep rule uses the input order (sorted relative path for folders, line
order for JSONL, stored order for Parquet), so the output does not depend on the
number of workers or on which finishes first.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .document import Document
from .errors import TextcleanError

__all__ = ["require_ray", "RayEngine", "RayRun", "mine_dataset", "clean_dataset", "dataset_of", "dataset_of_folder",
           "dataset_of_jsonl", "dataset_of_parquet"]


def require_ray() -> Any:
    """Import Ray, or say which extra to install."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise TextcleanError(
            "the Ray engine needs Ray: pip install 'textclean[ray]' (or pip install 'ray[data]')"
        ) from exc
    return ray


# ------------------------------------------------------------------ workers

def _documents_of(batch: dict[str, Any], config: Config) -> list[Document]:
    """Rows -> Documents: a file path (read here, on the worker), or a record (see :func:`_records`)."""
    from .io import read_document, record_document

    out: list[Document] = []
    for i, order in enumerate(batch["order"]):
        kind = batch["kind"][i]
        doc_id = str(batch["id"][i])
        if kind == "path":
            doc = read_document(Path(batch["path"][i]), Path(batch["root"][i]), max_bytes=config.decode.max_bytes,
                                follow_symlinks=bool(batch["follow"][i]))
            doc = doc.replace(id=doc_id)
        else:  # a record, pickled with its number and origin (JSONL line, Parquet row)
            record, number, origin, text_field, id_field = pickle.loads(batch["record"][i])
            doc = record_document(record, number, text_field=text_field, id_field=id_field, origin=origin)
        out.append(doc.replace(order=order))
    return out


def _records(batch: dict[str, Any]) -> dict[str, list]:
    """map_batches: pieces of the input (JSONL lines, Parquet row groups; see
    :func:`dataset_of_jsonl`, :func:`dataset_of_parquet`) -> one row per record, read
    and parsed here as the local engine reads and parses them, numbered in keep order."""
    from .io import _Invalid, _parse_line

    out: dict[str, list] = {name: [] for name in ("order", "id", "kind", "path", "record", "root", "follow")}
    for kind, blob in zip(batch["kind"], batch["record"]):
        if kind == "lines":
            lines, first, origin, text_field, id_field = pickle.loads(blob)
            records: Iterable[Any] = (raw if isinstance(raw, _Invalid) else _parse_line(raw, number)
                                      for number, raw in enumerate(lines, first))
        else:  # a row group
            from .parquet import read_row_group

            location, name, group, rows, first, origin, text_field, id_field = pickle.loads(blob)
            records = read_row_group(location, name, group, rows, first)
        for number, record in enumerate(records, first):
            out["order"].append(number)
            out["record"].append(pickle.dumps((record, number, origin, text_field, id_field)))
    count = len(out["order"])
    out.update(id=[""] * count, kind=["record"] * count, path=[""] * count, root=[""] * count, follow=[False] * count)
    return out


class _Normalized:
    """map_batches: decode and normalise (the mining pass)."""

    def __init__(self, config: Config) -> None:
        import functools

        from .normalize import normalize
        from .pipeline import Map, decode_document

        self.config = config
        self.steps = [
            Map("decode", functools.partial(decode_document, config=config), "skip"),
            Map("normalize", functools.partial(normalize, config=config.normalize), "skip"),
        ]

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        from .mining import group_of

        docs: Iterator[Document] = iter(_documents_of(batch, self.config))
        for step in self.steps:
            docs = step.run(docs)
        out: dict[str, list] = {"group": [], "order": [], "doc": []}
        for doc in docs:
            if doc.skipped:
                continue
            out["group"].append(group_of(doc.id))
            out["order"].append(doc.order)
            out["doc"].append(pickle.dumps(Document(id=doc.id, text=doc.text)))
        return out


def _mine_group(config: Config):  # noqa: ANN202 - a map_groups function
    def mine(group: dict[str, Any]) -> dict[str, list]:
        from .boilerplate import resolve_rules
        from .mining import Miner

        miner = Miner(config.mining, config.boilerplate)
        for index in np.argsort(np.asarray(group["order"]), kind="stable"):
            miner.add(pickle.loads(group["doc"][index]))
        candidates = miner.candidates(resolve_rules(config.boilerplate))
        return {"candidates": [pickle.dumps(candidates)]}

    return mine


class _Clean:
    """map_batches: the per-document steps (decode .. settle), then the paragraph keys."""

    def __init__(self, config: Config, mined: Any) -> None:
        from .pipeline import Map, Pipeline

        self.config = config
        steps = Pipeline.default(config, errors="skip", mined=mined).steps
        self.maps = [step for step in steps if isinstance(step, Map) and step.name != "finish"]

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        docs: Iterator[Document] = iter(_documents_of(batch, self.config))
        for step in self.maps:
            docs = step.run(docs)
        out: dict[str, list] = {"order": [], "doc": []}
        for doc in docs:
            out["order"].append(doc.order)
            out["doc"].append(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
        return out


def _keys(batch: dict[str, Any]) -> dict[str, list]:
    """map_batches: one row per (key, paragraph) for every long paragraph."""
    out: dict[str, list] = {"key": [], "order": [], "pos": []}
    for order, blob in zip(batch["order"], batch["doc"]):
        doc: Document = pickle.loads(blob)
        pending = doc.keys
        if pending is None or doc.skipped:
            continue
        for pos, exact in enumerate(pending.exact):
            out["key"].append(f"e{int(exact):x}")
            out["order"].append(order)
            out["pos"].append(pos)
            for band in pending.bands[pos].tolist():
                out["key"].append(f"b{int(band):x}")
                out["order"].append(order)
                out["pos"].append(pos)
    return out


class _Members:
    """map_batches: the (key, paragraph) rows whose key is shared."""

    def __init__(self, shared: set[str]) -> None:
        self.shared = shared

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        keys = batch["key"].tolist()
        mask = np.fromiter((key in self.shared for key in keys), dtype=bool, count=len(keys))
        return {"key": batch["key"][mask], "order": batch["order"][mask], "pos": batch["pos"][mask]}


class _CollidingInfo:
    """map_batches: what the driver's keep rule needs of each document with a colliding paragraph."""

    def __init__(self, colliding: set[Any] | None) -> None:
        self.colliding = colliding  # None: every document

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        from .document import ParagraphKeys

        out: dict[str, list] = {"order": [], "info": []}
        for order, blob in zip(batch["order"], batch["doc"]):
            if self.colliding is not None and order not in self.colliding:
                continue
            doc: Document = pickle.loads(blob)
            pending = doc.keys
            if pending is None or doc.skipped:
                continue
            slim = ParagraphKeys(pending.lines, pending.exact, pending.signatures, pending.bands, [])
            chars = {line.number: len(line.text) for line in doc.lines()}
            out["order"].append(order)
            out["info"].append(pickle.dumps((doc.id, slim, chars, sum(chars.values()))))
        return out


class _Apply:
    """map_batches: the corpus verdict, the finish step, the writer; rows for the report.
    ``settle``: no writer, and each row says the page's id and whether it is skipped (the
    driver then claims the files of the pages written, in input order: see :class:`_Place`)."""

    def __init__(self, verdicts: Any, writer: Any, settle: bool = False) -> None:
        self.verdicts = verdicts
        self.writer = writer
        self.settle = settle

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        import ray

        from .corpus_dedup import NO_COPIES, apply_copies
        from .pipeline import mark_empty

        verdicts = self.verdicts if isinstance(self.verdicts, dict) else ray.get(self.verdicts)
        out: dict[str, list] = {"order": [], "doc": [], **({"id": [], "skipped": []} if self.settle else {})}
        for order, blob in zip(batch["order"], batch["doc"]):
            doc: Document = pickle.loads(blob)
            pending = doc.keys
            if pending is not None:
                doc = doc.replace(keys=None)
                if not doc.skipped:
                    doc = apply_copies(doc, pending, verdicts.get(order, NO_COPIES))
            if not doc.skipped:
                doc = mark_empty(doc)
            if self.settle:
                out["id"].append(doc.id)
                out["skipped"].append(doc.skipped is not None)
            else:
                if self.writer is not None:
                    doc = next(self.writer.run([doc]))
                doc = doc.replace(order=None)
            out["order"].append(order)
            out["doc"].append(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
        return out


class _Place:
    """map_batches: each settled page (:class:`_Apply` with ``settle``) written where the
    driver claimed its file in input order (``claimed``: order -> its path, or the reason
    it is skipped; a page not there is not written: it was skipped already)."""

    def __init__(self, writer: Any, claimed: Any) -> None:
        self.writer = writer
        self.claimed = claimed

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        import ray

        claimed = self.claimed if isinstance(self.claimed, dict) else ray.get(self.claimed)
        out: dict[str, list] = {"order": [], "doc": []}
        for order, blob in zip(batch["order"], batch["doc"]):
            doc: Document = pickle.loads(blob)
            place = claimed.get(order)
            if place is not None and not doc.skipped:
                doc = doc.skip(*place) if isinstance(place, tuple) else \
                    self.writer.write(doc.replace(output=place), make_folder=True)
            out["order"].append(order)
            out["doc"].append(pickle.dumps(doc.replace(order=None), protocol=pickle.HIGHEST_PROTOCOL))
        return out


# ------------------------------------------------------------------- driver

@dataclasses.dataclass
class RayRun:
    """What a Ray run did: timings per stage and the size of the collision graph."""

    seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    colliding_paragraphs: int = 0
    shared_keys: int = 0


def mine_dataset(dataset: Any, config: Config, run: RayRun | None = None) -> tuple[Any, list]:
    """The mining pass on Ray: pages decoded and normalised by the workers, grouped by
    site across the cluster, each site mined by one worker in input order with the
    same :class:`~textclean.mining.Miner` as locally. Returns ``(MinedRules, candidates)``."""
    import time

    from .mining import MinedRules

    ray = require_ray()
    clock = time.perf_counter()
    normalized = dataset.map_batches(_Normalized, fn_constructor_kwargs={"config": config},
                                     compute=_pool(ray), batch_size=64)
    per_site = normalized.groupby("group", num_partitions=_workers(ray)).map_groups(_mine_group(config))
    candidates = []
    for row in per_site.iter_rows():
        candidates.extend(pickle.loads(row["candidates"]))
    candidates.sort(key=lambda c: c.group)  # Miner.candidates' order: by group, then as found
    if run is not None:
        run.seconds["mine"] = time.perf_counter() - clock
    return MinedRules.from_candidates(candidates), candidates


def clean_dataset(dataset: Any, *, config: Config, mined: Any, corpus: Any, writer: Any = None,
                  run: RayRun | None = None, claim: bool = False) -> Any:
    """Clean a Ray Dataset of input rows; returns a Dataset of finished rows.

    Input rows: ``order`` (the keep order: an int or a sortable string), ``id``,
    ``kind`` (``"path"`` or ``"record"``), ``path`` and ``record`` (a pickled
    ``(record, number, origin, text_field, id_field)``). Output rows: ``order`` and
    ``doc`` (a pickled finished :class:`Document`); sort by ``order`` for input
    order. ``corpus`` (:class:`~textclean.corpus_dedup.CorpusDedup`) decides the
    copies: its ``judge`` is called on the driver, in input order, for every
    document with a paragraph whose keys another paragraph shares (for every
    document when its index is not empty). ``writer`` (a
    :class:`~textclean.io.WriteTree`) writes each kept document on the worker
    that finished it; with ``claim`` (ids that may land on one file: records) the
    pages are settled first (verdicts applied, the last step run), then the driver
    claims the written pages' files in input order, as the local engine does — a later
    id on an earlier one's file (or folder) is skipped, never written over it by
    whichever worker comes last, and a page left empty claims nothing.
    """
    import time

    ray = require_ray()
    run = run if run is not None else RayRun()
    clock = time.perf_counter()
    cleaned = dataset.map_batches(_Clean, fn_constructor_kwargs={"config": config, "mined": mined},
                                  compute=_pool(ray), batch_size=64).materialize()
    run.seconds["clean"] = time.perf_counter() - clock
    clock = time.perf_counter()

    verdicts: dict = {}
    if config.dedup.near and config.dedup.cross_document:
        colliding: set[Any] | None = None  # None: every document (the index holds earlier runs)
        if corpus.index.count == 0 and corpus.store is None:
            colliding = _colliding(cleaned, ray, run)
        if colliding is None or colliding:
            info = {}
            for row in cleaned.map_batches(_CollidingInfo, fn_constructor_kwargs={"colliding": colliding},
                                           compute=_pool(ray), batch_size=256).iter_rows():
                info[row["order"]] = pickle.loads(row["info"])
            for order in sorted(info):  # the keep rule, in input order
                doc_id, pending, chars, total = info[order]
                verdict = corpus.judge(doc_id, pending, chars, total)
                if verdict.dropped or any(hit is not None for hit in verdict.hits):
                    verdicts[order] = verdict
        run.seconds["group+resolve"] = time.perf_counter() - clock

    if writer is None or not claim:
        return cleaned.map_batches(_Apply, fn_constructor_kwargs={"verdicts": verdicts, "writer": writer},
                                   compute=_pool(ray), batch_size=64)
    settled = cleaned.map_batches(_Apply, fn_constructor_kwargs={"verdicts": verdicts, "writer": None,
                                                                 "settle": True},
                                  compute=_pool(ray), batch_size=64).materialize()
    claimed = _claimed(settled, writer)
    return settled.map_batches(_Place, fn_constructor_kwargs={
        "writer": writer, "claimed": ray.put(claimed) if len(claimed) > 10_000 else claimed},
        compute=_pool(ray), batch_size=64)


def _claimed(settled: Any, writer: Any) -> dict[Any, Any]:
    """Each written page's file claimed in input order (:meth:`~textclean.io.WriteTree.claim`;
    a page the verdict or the last step skipped claims none, as the local engine decides):
    its output path, or ``(reason, detail)`` when it cannot be written there."""
    pages = []
    for batch in settled.select_columns(["order", "id", "skipped"]).iter_batches(batch_format="numpy",
                                                                                 batch_size=65_536):
        pages.extend(zip(batch["order"].tolist(), batch["id"].tolist(), batch["skipped"].tolist()))
    pages.sort()
    claims = writer.claims()
    out: dict[Any, Any] = {}
    for order, doc_id, skipped in pages:
        if not skipped:
            placed = writer.claim(Document(id=doc_id), claims, make_folder=False)
            out[order] = (placed.skipped, placed.detail) if placed.skipped else placed.output
    return out


def _colliding(cleaned: Any, ray: Any, run: RayRun) -> set[Any]:
    """The documents with a long paragraph whose exact or band key another paragraph
    shares: every key counted across the cluster (a vectorised aggregation), the
    shared ones kept, and only their members brought back — the collision graph."""
    keyed = cleaned.map_batches(_keys, batch_size=256).materialize()
    counts = keyed.groupby("key", num_partitions=_workers(ray)).count()
    shared_keys = set()
    for batch in counts.iter_batches(batch_format="numpy", batch_size=65_536):
        shared_keys.update(batch["key"][batch["count()"] >= 2].tolist())
    members: set[tuple[Any, int]] = set()
    if shared_keys:
        rows = keyed.map_batches(_Members, fn_constructor_kwargs={"shared": shared_keys},
                                 compute=_pool(ray), batch_size=4096)
        for batch in rows.iter_batches(batch_format="numpy", batch_size=65_536):
            members.update(zip(batch["order"].tolist(), batch["pos"].tolist()))
    run.shared_keys = len(shared_keys)
    run.colliding_paragraphs = len(members)
    return {order for order, _ in members}


class RayEngine:
    """The engine on a Ray cluster (``address``; by default a local Ray with ``jobs``
    CPUs, started and stopped by the engine)."""

    name = "ray"

    def __init__(self, *, jobs: int = 1, address: str | None = None) -> None:
        self.jobs = jobs
        self.address = address
        self.run = RayRun()
        self._started = False
        self._datasets: dict[int, Any] = {}

    def __enter__(self) -> RayEngine:
        import logging

        ray = require_ray()
        if not ray.is_initialized():
            ray.init(address=self.address, num_cpus=None if self.address else self.jobs,
                     include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
            self._started = True
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc: object) -> None:
        self._datasets.clear()
        if self._started:
            require_ray().shutdown()
            self._started = False

    def notes(self) -> list[str]:
        """What the run did, for the end of a CLI run."""
        stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.run.seconds.items())
        return [f"ray: {stages}; {self.run.colliding_paragraphs} colliding paragraphs"]

    def _dataset(self, source: Any) -> Any:
        key = id(source)
        if key not in self._datasets:
            self._datasets[key] = dataset_of(source)
        return self._datasets[key]

    def mine(self, source: Any, config: Config, *, advance: Any = None) -> tuple[Any, list]:
        return mine_dataset(self._dataset(source), config, self.run)

    def clean(self, source: Any, config: Config, *, mined: Any, corpus: Any, writer: Any,
              skip: int = 0, traces: bool = True) -> Iterator[Document]:
        from .io import WriteTree

        if skip:
            raise TextcleanError("a Ray run is not resumed; it is restarted whole")
        from .sources import FolderSource, TextFileSource

        on_workers = writer if isinstance(writer, WriteTree) else None
        # a folder's pages are its files: each id its own path, no two on one file (records' ids may be)
        claim = on_workers is not None and not isinstance(source, (FolderSource, TextFileSource))
        finished = clean_dataset(self._dataset(source), config=config, mined=mined, corpus=corpus,
                                 writer=on_workers, run=self.run, claim=claim)

        def documents() -> Iterator[Document]:
            for row in finished.sort("order").iter_rows():
                yield pickle.loads(row["doc"])

        return documents() if on_workers is not None else writer.run(documents())


def dataset_of(source: Any) -> Any:
    """The input rows of a :mod:`textclean.sources` source."""
    from .sources import FolderSource, JsonlSource, ParquetSource, TextFileSource

    if isinstance(source, FolderSource):
        return dataset_of_folder(source.files, source.path, follow_symlinks=source.follow_symlinks)
    if isinstance(source, TextFileSource):
        return dataset_of_folder([source.path], source.path.parent, follow_symlinks=True)
    if isinstance(source, JsonlSource):
        return dataset_of_jsonl(source.path, text_field=source.text_field, id_field=source.id_field)
    if isinstance(source, ParquetSource):
        return dataset_of_parquet(source)
    raise TextcleanError(f"the Ray engine cannot read a {type(source).__name__}")


def _workers(ray: Any) -> int:
    """The cluster's CPUs: actor pool size and shuffle partitions."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _blocks(ray: Any, rows: int) -> int:
    """Enough blocks that every worker has work; about 256 rows each on big inputs."""
    return max(1, min(rows, max(4 * _workers(ray), rows // 256)))


def _pool(ray: Any) -> Any:
    return ray.data.ActorPoolStrategy(size=_workers(ray))


def dataset_of_folder(files: list[Path], root: Path, *, follow_symlinks: bool = False) -> Any:
    """Input rows for a folder of ``.txt`` files (read by the workers, as the local engine reads them)."""
    ray = require_ray()
    rows = [{"order": i, "id": p.relative_to(root).as_posix(), "kind": "path", "path": str(p), "record": b"",
             "root": str(root), "follow": follow_symlinks}
            for i, p in enumerate(files)]
    return ray.data.from_items(rows, override_num_blocks=_blocks(ray, len(rows)))


PIECE_BYTES = 1 << 18  # JSONL lines per piece of the input the driver hands out, about
GROUP_BYTES = 64 << 20  # JSONL bytes the driver holds before handing them to the object store


def _dataset_of_pieces(pieces: Iterable[dict[str, Any]]) -> Any:
    """Input rows, one per record, from ``pieces`` of the input (see :func:`_piece`):
    the pieces put in the object store ``GROUP_BYTES`` at a time, so the driver never
    holds the input whole; read into records by the workers (:func:`_records`), cut
    into blocks for the records there are, and kept in the object store for both
    passes, as rows the driver made were before."""
    ray = require_ray()
    parts, group, held, records = [], [], 0, 0
    for piece in pieces:
        group.append(piece)
        held += len(piece["record"])
        records += piece.pop("rows")
        if held >= GROUP_BYTES:
            parts.append(ray.data.from_items(group, override_num_blocks=_blocks(ray, len(group))))
            group, held = [], 0
    if group or not parts:
        parts.append(ray.data.from_items(group, override_num_blocks=_blocks(ray, len(group))))
    dataset = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])
    # materialized here, while no actor pool holds the CPUs (the read tasks would wait for them)
    return dataset.map_batches(_records, batch_size=None).repartition(_blocks(ray, records)).materialize()


def _piece(kind: str, rows: int, piece: tuple) -> dict[str, Any]:
    """A piece of the input: ``rows`` records, what :func:`_records` reads them from."""
    return {"kind": kind, "rows": rows, "record": pickle.dumps(piece)}


def dataset_of_jsonl(path: Path, *, text_field: str, id_field: str) -> Any:
    """Input rows for a JSONL(.gz) file, one per line, numbered as the local engine
    numbers them: the driver only cuts the file into pieces of about ``PIECE_BYTES``
    of lines; the workers parse them."""
    from .io import _jsonl_lines

    origin = Path(path).name

    def pieces() -> Iterator[dict[str, Any]]:
        lines: list[Any] = []
        first, size = 1, 0
        for number, raw in enumerate(_jsonl_lines(Path(path)), 1):
            lines.append(raw)
            size += len(raw) if isinstance(raw, bytes) else 0
            if size >= PIECE_BYTES:
                yield _piece("lines", len(lines), (lines, first, origin, text_field, id_field))
                lines, first, size = [], number + 1, 0
        if lines:
            yield _piece("lines", len(lines), (lines, first, origin, text_field, id_field))

    return _dataset_of_pieces(pieces())


def dataset_of_parquet(source: Any) -> Any:
    """Input rows for a :class:`~textclean.sources.ParquetSource`, one per row, numbered
    in stored order as the local engine numbers them: the driver reads the files'
    footers only; each row group is read by a worker."""
    from .parquet import row_groups

    origin = source.path.name
    return _dataset_of_pieces(
        _piece("row group", rows, (source.location, name, group, rows, first, origin, source.text_field,
                                   source.id_field))
        for name, group, first, rows in row_groups(source.location))
