"""Worker processes that keep each page until the corpus pass has judged it.

A corpus run with ``jobs > 1`` that writes a folder of pages into a tree gives each
page's whole life to one worker (:class:`KeepingPool`): the per-page steps, then —
once the parent has judged the page against every earlier one, in input order —
its copies removed, the last step, its file written and its report items made. The
parent receives a page's keys (its long paragraphs' exact keys, signatures and band
keys: what the keep rule reads) and, at the end, the finished page for the report
and the journal; it no longer applies verdicts nor writes files, which capped how
far more workers could take a run.

The messages (``inbox``: parent to worker, ``outbox``: back):

- ``("steps", blob)``: the pickled per-page steps, the finishing steps and the writer;
- ``("clean", [(seq, doc), ...])`` → ``("keys", [(seq, request), ...])``: the steps run
  and the page is kept; ``request`` is what :meth:`CorpusDedup.judge` needs (None for
  a page with no long paragraph or skipped);
- ``("finish", [(seq, verdict, claimed), ...])`` → ``("done", [(seq, doc), ...])``: the
  verdict applied (None: nothing to apply), the last step run, the page written where
  the parent claimed (``claimed``: the output path decided in input order, or the
  reason it is skipped), the report items packed;
- ``("stop",)``. A worker that fails outside a page's steps sends ``("error", text)``.

The parent never blocks on a full pipe: a sender thread writes the inboxes, and the
parent's loop drains every outbox that has something.
"""

from __future__ import annotations

import collections
import pickle
import threading
import traceback
from typing import Any, Callable, Iterable, Iterator

from .document import Document
from .errors import WorkerError

__all__ = ["KeepingPool", "JudgeRequest", "finish_page"]

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


def finish_page(doc: Document, verdict: Any, claimed: Any, *, finish: Any, writer: Any) -> Document:
    """A kept page after the corpus pass: ``verdict`` applied (None: the page had nothing
    to judge), the ``finish`` step run, the page written to ``claimed`` (its output path,
    or ``(reason, detail)`` when it cannot be written there), and its report items packed
    (:func:`~textclean.report.pack_removals`) — what the parent and the writer did."""
    from .corpus_dedup import apply_copies
    from .report import pack_removals

    pending = doc.keys
    doc = doc.replace(keys=None)
    if verdict is not None and pending is not None and not doc.skipped:
        doc = apply_copies(doc, pending, verdict)
    doc = next(finish.run([doc]))
    if not doc.skipped and claimed is not None:
        doc = doc.skip(*claimed) if isinstance(claimed, tuple) else writer.write(doc.replace(output=claimed),
                                                                                make_folder=True)
    return pack_removals(doc)


def _worker(inbox: Any, outbox: Any, pure: str | None) -> None:
    """A worker's loop (see the module's messages)."""
    from .pipeline import _start_worker, budget_handler

    _start_worker(pure)
    steps: list[Any] = []
    finish: Callable[[Document, Any, Any], Document] | None = None
    held: dict[int, Document] = {}
    try:
        with budget_handler():
            while True:
                message = inbox.recv()
                kind = message[0]
                if kind == "stop":
                    return
                if kind == "steps":
                    steps, finish = pickle.loads(message[1])
                elif kind == "clean":
                    out = []
                    for seq, doc in message[1]:
                        for step in steps:
                            doc = next(step.run([doc]))
                        held[seq] = doc
                        out.append((seq, _request(doc)))
                    outbox.send(("keys", out))
                elif kind == "finish":
                    assert finish is not None
                    outbox.send(("done", [(seq, finish(held.pop(seq), verdict, claimed))
                                          for seq, verdict, claimed in message[1]]))
    except EOFError:  # the parent is gone
        return
    except BaseException:  # noqa: BLE001 - sent to the parent, which stops the run with it
        try:
            outbox.send(("error", traceback.format_exc()))
        except (OSError, EOFError):
            pass


class KeepingPool:
    """``jobs`` worker processes that keep the pages they cleaned (see the module).

    :meth:`run` streams documents through ``steps`` in the workers, hands each
    page's :data:`JudgeRequest` to ``judge`` in input order — which returns the
    verdict to apply and the page's claimed output — and yields the finished pages
    in input order. A worker that dies stops the run with :class:`WorkerError`.
    """

    _STOP_SECONDS = 5.0

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._processes: list[Any] = []
        self._inboxes: list[Any] = []
        self._outboxes: list[Any] = []
        self._sending: collections.deque[tuple[Any, Any]] = collections.deque()
        self._wake = threading.Condition()
        self._sender: threading.Thread | None = None
        self._closing = False
        self._answered = False
        self._send_error: BaseException | None = None

    def __enter__(self) -> KeepingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ processes

    def _start(self) -> None:
        import os

        from .pipeline import _context, start_worker_server

        start_worker_server()
        context = _context()
        for _ in range(self.jobs):
            inbox_reader, inbox_writer = context.Pipe(duplex=False)
            outbox_reader, outbox_writer = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(inbox_reader, outbox_writer,
                                                            os.environ.get("TEXTCLEAN_PURE")), daemon=True)
            process.start()
            inbox_reader.close()
            outbox_writer.close()
            self._processes.append(process)
            self._inboxes.append(inbox_writer)
            self._outboxes.append(outbox_reader)
        self._sender = threading.Thread(target=self._send_loop, name="textclean-keeping-send", daemon=True)
        self._sender.start()

    def _send_loop(self) -> None:
        while True:
            with self._wake:
                while not self._sending and not self._closing:
                    self._wake.wait()
                if not self._sending:
                    return
                connection, message = self._sending.popleft()
            try:
                connection.send(message)
            except (OSError, ValueError) as exc:  # a dead worker: the parent's loop sees it die
                self._send_error = exc

    def _send(self, worker: int, message: Any) -> None:
        with self._wake:
            self._sending.append((self._inboxes[worker], message))
            self._wake.notify()

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
        with self._wake:
            self._closing = True
            self._wake.notify()
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

    # ------------------------------------------------------------------ the run

    def run(self, steps: list[Any], finish: Callable[[Document, Any, Any], Document], documents: Iterable[Document],
            judge: Callable[[JudgeRequest], tuple[Any, Any, Any]], *, chunk: int = 8,
            window: int = 4) -> Iterator[tuple[Document, Any]]:
        """Clean ``documents`` with ``steps`` in the workers, then finish each with
        ``finish(doc, verdict, claimed)`` there. ``judge(request)`` runs here, in input
        order, and returns ``(verdict, claimed, extra)``; the finished pages come out in
        input order as ``(doc, extra)``. Up to ``window`` chunks of ``chunk`` pages per
        worker are being cleaned at once."""
        from multiprocessing.connection import wait

        if not self._processes:
            self._start()
        blob = pickle.dumps((steps, finish), protocol=pickle.HIGHEST_PROTOCOL)
        for worker in range(self.jobs):
            self._send(worker, ("steps", blob))
        source = iter(documents)
        exhausted = False
        seq = 0
        cleaning = [0] * self.jobs  # pages sent to clean, keys not back yet
        holder: dict[int, int] = {}  # page -> the worker keeping it
        requests: dict[int, Any] = {}  # keys back, not judged yet
        extras: dict[int, Any] = {}
        done: dict[int, Document] = {}
        next_judge = next_out = 0
        finishing: dict[int, list[tuple[int, Any, Any]]] = collections.defaultdict(list)
        sentinels = {process.sentinel: worker for worker, process in enumerate(self._processes)}
        readers = {connection: worker for worker, connection in enumerate(self._outboxes)}
        while True:
            # hand out pages while a worker has room (the least busy first)
            while not exhausted:
                worker = min(range(self.jobs), key=cleaning.__getitem__)
                if cleaning[worker] >= window * chunk:
                    break
                batch = []
                for doc in source:
                    batch.append((seq, doc))
                    holder[seq] = worker
                    seq += 1
                    if len(batch) == chunk:
                        break
                if len(batch) < chunk:
                    exhausted = True
                if batch:
                    cleaning[worker] += len(batch)
                    self._send(worker, ("clean", batch))
            if exhausted and next_out == seq:
                return
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
                    raise WorkerError(f"a worker process failed:\n{items}")
                if kind == "keys":
                    for number, request in items:
                        cleaning[holder[number]] -= 1
                        requests[number] = request
                else:
                    for number, doc in items:
                        done[number] = doc
            # judge in input order; each verdict goes back to the worker keeping the page
            while next_judge in requests:
                verdict, claimed, extra = judge(requests.pop(next_judge))
                if extra is not None:
                    extras[next_judge] = extra
                finishing[holder.pop(next_judge)].append((next_judge, verdict, claimed))
                next_judge += 1
            for worker, items in finishing.items():
                if items:
                    self._send(worker, ("finish", items))
            finishing.clear()
            while next_out in done:
                yield done.pop(next_out), extras.pop(next_out, None)
                next_out += 1

    def _died(self) -> None:
        from .pipeline import _WORKER_DIED, _WORKER_DIED_AT_START

        raise WorkerError(_WORKER_DIED if self._answered else _WORKER_DIED_AT_START)
