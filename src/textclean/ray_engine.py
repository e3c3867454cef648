"""The Ray engine: the same pipeline on Ray Data, byte-identical to the local engine.

Install with ``pip install 'textclean[ray]'``; Ray is imported only when this
engine runs. How a run is split (``run_ray``):

1. **Mine** (folders): workers decode and normalise every page
   (``map_batches``); the pages are grouped by site folder across the cluster
   (``groupby().map_groups``) and each site is mined by one worker, in path
   order, with the same :class:`~textclean.mining.Miner` as locally. Only the
   mined rules (small) come back to the driver.
2. **Clean** (``map_batches``, one :class:`_Clean` per worker so rule patterns
   compile once): decode, normalise, boilerplate, in-document dedup, signatures.
   The cleaned documents stay in Ray's object store.
3. **Group**: every long paragraph's exact key and LSH band keys are counted
   across the cluster (``groupby(key).count()``, a vectorised aggregation); only
   keys shared by two or more paragraphs are kept, and only their members come
   back — the collision graph. The keep rule only ever has to look at it.
4. **Resolve** (driver): the keep rule — the first copy in input order wins,
   a document mostly made of copies is dropped — replayed over the colliding
   paragraphs only, in input order, exactly as :class:`~textclean.dedup.CorpusDedup`
   decides locally (first indexed paragraph per key, candidates in index order).
   The driver holds the collision graph and the colliding paragraphs'
   signatures, never the corpus.
5. **Apply and write** (``map_batches``): each document gets its verdict
   (:func:`~textclean.dedup.apply_copies`), the finish step, and is written
   (a ``.txt`` tree is written by the workers; a JSONL file is streamed in
   order through the driver, as it must be one file).

The keep rule uses the input order (sorted relative path for folders, line
order for JSONL, sorted id for Parquet), so the output does not depend on the
number of workers or on which finishes first.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .document import Document
from .errors import TextcleanError

__all__ = ["require_ray", "clean_dataset", "dataset_of_folder", "dataset_of_jsonl", "dataset_of_parquet",
           "write_parquet", "RayRun"]


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
    """Rows -> Documents: a file path (read here, on the worker), raw bytes or text."""
    from .io import read_document, record_document

    out: list[Document] = []
    for i, order in enumerate(batch["order"]):
        kind = batch["kind"][i]
        doc_id = str(batch["id"][i])
        if kind == "path":
            doc = read_document(Path(batch["path"][i]), Path(batch["root"][i]), max_bytes=config.decode.max_bytes,
                                follow_symlinks=bool(batch["follow"][i]))
            doc = dataclasses.replace(doc, id=doc_id)
        else:  # a record, pickled with its number and origin (JSONL line, Parquet row)
            record, number, origin, text_field, id_field = pickle.loads(batch["record"][i])
            doc = record_document(record, number, text_field=text_field, id_field=id_field, origin=origin)
        out.append(dataclasses.replace(doc, meta={**doc.meta, "order": order}))
    return out


class _Normalized:
    """map_batches: decode and normalise (the mining pass)."""

    def __init__(self, config: Config) -> None:
        from .pipeline import Map, decode_document
        from .normalize import normalize
        import functools

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
            out["order"].append(doc.meta["order"])
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
            out["order"].append(doc.meta["order"])
            out["doc"].append(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
        return out


def _keys(batch: dict[str, Any]) -> dict[str, list]:
    """map_batches: one row per (key, paragraph) for every long paragraph."""
    out: dict[str, list] = {"key": [], "order": [], "pos": []}
    for order, blob in zip(batch["order"], batch["doc"]):
        doc: Document = pickle.loads(blob)
        pending = doc.meta.get("dedup")
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
    """map_batches: what the driver's replay needs of each document with a colliding paragraph."""

    def __init__(self, colliding: set[Any]) -> None:
        self.colliding = colliding

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        out: dict[str, list] = {"order": [], "info": []}
        for order, blob in zip(batch["order"], batch["doc"]):
            if order not in self.colliding:
                continue
            doc: Document = pickle.loads(blob)
            pending = doc.meta["dedup"]
            chars = {line.number: len(line.text) for line in doc.lines()}
            out["order"].append(order)
            out["info"].append(pickle.dumps(((doc.id, pending.lines, pending.signatures), (chars, sum(chars.values())))))
        return out


class _Apply:
    """map_batches: the corpus verdict, the finish step, the writer; rows for the report."""

    def __init__(self, config: Config, verdicts: Any, writer: Any) -> None:
        self.config = config
        self.verdicts = verdicts
        self.writer = writer

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        import ray

        from .dedup import apply_copies
        from .pipeline import mark_empty
        from .report import Report

        verdicts = self.verdicts if isinstance(self.verdicts, dict) else ray.get(self.verdicts)
        out: dict[str, list] = {"order": [], "doc": [], "entry": []}
        for order, blob in zip(batch["order"], batch["doc"]):
            doc: Document = pickle.loads(blob)
            pending = doc.meta.get("dedup")
            if pending is not None:
                doc = dataclasses.replace(doc, meta={k: v for k, v in doc.meta.items() if k != "dedup"})
                if not doc.skipped:
                    hits = verdicts.get(order) or [None] * len(pending.lines)
                    doc = apply_copies(doc, pending, hits, self.config.dedup)
            if not doc.skipped:
                doc = mark_empty(doc)
            if self.writer is not None:
                doc = next(self.writer.run([doc]))
            meta = {k: v for k, v in doc.meta.items() if k not in ("order",)}
            doc = dataclasses.replace(doc, meta=meta)
            out["order"].append(order)
            out["doc"].append(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
            out["entry"].append(pickle.dumps(Report.entry(doc)))
        return out


# ------------------------------------------------------------------- driver

def _resolve(groups: dict[str, list[tuple[Any, int]]], info: dict[Any, tuple[str, list[int], np.ndarray]],
             threshold: float, document_share: float, texts_of: dict[Any, tuple[dict[int, int], int]]) -> dict:
    """Replay the local keep rule over the colliding paragraphs, in input order.

    Locally each key remembers the first paragraph *indexed* under it, and a
    paragraph is indexed when its document is not dropped and it is not itself a
    copy. Candidates are tried in index order, which is input order.
    """
    from .dedup import similarity

    keys_of: dict[tuple[Any, int], list[str]] = {}
    for key, members in groups.items():
        for member in members:
            keys_of.setdefault(member, []).append(key)
    first: dict[str, tuple[Any, int]] = {}
    verdicts: dict[Any, list] = {}
    for order in sorted(info):
        doc_id, lines, signatures = info[order]
        line_chars, total = texts_of[order]
        hits: list[tuple[str, int, float] | None] = []
        for pos in range(len(lines)):
            keys = keys_of.get((order, pos), [])
            hit = None
            exact = [first[k] for k in keys if k[0] == "e" and k in first]
            if exact:
                other = exact[0]
                hit = (info[other[0]][0], info[other[0]][1][other[1]], 1.0)
            else:
                for other in sorted({first[k] for k in keys if k[0] == "b" and k in first}):
                    score = similarity(signatures[pos], info[other[0]][2][other[1]])
                    if score >= threshold:
                        hit = (info[other[0]][0], info[other[0]][1][other[1]], score)
                        break
            hits.append(hit)
        copied_chars = sum(line_chars[lines[pos]] for pos, hit in enumerate(hits) if hit is not None)
        if any(hits):
            verdicts[order] = hits
        if total and copied_chars >= document_share * total:
            continue  # dropped whole: nothing of it is indexed
        for pos, hit in enumerate(hits):
            if hit is None:
                for key in keys_of.get((order, pos), []):
                    first.setdefault(key, (order, pos))
    return verdicts


@dataclasses.dataclass
class RayRun:
    """What :func:`run_ray` did: the mined candidates and timings per stage."""

    candidates: list = dataclasses.field(default_factory=list)
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    colliding_paragraphs: int = 0
    shared_keys: int = 0


def clean_dataset(
    dataset: Any,
    *,
    config: Config | None = None,
    mine: bool = True,
    writer: Any = None,
    run: RayRun | None = None,
) -> Any:
    """Clean a Ray Dataset of input rows; returns a Dataset of finished rows.

    Input rows: ``order`` (the keep-rule order: an int or a sortable string),
    ``id``, ``kind`` (``"path"`` or ``"record"``), ``path`` and ``record``
    (a pickled ``(record, number, origin, text_field, id_field)``). Output rows:
    ``order``, ``doc`` (a pickled finished :class:`Document`) and ``entry``
    (its pickled report entry); sort by ``order`` for input order. ``writer``
    (a :class:`~textclean.io.WriteTree`) writes each kept document on the
    worker that finished it.
    """
    import time

    ray = require_ray()
    config = config or Config()
    run = run if run is not None else RayRun()
    clock = time.perf_counter()

    mined = None
    if mine and config.mining.mine:
        from .mining import MinedRules
        from .boilerplate import RuleSet

        normalized = dataset.map_batches(_Normalized, fn_constructor_kwargs={"config": config},
                                         compute=_pool(ray), batch_size=64)
        per_site = normalized.groupby("group", num_partitions=_workers(ray)).map_groups(_mine_group(config))
        candidates = []
        for row in per_site.iter_rows():
            candidates.extend(pickle.loads(row["candidates"]))
        candidates.sort(key=lambda c: c.group)  # Miner.candidates' order: by group, then as found
        run.candidates = candidates
        rules: dict[str, list] = {}
        for candidate in candidates:
            rules.setdefault(candidate.group, []).append(candidate.to_rule())
        mined = MinedRules({group: RuleSet(tuple(found)) for group, found in rules.items()})
        run.seconds["mine"] = time.perf_counter() - clock
        clock = time.perf_counter()

    cleaned = dataset.map_batches(_Clean, fn_constructor_kwargs={"config": config, "mined": mined},
                                  compute=_pool(ray), batch_size=64).materialize()
    run.seconds["clean"] = time.perf_counter() - clock
    clock = time.perf_counter()

    verdicts: dict = {}
    if config.dedup.near and config.dedup.cross_document:
        keyed = cleaned.map_batches(_keys, batch_size=256).materialize()
        # Count every key across the cluster (a vectorised aggregation), keep the shared ones,
        # and bring back only their members: the collision graph.
        counts = keyed.groupby("key", num_partitions=_workers(ray)).count()
        shared_keys = set()
        for batch in counts.iter_batches(batch_format="numpy", batch_size=65_536):
            shared_keys.update(batch["key"][batch["count()"] >= 2].tolist())
        groups: dict[str, list] = {}
        if shared_keys:
            members = keyed.map_batches(_Members, fn_constructor_kwargs={"shared": shared_keys},
                                        compute=_pool(ray), batch_size=4096)
            for batch in members.iter_batches(batch_format="numpy", batch_size=65_536):
                for key, order, pos in zip(batch["key"].tolist(), batch["order"].tolist(), batch["pos"].tolist()):
                    groups.setdefault(key, []).append((order, pos))
            for key in groups:
                groups[key].sort()
        run.shared_keys = len(groups)
        colliding = {member[0] for members in groups.values() for member in members}
        run.colliding_paragraphs = len({m for members in groups.values() for m in members})
        if colliding:
            info, texts = {}, {}
            for row in cleaned.map_batches(_CollidingInfo, fn_constructor_kwargs={"colliding": colliding},
                                           compute=_pool(ray), batch_size=256).iter_rows():
                info[row["order"]], texts[row["order"]] = pickle.loads(row["info"])
            verdicts = _resolve(groups, info, config.dedup.threshold, config.dedup.document_share, texts)
        run.seconds["group+resolve"] = time.perf_counter() - clock
        clock = time.perf_counter()

    return cleaned.map_batches(_Apply, fn_constructor_kwargs={"config": config, "verdicts": verdicts,
                                                              "writer": writer},
                               compute=_pool(ray), batch_size=64)


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


def dataset_of_jsonl(path: Path, *, text_field: str, id_field: str) -> Any:
    """Input rows for a JSONL file, one per line (numbered as the local engine numbers them)."""
    from .io import jsonl_records

    ray = require_ray()

    def rows() -> Iterator[dict[str, Any]]:
        for number, record in enumerate(jsonl_records(Path(path)), 1):
            yield {"order": number, "id": "", "kind": "record", "path": "",
                   "record": pickle.dumps((record, number, Path(path).name, text_field, id_field))}

    items = list(rows())
    return ray.data.from_items(items, override_num_blocks=_blocks(ray, len(items)))



def _parquet_rows(batch: dict[str, Any], origin: str, text_field: str, id_field: str) -> dict[str, list]:
    """map_batches: Parquet rows -> input rows; the keep order is the sorted id."""
    names = list(batch)
    count = len(batch[names[0]]) if names else 0
    out: dict[str, list] = {"order": [], "id": [], "kind": [], "path": [], "record": []}
    for i in range(count):
        record = {name: _plain(batch[name][i]) for name in names}
        doc_id = record.get(id_field)
        if doc_id is None or doc_id == "":
            raise TextcleanError(f"a Parquet row has no {id_field!r}; the Ray engine orders Parquet rows "
                                 "by id, so every row needs one (choose the column with --id-field)")
        out["order"].append(str(doc_id))
        out["id"].append(str(doc_id))
        out["kind"].append("record")
        out["path"].append("")
        out["record"].append(pickle.dumps((record, 0, origin, text_field, id_field)))
    return out


def _plain(value: Any) -> Any:
    """A numpy scalar or array from a batch as a plain Python value (JSON-able)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def dataset_of_parquet(path: Path | str, *, text_field: str = "text", id_field: str = "id") -> Any:
    """Input rows for Parquet file(s) (a path or folder; Ray's file systems, e.g. ``s3://``).

    Rows are kept in sorted-id order (the first copy by id wins), so ids must be
    present and unique.
    """
    ray = require_ray()
    origin = Path(str(path)).name
    # Materialised here, in the object store: read tasks must not wait for CPUs that the
    # later stages' actor pools hold.
    return ray.data.read_parquet(str(path)).map_batches(
        _parquet_rows, fn_kwargs={"origin": origin, "text_field": text_field, "id_field": id_field}, batch_size=256,
    ).materialize()


def _records(batch: dict[str, Any], text_field: str) -> dict[str, list]:
    import json

    from .io import record_of

    rows: list[dict[str, Any]] = []
    for blob in batch["doc"]:
        doc: Document = pickle.loads(blob)
        if doc.skipped:
            continue
        record = record_of(doc, text_field=text_field)
        record["textclean"] = json.dumps(record["textclean"], ensure_ascii=False)
        rows.append(record)
    columns = sorted({name for row in rows for name in row})
    return {name: [row.get(name) for row in rows] for name in columns}


def write_parquet(finished: Any, out_dir: Path | str, *, text_field: str = "text") -> None:
    """Write the kept records of :func:`clean_dataset`'s result as Parquet files in
    ``out_dir``, in keep order; the ``textclean`` object is a JSON string column."""
    finished.sort("order").map_batches(_records, fn_kwargs={"text_field": text_field}, batch_size=256).write_parquet(
        str(out_dir)
    )
