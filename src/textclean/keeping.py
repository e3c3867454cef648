"""Worker processes that keep each page until the corpus pass has judged it.

A corpus run with ``jobs > 1`` over a folder of pages, a JSONL file or Parquet gives each
page's whole life to one worker (:class:`KeepingPool`): the mining pass reads (a file) or
parses (a JSONL line; a Parquet record comes read), decodes and normalises it there (and
the worker keeps it, within its room), then the cleaning pass runs the per-page steps
there and — once the parent has judged the page against every earlier one, in input
order — its copies are removed, the last step runs, its file is written (a tree) or its
JSONL line or Parquet row made, and its report items are made, there. The parent receives a page's keys (its long
paragraphs' exact keys, signatures and band keys: what the keep rule reads) and, at
the end, the finished page for the report and the journal (and its line or row, which
it appends to the output in input order); it no longer parses records, applies verdicts
nor writes files, which capped how far more workers could take a run.

The messages (``inbox``: parent to worker, ``outbox``: back):

- ``("mining", blob)``: the mining pass's steps, its observe step and the worker's room
  (characters of normalised pages it keeps);
- ``("observe", [(seq, doc), ...])`` → ``("observed", [(seq, observation, input bytes,
  kept), ...])``;
- ``("steps", blob)``: the cleaning pass's per-page steps, the finishing function and how
  many leading steps a kept page went through already;
- ``("clean", [(seq, doc, kept), ...])`` → ``("keys", [(seq, request), ...])``: the steps
  run (a kept page: the one the worker holds, from the step after normalize; ``doc`` is
  then only its :attr:`~textclean.document.Document.place`) and the page is kept;
  ``request`` is a :data:`JudgeRequest`;
- ``("finish", [(seq, verdict, claimed), ...])`` → ``("done", [(seq, (doc, line)), ...])``:
  the verdict applied (None: nothing to apply), the last step run, the page written
  where the parent claimed (a tree; ``claimed``: the output path decided in input
  order, or the reason it is skipped) or its ``line`` made for the parent to append (a
  JSONL line, a Parquet row), the report items packed;
- for a tree, in two steps, so that only a page that is written claims its file (as
  the one-process writer decides, after the last step: a page the verdict or the last
  step empties must not keep a later id off the file): ``("settle", [(seq, verdict),
  ...])`` → ``("settled", [(seq, written), ...])`` (the verdict applied, the last step
  run, the page held; ``written``: it is not skipped), then ``("place", [(seq, claimed),
  ...])`` → ``("done", ...)`` (written where the parent claimed, in input order);
- ``("stop",)``. A worker that fails outside a page's steps sends ``("error", failure)``: a
  :class:`~textclean.errors.TextcleanError` (an output that cannot be written), which the
  parent raises as it is, or the traceback of anything else.

The parent never blocks on a full pipe: a sender thread writes the inboxes, and the
parent's loop drains every outbox that has something.
"""

from __future__ import annotations

import collections
import pickle
import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from .document import Document
from .errors import TextcleanError, WorkerError

__all__ = ["KeepingPool", "JudgeRequest", "Finishing", "finish_page", "settle_page", "place_page"]

# What the parent reads of a kept page: its id, whether a step skipped it, and for the keep
# rule (None: nothing to judge) its keys without the headings, the characters of each of its
# long paragraphs and of all its lines (see CorpusDedup.judge).
JudgeRequest = tuple[str, bool, "tuple[Any, list[int], int] | None"]


def _request(doc: Document) -> JudgeRequest:
    """The :data:`JudgeRequest` of a page the steps made."""
    pending = doc.keys
    if pending is None or doc.skipped:
        return doc.id, doc.skipped is not None, None
    chars = {line.number: len(line.text) for line in doc.lines()}
    light = type(pending)(lines=pending.lines, exact=pending.exact, signatures=pending.signatures,
                          bands=pending.bands, before=[])
    return doc.id, False, (light, [chars[line] for line in pending.lines], sum(chars.values()))


@dataclass(frozen=True)
class Finishing:
    """What a worker does with a page once the parent judged it (see :func:`finish_page`),
    whole or in the two steps a tree takes (:meth:`settle`, then :meth:`place`)."""

    finish: Any  # the pipeline's last step
    writer: Any
    trace: bool = True

    def __call__(self, doc: Document, verdict: Any, claimed: Any) -> tuple[Document, Any]:
        return finish_page(doc, verdict, claimed, finish=self.finish, writer=self.writer, trace=self.trace)

    def settle(self, doc: Document, verdict: Any) -> Document:
        return settle_page(doc, verdict, finish=self.finish)

    def place(self, doc: Document, claimed: Any) -> tuple[Document, Any]:
        return place_page(doc, claimed, writer=self.writer, trace=self.trace)


def settle_page(doc: Document, verdict: Any, *, finish: Any) -> Document:
    """A kept page with ``verdict`` applied (None: the page had nothing to judge) and the
    ``finish`` step run: what it is when it is written, or skipped."""
    from .corpus_dedup import apply_copies

    pending = doc.keys
    doc = doc.replace(keys=None)
    if verdict is not None and pending is not None and not doc.skipped:
        doc = apply_copies(doc, pending, verdict)
    return next(finish.run([doc]))


def place_page(doc: Document, claimed: Any, *, writer: Any, trace: bool = True) -> tuple[Document, Any]:
    """A settled page (:func:`settle_page`) written and its report items packed (see
    :func:`finish_page`)."""
    from .io import WriteJsonl
    from .parquet import WriteParquet
    from .report import pack_removals

    line = None
    if isinstance(writer, (WriteJsonl, WriteParquet)):
        line = writer.encode(doc)
    elif not doc.skipped and claimed is not None:
        doc = doc.skip(*claimed) if isinstance(claimed, tuple) else writer.write(doc.replace(output=claimed),
                                                                                make_folder=True)
    doc = pack_removals(doc, trace=trace)
    return (doc if trace or doc.record is None else doc.replace(record=None)), line


def finish_page(doc: Document, verdict: Any, claimed: Any, *, finish: Any, writer: Any, trace: bool = True
                ) -> tuple[Document, Any]:
    """A kept page after the corpus pass: ``verdict`` applied (None: the page had nothing
    to judge), the ``finish`` step run, the page written, and its report items packed
    (:func:`~textclean.report.pack_removals`) — what the parent and the writer did.
    Written: into a tree (:class:`~textclean.io.WriteTree`) at ``claimed`` (its output
    path, or ``(reason, detail)`` when it cannot be written there); for a JSONL file
    (:class:`~textclean.io.WriteJsonl`) or Parquet (:class:`~textclean.parquet.WriteParquet`),
    its line or row is made here and returned beside the page (None: not written), for
    the parent to append in input order.
    ``trace=False``: the page goes back without its trace, which its packed report items
    say all of (the parent's unpickling of each removal was most of its receiving), nor
    its input record (a record's text and fields, which only its line holds now)."""
    return place_page(settle_page(doc, verdict, finish=finish), claimed, writer=writer, trace=trace)


def _worker(inbox: Any, outbox: Any, pure: str | None, theirs: list[Any]) -> None:
    """A worker's loop (see the module's messages). ``theirs``: the parent's ends of the
    pipes, which a worker forked from the parent holds copies of (closed here)."""
    from .pipeline import _start_worker, budget_handler

    for connection in theirs:
        connection.close()
    _start_worker(pure)
    steps: list[Any] = []
    skip_normalized = 0  # the leading steps a page normalised by the mining pass went through already
    finish: Callable[[Document, Any, Any], Any] | None = None
    held: dict[int, Document] = {}
    mining: list[Any] = []
    observe: Any = None
    room = 0  # characters of normalised pages this worker may still keep for the cleaning pass
    normalized: dict[int | str, Document] = {}  # by Document.place
    try:
        with budget_handler():
            while True:
                message = inbox.recv()
                kind = message[0]
                if kind == "stop":
                    return
                if kind == "steps":
                    steps, finish, skip_normalized = pickle.loads(message[1])
                elif kind == "mining":
                    mining, observe, room = pickle.loads(message[1])
                elif kind == "observe":
                    out = []
                    for seq, doc in message[1]:
                        place = doc.place  # (a record's id is known once its line is parsed)
                        for step in mining:
                            doc = next(step.run([doc]))
                        kept = None
                        size = SKIPPED_ROOM if doc.skipped else len(doc.text)
                        if size <= room and place not in normalized:
                            room -= size
                            normalized[place] = kept = doc
                        doc = next(observe.run([doc]))
                        out.append((seq, doc.observation, doc.bytes_in or doc.chars_in * 3, kept is not None))
                    outbox.send(("observed", out))
                elif kind == "clean":
                    out = []
                    for seq, doc, was_normalized in message[1]:
                        todo = steps
                        if was_normalized:  # ``doc`` is the page's place: the page is here
                            doc, todo = normalized.pop(doc), steps[skip_normalized:]
                        for step in todo:
                            doc = next(step.run([doc]))
                        held[seq] = doc
                        out.append((seq, _request(doc)))
                    outbox.send(("keys", out))
                elif kind == "finish":
                    assert finish is not None
                    outbox.send(("done", [(seq, finish(held.pop(seq), verdict, claimed))
                                          for seq, verdict, claimed in message[1]]))
                elif kind == "settle":  # (a tree: the page claims its file once it is known to be written)
                    assert finish is not None
                    out = []
                    for seq, verdict in message[1]:
                        doc = held[seq] = finish.settle(held[seq], verdict)
                        out.append((seq, doc.skipped is None))
                    outbox.send(("settled", out))
                elif kind == "place":
                    assert finish is not None
                    outbox.send(("done", [(seq, finish.place(held.pop(seq), claimed)) for seq, claimed in message[1]]))
    except EOFError:  # the parent is gone
        return
    except TextcleanError as exc:  # a run that cannot go on (an output that cannot be written): the same error there
        _send_failure(outbox, exc)
    except BaseException:  # noqa: BLE001 - sent to the parent, which stops the run with it
        _send_failure(outbox, traceback.format_exc())


PIPE_BYTES = 1 << 20  # what each pipe holds before its writer waits (see _widen)
# The room a page set aside by the mining pass takes (its text is gone; its reason stays):
# kept too, so that a pass where every page was kept reads nothing of the input again.
SKIPPED_ROOM = 256


def _widen(connection: Any) -> None:
    """Let ``connection``'s pipe hold :data:`PIPE_BYTES` (Linux's default is 64 KB, less
    than a chunk of finished pages: a worker sat ~0.25 s of a 2 s run blocked on sends,
    until the parent read, ~0.1 s with 1 MB). Where it cannot be set (elsewhere, or
    past the system's ``pipe-max-size``), the pipe stays as it is."""
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        pass


def _send_failure(outbox: Any, failure: Any) -> None:
    """Tell the parent why this worker stops (an exception it raises again, or a traceback)."""
    try:
        outbox.send(("error", failure))
    except (OSError, EOFError, pickle.PicklingError, TypeError, AttributeError):  # gone, or not picklable
        try:
            outbox.send(("error", repr(failure)))
        except (OSError, EOFError):
            pass


class KeepingPool:
    """``jobs`` worker processes that keep the pages they cleaned (see the module).

    :meth:`run` streams documents through ``steps`` in the workers, hands each
    page's :data:`JudgeRequest` to ``judge`` in input order — which returns the
    verdict to apply and the page's claimed output — and yields the finished pages
    in input order. A worker that dies stops the run with :class:`WorkerError`.

    ``warm``: what to build in this process before the workers are forked from it
    (:func:`~textclean.pipeline.warm_up` for the run's config): they start with it,
    instead of each building it on its first pages. Measured on the generated 10 MB
    with two workers, alternately: ~0.4 s less CPU in all and ~15 % less wall time,
    for ~0.17 s more in the parent, once.
    """

    _STOP_SECONDS = 5.0

    def __init__(self, jobs: int, *, warm: Callable[[], None] | None = None) -> None:
        self.jobs = jobs
        self.warm = warm  # what to build here before the workers are forked from this process (see _start)
        self._processes: list[Any] = []
        self._inboxes: list[Any] = []
        self._outboxes: list[Any] = []
        # what the sender thread writes to the inboxes, in order (None: stop after the rest)
        self._sending: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        self._answered = False
        # page's place -> the worker keeping it normalised (mining), in input order; and how
        # many pages the mining pass saw (all of them kept: the cleaning pass reads no input)
        self._normalized_by: dict[int | str, int] = {}
        self._observed = -1

    def __enter__(self) -> KeepingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ processes

    def _start(self) -> None:
        import gc
        import os

        from .pipeline import _worker_context

        context = _worker_context(self.warm)
        forked = context.get_start_method() == "fork"
        if forked:  # what this process holds stays out of the workers' garbage collections (no copies of its pages)
            gc.freeze()
        try:
            for _ in range(self.jobs):
                inbox_reader, inbox_writer = context.Pipe(duplex=False)
                outbox_reader, outbox_writer = context.Pipe(duplex=False)
                _widen(inbox_writer)
                _widen(outbox_writer)
                # a forked worker closes its copies of the parent's ends: its inbox must end when the parent's does
                theirs = [*self._inboxes, *self._outboxes, inbox_writer, outbox_reader] if forked else []
                process = context.Process(target=_worker, args=(inbox_reader, outbox_writer,
                                                                os.environ.get("TEXTCLEAN_PURE"), theirs), daemon=True)
                process.start()
                inbox_reader.close()
                outbox_writer.close()
                self._processes.append(process)
                self._inboxes.append(inbox_writer)
                self._outboxes.append(outbox_reader)
        finally:
            if forked:
                gc.unfreeze()
        self._sender = threading.Thread(target=self._send_loop, name="textclean-keeping-send", daemon=True)
        self._sender.start()

    def _send_loop(self) -> None:
        while True:
            item = self._sending.get()
            if item is None:  # (after every message queued before it)
                return
            connection, message = item
            try:
                connection.send(message)
            except (OSError, ValueError):  # a dead worker: the parent's loop sees it die (its sentinel)
                pass

    def _send(self, worker: int, message: Any) -> None:
        self._sending.put((self._inboxes[worker], message))

    def close(self) -> None:
        """Stop the workers: each finishes what it holds in hand and exits; one still
        busy after ``_STOP_SECONDS`` (or after Ctrl-C) is terminated."""
        import time

        if not self._processes:
            return
        for connection in self._outboxes:  # a worker blocked sending (the run was stopped) fails and exits
            connection.close()
        for worker in range(len(self._processes)):
            self._send(worker, ("stop",))
        self._sending.put(None)
        deadline = time.monotonic() + self._STOP_SECONDS
        for process in self._processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(timeout=5)
        if self._sender is not None:
            self._sender.join(timeout=1)
        for connection in self._inboxes:
            connection.close()
        self._processes, self._inboxes, self._outboxes = [], [], []

    # ------------------------------------------------------------------ the passes

    def _receive(self, readers: dict[Any, int], sentinels: dict[Any, int]) -> Iterator[tuple[int, str, Any]]:
        """Every message the workers have sent, as (worker, kind, items); waits for one."""
        from multiprocessing.connection import wait

        for ready in wait(list(readers) + list(sentinels)):
            if ready in sentinels:
                if self._processes[sentinels[ready]].exitcode is not None:
                    self._died()
                continue
            try:
                kind, items = ready.recv()
            except EOFError:
                self._died()
            self._answered = True
            if kind == "error":
                if isinstance(items, TextcleanError):
                    raise items
                raise WorkerError(f"a worker process failed:\n{items}")
            yield readers[ready], kind, items

    def observe(self, steps: list[Any], observe: Any, documents: Iterable[Document], *, room: int = 0,
                chunk: int = 8, window: int = 4) -> Iterator[tuple[Any, int]]:
        """The mining pass: ``steps`` (read, decode, normalize) then ``observe`` on each
        document in the workers; yields ``(observation, input bytes)`` in input order.
        Each worker keeps up to ``room`` characters of the pages it normalised: the
        cleaning pass (:meth:`run`) starts those there, after ``normalize``."""
        if not self._processes:
            self._start()
        blob = pickle.dumps((steps, observe, room), protocol=pickle.HIGHEST_PROTOCOL)
        for worker in range(self.jobs):
            self._send(worker, ("mining", blob))
        source = iter(documents)
        exhausted = False
        seq = next_out = 0
        busy = [0] * self.jobs
        places: dict[int, tuple[int | str, int]] = {}
        done: dict[int, tuple[Any, int]] = {}
        kept_by: dict[int, tuple[int | str, int]] = {}  # pages kept, back but not yet yielded
        self._normalized_by, self._observed = {}, -1
        sentinels = {process.sentinel: worker for worker, process in enumerate(self._processes)}
        readers = {connection: worker for worker, connection in enumerate(self._outboxes)}
        while True:
            while not exhausted:
                worker = min(range(self.jobs), key=busy.__getitem__)
                # (and not far past the next one to give out: a slow page holds up the rest, in bounded memory)
                if busy[worker] >= window * chunk or seq - next_out >= 2 * window * chunk * self.jobs:
                    break
                batch = []
                for doc in source:
                    batch.append((seq, doc))
                    places[seq] = (doc.place, worker)
                    seq += 1
                    if len(batch) == chunk:
                        break
                if len(batch) < chunk:
                    exhausted = True
                if batch:
                    busy[worker] += len(batch)
                    self._send(worker, ("observe", batch))
            if exhausted and next_out == seq:
                self._observed = seq
                return
            for worker, _, items in self._receive(readers, sentinels):
                for number, observation, nbytes, kept in items:
                    busy[worker] -= 1
                    place, holder = places.pop(number)
                    if kept:
                        kept_by[number] = (place, holder)
                    done[number] = (observation, nbytes)
            while next_out in done:
                found = kept_by.pop(next_out, None)
                if found is not None:  # in input order (see kept_documents)
                    self._normalized_by[found[0]] = found[1]
                yield done.pop(next_out)
                next_out += 1

    def kept_documents(self) -> Iterator[Document] | None:
        """When the last mining pass (:meth:`observe`) ran to its end and every page it saw
        stayed in a worker: those pages in input order, each as a document that only
        says where it is (its :attr:`~textclean.document.Document.place`) — all :meth:`run`
        sends of a page a worker keeps. The cleaning pass then reads nothing of the input
        again (a .jsonl.gz decompressed, Parquet batches decoded: ~0.25 s of the parent
        per 40 MB). None otherwise."""
        if self._observed < 0 or len(self._normalized_by) != self._observed:
            return None
        return (Document(id=place) if isinstance(place, str) else Document(id="", number=place)
                for place in list(self._normalized_by))

    def run(self, steps: list[Any], finish: Callable[[Document, Any, Any], Any], documents: Iterable[Document],
            judge: Callable[[JudgeRequest], tuple[Any, Any, Any]], *, claim: Callable[[str], Any] | None = None,
            skip_normalized: int = 0, chunk: int = 8, window: int = 4) -> Iterator[tuple[Any, Any]]:
        """Clean ``documents`` with ``steps`` in the workers, then finish each with
        ``finish(doc, verdict, claimed)`` there. ``judge(request)`` runs here, in input
        order, and returns ``(verdict, claimed, extra)``; what ``finish`` returned comes
        out in input order as ``(finished, extra)``. With ``claim`` (a tree; ``finish`` a
        :class:`Finishing`) a page is finished in two steps: settled (the verdict applied,
        the last step run), then, once it is known to be written, ``claim(page id)`` runs
        here, in input order, and the page is written where it says (``judge``'s
        ``claimed`` is not used). A page the mining pass left normalised in a
        worker (:meth:`observe`) goes to that worker and starts after the first
        ``skip_normalized`` steps; the others go to the least busy worker. Up to
        ``window`` chunks of ``chunk`` pages per worker are being cleaned at once, and a
        worker holds at most twice that many pages not yet finished (a page that takes
        long holds up the verdicts of the pages after it: they wait, memory does not grow)."""
        if not self._processes:
            self._start()
        blob = pickle.dumps((steps, finish, skip_normalized), protocol=pickle.HIGHEST_PROTOCOL)
        for worker in range(self.jobs):
            self._send(worker, ("steps", blob))
        normalized_by, self._normalized_by = self._normalized_by, {}
        source = iter(documents)
        exhausted = False
        waiting: Document | None = None  # taken from the source, its worker had no room yet
        seq = 0
        cleaning = [0] * self.jobs  # pages sent to clean, keys not back yet
        holding = [0] * self.jobs  # pages sent, not finished yet: each worker keeps at most 2 windows of them
        batches: list[list[tuple[int, Document, bool]]] = [[] for _ in range(self.jobs)]
        holder: dict[int, int] = {}  # page -> the worker keeping it
        requests: dict[int, Any] = {}  # keys back, not judged yet
        extras: dict[int, Any] = {}
        done: dict[int, Any] = {}
        next_judge = next_out = 0
        finishing: dict[int, list[tuple[Any, ...]]] = collections.defaultdict(list)
        ids: dict[int, str] = {}  # (with claim) each page judged, not yet placed: its id
        settled: dict[int, bool] = {}  # ... and back settled: whether it is written
        placing: dict[int, list[tuple[int, Any]]] = collections.defaultdict(list)
        next_place = 0
        sentinels = {process.sentinel: worker for worker, process in enumerate(self._processes)}
        readers = {connection: worker for worker, connection in enumerate(self._outboxes)}

        def send(worker: int) -> None:
            cleaning[worker] += len(batches[worker])
            holding[worker] += len(batches[worker])
            self._send(worker, ("clean", batches[worker]))
            batches[worker] = []

        def full(worker: int) -> bool:  # (a slow page holds up the verdicts of those after it: memory stays bounded)
            queued = len(batches[worker])
            return cleaning[worker] + queued >= window * chunk or holding[worker] + queued >= 2 * window * chunk

        while True:
            # hand out pages: a page normalised by the mining pass to the worker keeping it, others to the
            # least busy; a worker without room holds up the pages after it (they are judged in order anyway)
            while not exhausted:
                if waiting is None:
                    waiting = next(source, None)
                    if waiting is None:
                        exhausted = True
                        break
                worker = normalized_by.pop(waiting.place, -1)
                was_normalized = worker >= 0
                if not was_normalized:
                    worker = min(range(self.jobs), key=lambda w: (full(w), cleaning[w] + len(batches[w])))
                if full(worker):
                    if was_normalized:
                        normalized_by[waiting.place] = worker
                    break
                # a page this worker keeps goes by its place (a record's line is not sent again)
                batches[worker].append((seq, waiting.place if was_normalized else waiting, was_normalized))
                holder[seq] = worker
                seq += 1
                waiting = None
                if len(batches[worker]) == chunk:
                    send(worker)
            for worker in range(self.jobs):  # what was handed out goes now: the next page to judge may be in it
                if batches[worker]:
                    send(worker)
            if exhausted and next_out == seq:
                return
            for worker, kind, items in self._receive(readers, sentinels):
                if kind == "keys":
                    for number, request in items:
                        cleaning[worker] -= 1
                        requests[number] = request
                elif kind == "settled":
                    settled.update(items)
                else:
                    holding[worker] -= len(items)
                    for number, finished in items:
                        done[number] = finished
            # judge in input order; each verdict goes back to the worker keeping the page
            while next_judge in requests:
                request = requests.pop(next_judge)
                verdict, claimed, extra = judge(request)
                if extra is not None:
                    extras[next_judge] = extra
                if claim is None:
                    finishing[holder.pop(next_judge)].append((next_judge, verdict, claimed))
                else:
                    finishing[holder[next_judge]].append((next_judge, verdict))
                    ids[next_judge] = request[0]
                next_judge += 1
            for worker, items in finishing.items():
                if items:
                    self._send(worker, ("finish" if claim is None else "settle", items))
            finishing.clear()
            # (with claim) each settled page's file, in input order: only a page that is written claims one
            while next_place in settled:
                page_id = ids.pop(next_place)
                placing[holder.pop(next_place)].append(
                    (next_place, claim(page_id) if settled.pop(next_place) else None))  # type: ignore[misc]
                next_place += 1
            for worker, items in placing.items():
                if items:
                    self._send(worker, ("place", items))
            placing.clear()
            while next_out in done:
                yield done.pop(next_out), extras.pop(next_out, None)
                next_out += 1

    def _died(self) -> None:
        from .pipeline import _WORKER_DIED, _WORKER_DIED_AT_START

        raise WorkerError(_WORKER_DIED if self._answered else _WORKER_DIED_AT_START)
