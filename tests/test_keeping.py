"""Workers that keep each page until the corpus pass judged it (textclean.keeping)."""

from __future__ import annotations

import gzip
import json
import signal
import sys
import threading
from pathlib import Path

import pytest

from textclean import clean_corpus
from textclean.corpus import Listener
from textclean.document import Document
from textclean.errors import WorkerError
from textclean.keeping import KeepingPool
from textclean.pipeline import Map
from textclean.pipeline import _forks as forks_here  # (the fixture below replaces the module's)

from .conftest import colliding_records, mixed_corpus, tree


@pytest.fixture(autouse=True, params=["fork", "server"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: workers forked from this process, and from the worker server
    (what a process with other threads running gets; numpy's BLAS threads make the
    suite's process one, so the fork is forced here)."""
    import textclean.pipeline

    if request.param == "fork" and not sys.platform.startswith("linux"):
        pytest.skip("workers are forked from the parent on Linux only")
    monkeypatch.setattr(textclean.pipeline, "_forks", lambda: request.param == "fork")
    return request.param


def _shout(doc: Document) -> Document:
    return doc.replace(text=doc.text.upper())


def _finish(doc: Document, verdict: object, claimed: object) -> Document:
    return doc.replace(meta={"verdict": verdict, "claimed": claimed})


def _fail(doc: Document, verdict: object, claimed: object) -> Document:
    raise RuntimeError(f"cannot finish {doc.id}")


def test_pages_are_judged_and_come_out_in_input_order_finished_where_they_were_kept() -> None:
    pages = [Document.from_text(f"page {i}", id=f"{i:03d}.txt") for i in range(61)]
    seen: list[str] = []

    def judge(request: tuple) -> tuple:
        doc_id = request[0]
        seen.append(doc_id)
        return f"verdict {doc_id}", f"out/{doc_id}", len(seen)

    with KeepingPool(2) as pool:
        out = list(pool.run([Map("shout", _shout)], _finish, pages, judge, chunk=4, window=2))
    assert seen == [page.id for page in pages]  # the keep rule sees pages in input order
    assert [doc.id for doc, _ in out] == seen and [extra for _, extra in out] == list(range(1, 62))
    assert all(doc.text == f"PAGE {int(doc.id[:3])}" for doc, _ in out)
    assert all(doc.meta == {"verdict": f"verdict {doc.id}", "claimed": f"out/{doc.id}"} for doc, _ in out)


def _empty_sevens(doc: Document) -> Document:  # a last step that leaves some pages with nothing
    return doc.skip("no content", "nothing left") if doc.id.endswith("7.txt") else doc


def test_with_claim_only_the_pages_written_claim_their_files_in_input_order(tmp_path: Path) -> None:
    """A tree's two steps: each page settled in its worker (the last step may skip it),
    then ``claim`` called here for the pages that are written, in input order, and each
    written where its claim says (or skipped for why)."""
    from textclean.io import WriteTree
    from textclean.keeping import Finishing

    pages = [Document.from_text(f"page {i}", id=f"{i:03d}.txt") for i in range(41)]
    claimed: list[str] = []

    def claim(doc_id: str) -> object:
        claimed.append(doc_id)
        return ("invalid id", "taken") if doc_id == "020.txt" else str(tmp_path / doc_id)

    finishing = Finishing(finish=Map("finish", _empty_sevens), writer=WriteTree(tmp_path))
    with KeepingPool(2) as pool:
        out = list(pool.run([Map("shout", _shout)], finishing, pages, lambda request: (None, "unused", None),
                            claim=claim, chunk=4, window=2))
    written = [page.id for page in pages if not page.id.endswith("7.txt")]
    assert claimed == written  # in input order, the emptied pages left out
    docs = [doc for (doc, _), _ in out]
    assert [doc.id for doc in docs] == [page.id for page in pages]
    assert sorted(path.name for path in tmp_path.iterdir()) == [i for i in written if i != "020.txt"]
    assert (tmp_path / "003.txt").read_text(encoding="utf-8") == "PAGE 3\n"
    assert {doc.id: doc.skipped for doc in docs if doc.skipped} == {
        **{page.id: "no content" for page in pages if page.id.endswith("7.txt")}, "020.txt": "invalid id"}


def _mark_mined(doc: Document) -> Document:
    return doc.replace(text=doc.text + " normalised in the mining pass")


def _observed(doc: Document) -> Document:
    return doc.replace(observation=len(doc.text), text="")


def _mark_cleaned(doc: Document) -> Document:
    return doc.replace(text=doc.text + " and read again")


def test_pages_the_mining_pass_kept_are_cleaned_where_they_were_kept_from_the_next_step() -> None:
    """The mining pass's pages stay in the workers (up to each one's room): the cleaning
    pass sends each to the worker that holds it, which starts it after the steps it went
    through already; a page no worker had room for is read again."""
    pages = [Document.from_text(f"page {i}", id=f"{i:02d}.txt") for i in range(40)]
    with KeepingPool(2) as pool:
        observed = list(pool.observe([Map("mined", _mark_mined)], Map("observe", _observed), pages, room=600,
                                     chunk=3, window=2))
        assert [nbytes for _, nbytes in observed] == [3 * page.chars_in for page in pages]  # no input bytes: 3 a char
        assert [n for n, _ in observed] == [len(f"page {i} normalised in the mining pass") for i in range(40)]
        kept = dict(pool._normalized_by)
        assert 0 < len(kept) < 40  # room for some of them
        out = list(pool.run([Map("cleaned", _mark_cleaned), Map("shout", _shout)], _finish, pages,
                            lambda request: (None, None, None), skip_normalized=1, chunk=3, window=2))
    assert [doc.id for doc, _ in out] == [page.id for page in pages]
    for doc, _ in out:
        expected = f"page {int(doc.id[:2])}" + (" normalised in the mining pass" if doc.id in kept else " and read again")
        assert doc.text == expected.upper()


def _set_aside_every_fifth(doc: Document) -> Document:
    return doc.skip("empty", "set aside by the test") if int(doc.id[:2]) % 5 == 0 else _mark_mined(doc)


@pytest.mark.parametrize("room", [10_000, 600])
def test_when_every_page_was_kept_the_cleaning_pass_needs_only_their_places(room: int) -> None:
    """Every page the mining pass saw stayed in a worker — pages it set aside too, for a
    fixed share of the room — and kept_documents gives their places in input order,
    which is all the cleaning pass sends of them: it reads nothing of the input again.
    With room for only some of them, None: the input is read again."""
    pages = [Document.from_text(f"page {i}", id=f"{i:02d}.txt") for i in range(40)]
    with KeepingPool(2) as pool:
        assert pool.kept_documents() is None  # no mining pass yet
        list(pool.observe([Map("mined", _set_aside_every_fifth)], Map("observe", _observed), pages, room=room,
                          chunk=3, window=2))
        kept = pool.kept_documents()
        if room == 600:
            assert kept is None and 0 < len(pool._normalized_by) < 40
            return
        assert kept is not None
        stubs = list(kept)
        assert [doc.place for doc in stubs] == [page.id for page in pages] and not any(doc.text for doc in stubs)
        out = list(pool.run([Map("cleaned", _mark_cleaned), Map("shout", _shout)], _finish, stubs,
                            lambda request: (None, None, None), skip_normalized=1, chunk=3, window=2))
    assert [doc.id for doc, _ in out] == [page.id for page in pages]
    for doc, _ in out:
        number = int(doc.id[:2])
        assert (doc.skipped == "empty") if number % 5 == 0 else (doc.text == f"PAGE {number} NORMALISED IN THE MINING PASS")


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("name", ["in.jsonl.gz", "in.jsonl"])
def test_a_jsonl_input_whose_records_all_stayed_in_the_workers_is_read_once(tmp_path: Path, name: str, jobs: int,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """JSONL with bad lines among the records: the mining pass keeps every record (the
    bad ones set aside as they are; in the workers, or in the one process), so the
    cleaning pass does not read — decompress, split — the file again; output and report
    as a run that keeps nothing (under a memory cap) and reads it twice makes them."""
    from textclean.sources import JsonlSource

    src = _jsonl_corpus(tmp_path, name)
    reads = []
    real = JsonlSource.documents

    def documents(self, **kwargs):
        reads.append(kwargs.get("skip", 0))
        return real(self, **kwargs)

    monkeypatch.setattr(JsonlSource, "documents", documents)
    clean_corpus(src, tmp_path / "ref.jsonl", jobs=1, max_memory=1 << 30, report=tmp_path / "ref.json")
    assert reads == [0, 0]  # nothing kept: read by both passes
    reads.clear()
    clean_corpus(src, tmp_path / "out.jsonl", jobs=jobs, report=tmp_path / "out.json")
    assert reads == [0]  # the mining pass only
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert _entries(tmp_path / "out.json") == _entries(tmp_path / "ref.json")


def test_a_worker_that_fails_outside_a_page_stops_the_run_with_its_traceback() -> None:
    pages = [Document.from_text("page", id=f"{i}.txt") for i in range(5)]
    with KeepingPool(2) as pool, pytest.raises(WorkerError, match="cannot finish"):
        list(pool.run([Map("shout", _shout)], _fail, pages, lambda request: (None, None, None)))


def _disk_full(doc: Document, verdict: object, claimed: object) -> Document:
    from textclean.errors import OutputError

    raise OutputError(f"cannot write {doc.id}: No space left on device")


def test_an_output_error_in_a_worker_stops_the_run_with_that_error() -> None:
    from textclean.errors import OutputError

    pages = [Document.from_text("page", id=f"{i}.txt") for i in range(5)]
    with KeepingPool(2) as pool, pytest.raises(OutputError, match="No space left"):
        list(pool.run([Map("shout", _shout)], _disk_full, pages, lambda request: (None, None, None)))


def _slow_first(doc: Document) -> Document:
    import time

    if doc.id == "000.txt":
        time.sleep(1.0)
    return doc


def test_a_slow_page_holds_up_the_pages_after_it_without_piling_them_up() -> None:
    """The verdicts come in input order: while one worker is stuck on a page, the
    others take only a bounded number of pages more (they would otherwise clean and
    keep the whole rest of the input, waiting for that page's verdict)."""
    pulled = 0

    def pages():  # counts what the pool has taken from the input
        nonlocal pulled
        for i in range(300):
            pulled += 1
            yield Document.from_text(f"page {i}", id=f"{i:03d}.txt")

    at_first_verdict: list[int] = []

    def judge(request: tuple) -> tuple:
        if not at_first_verdict:
            at_first_verdict.append(pulled)
        return None, None, None

    with KeepingPool(2) as pool:
        out = list(pool.run([Map("slow", _slow_first)], _finish, pages(), judge, chunk=2, window=2))
    assert len(out) == 300
    assert at_first_verdict[0] <= 2 * (2 * 2 * 2) + 1  # two workers, two windows of two chunks of two, one waiting


def test_no_pages_is_no_work() -> None:
    with KeepingPool(2) as pool:
        assert list(pool.run([Map("shout", _shout)], _finish, [], lambda request: (None, None, None))) == []


def _entries(report: Path) -> list[dict]:
    return [{k: v for k, v in entry.items() if k != "output"} for entry in json.loads(report.read_text())["files"]]


@pytest.mark.parametrize("mine", [True, False])
def test_a_folder_cleaned_by_keeping_workers_equals_one_process(tmp_path: Path, mine: bool) -> None:
    """Output tree, folders and report are the ones a single process makes: copies across
    pages removed, reposts dropped whole, a page of nothing but chrome skipped — and a
    site whose every page is skipped gets no folder."""
    from textclean import Config

    src = tmp_path / "in"
    mixed_corpus(src, copies=2)
    (src / "chrome").mkdir()
    for i in range(3):
        (src / "chrome" / f"{i}.txt").write_text(f"欢迎来到某某{i}文库网!\n本文来源:https://x.com/{i}\n责任编辑：某某\n",
                                                 encoding="utf-8")
    config = Config().replace(mine=mine)
    one = clean_corpus(src, tmp_path / "one", config=config, jobs=1, report=tmp_path / "one.json")
    two = clean_corpus(src, tmp_path / "two", config=config, jobs=2, report=tmp_path / "two.json")
    assert tree(tmp_path / "two") == tree(tmp_path / "one") and two.skipped == one.skipped
    folders = [sorted(p.relative_to(tmp_path / name).as_posix() for p in (tmp_path / name).rglob("*") if p.is_dir())
               for name in ("one", "two")]
    assert folders[0] == folders[1] and "chrome" not in folders[0]
    assert _entries(tmp_path / "two.json") == _entries(tmp_path / "one.json")
    assert one.skipped.get("duplicate") and one.skipped.get("no content")


def test_a_folder_written_as_jsonl_with_workers_equals_one_process(tmp_path: Path) -> None:
    """Each worker makes the JSONL lines of the pages it kept; the parent appends them in
    input order: the file one process writes."""
    src = tmp_path / "in"
    mixed_corpus(src, copies=2)
    clean_corpus(src, tmp_path / "one.jsonl", jobs=1)
    clean_corpus(src, tmp_path / "two.jsonl", jobs=2)
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def _jsonl_corpus(tmp_path: Path, name: str) -> Path:
    """mixed_corpus as records (two copies), with bad lines, a repeated id and fields
    besides the text among them."""
    from .conftest import records_of

    mixed_corpus(tmp_path / "pages", copies=2)
    rows = [json.dumps({**row, "url": f"http://x/{i}", "meta": {"n": i}}, ensure_ascii=False)
            for i, row in enumerate(records_of(tmp_path / "pages"))]
    rows[3:3] = ["{not json", "", "[1, 2]", '{"id": "no text"}', json.loads(json.dumps(rows[0]))]
    rows.append('{"text": "没有编号的记录，内容也足够长，应当被保留下来。"}')
    data = ("\n".join(rows) + "\n").encode("utf-8")
    path = tmp_path / name
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    return path


@pytest.mark.parametrize("mine", [True, False])
@pytest.mark.parametrize("names", [("in.jsonl", "out.jsonl"), ("in.jsonl.gz", "out.jsonl.gz")])
def test_records_cleaned_by_keeping_workers_equal_one_process(tmp_path: Path, mine: bool,
                                                              names: tuple[str, str]) -> None:
    """A JSONL input written as JSONL: the workers parse the lines, keep the records from
    the mining pass on and make the output lines; the file and the report are the ones a
    single process makes — bad lines skipped in place, copies across records removed."""
    from textclean import Config

    src = _jsonl_corpus(tmp_path, names[0])
    config = Config().replace(mine=mine)
    one = clean_corpus(src, tmp_path / "one" / names[1], config=config, jobs=1, report=tmp_path / "one.json")
    two = clean_corpus(src, tmp_path / "two" / names[1], config=config, jobs=2, report=tmp_path / "two.json")
    assert (tmp_path / "two" / names[1]).read_bytes() == (tmp_path / "one" / names[1]).read_bytes()
    assert _entries(tmp_path / "two.json") == _entries(tmp_path / "one.json") and two.skipped == one.skipped
    assert one.skipped.get("invalid record") == 4 and one.skipped.get("duplicate")


def test_a_page_the_corpus_phase_empties_claims_no_file(tmp_path: Path) -> None:
    """Records into a tree, two on one file: the first is left with nothing by the corpus
    phase (its paragraph a copy, then its heading orphaned): it is not written, so the
    next record with its id is — with workers as in one process (the parent used to claim
    the file when it judged the page, before the page was known to be empty, and the
    later record was skipped as "invalid id": not written at all)."""
    src = colliding_records(tmp_path / "in.jsonl", ["a", "x!empty", "b", "x", "x"])
    clean_corpus(src, tmp_path / "one", jobs=1, format="txt", report=tmp_path / "one.json")
    clean_corpus(src, tmp_path / "two", jobs=2, format="txt", report=tmp_path / "two.json")
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert _entries(tmp_path / "two.json") == _entries(tmp_path / "one.json")
    assert (tmp_path / "two" / "x.txt").read_text(encoding="utf-8").startswith("第3条")
    skipped = [(f["id"], f.get("skipped")) for f in json.loads((tmp_path / "two.json").read_text())["files"]]
    assert skipped == [("a", None), ("x", "no content"), ("b", None), ("x", None), ("x", "invalid id")]


def test_records_written_into_a_tree_by_workers_equal_one_process(tmp_path: Path) -> None:
    """JSONL into a tree: the workers parse the lines, keep the records from the mining pass
    on and write the files the parent claimed for their ids in input order (copies, bad lines
    and the record without an id as one process does them)."""
    src = _jsonl_corpus(tmp_path, "in.jsonl")
    clean_corpus(src, tmp_path / "one", jobs=1, format="txt", report=tmp_path / "one.json")
    clean_corpus(src, tmp_path / "two", jobs=2, format="txt", report=tmp_path / "two.json")
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert _entries(tmp_path / "two.json") == _entries(tmp_path / "one.json")


def test_workers_are_forked_from_a_process_with_one_thread_only(start: str) -> None:
    """A fork copies only the forking thread (the locks the others held stay held in the
    copy): with a second thread running, the workers come from the server."""
    from textclean.pipeline import _context

    assert _context().get_start_method() == ("fork" if start == "fork" else "forkserver")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forks_here()
    finally:
        stop.set()
        thread.join()


def test_a_forked_worker_holds_no_copy_of_the_parents_ends(start: str) -> None:
    """Each forked worker closes its copies of the parent's pipe ends (its own and the
    earlier workers'): a worker whose inbox the parent closed sees the end and exits,
    as it does when the parent dies."""
    pool = KeepingPool(2)
    try:
        pool._start()
        pool._inboxes[0].close()
        pool._processes[0].join(timeout=10)
        assert pool._processes[0].exitcode == 0
    finally:
        pool._outboxes[0].close()
        del pool._inboxes[0], pool._outboxes[0], pool._processes[0]
        pool.close()


def test_a_worker_ends_on_sigterm_whatever_handler_the_parent_has(start: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The command turns SIGTERM into Ctrl-C in its own process; a forked worker has that
    handler too and puts the default back, so stopping a worker stops it."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with KeepingPool(2) as pool:
            pool._start()
            pool._processes[0].terminate()
            pool._processes[0].join(timeout=10)
            assert pool._processes[0].exitcode == -signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Documents(Listener):
    def __init__(self, trace: bool) -> None:
        self.document_trace = trace
        self.docs: list[Document] = []

    def document(self, doc: Document) -> None:
        self.docs.append(doc)


def test_a_listener_that_reads_no_traces_gets_none_and_the_same_report(tmp_path: Path) -> None:
    """Workers that keep their pages send each finished page back without its trace when
    the listener says it does not read it; the report, made from the packed items, is
    the same, and a listener that reads traces gets every removal, as one process has it."""
    src = tmp_path / "in"
    mixed_corpus(src, copies=2)
    seen = {}
    for name, jobs, trace in (("one", 1, True), ("full", 2, True), ("slim", 2, False)):
        seen[name] = _Documents(trace)
        clean_corpus(src, tmp_path / name, jobs=jobs, listener=seen[name], report=tmp_path / f"{name}.json")
    assert _entries(tmp_path / "slim.json") == _entries(tmp_path / "full.json") == _entries(tmp_path / "one.json")
    assert tree(tmp_path / "slim") == tree(tmp_path / "one")
    traces = {name: [doc.trace for doc in listener.docs] for name, listener in seen.items()}
    assert traces["full"] == traces["one"] and any(traces["one"])
    assert not any(traces["slim"]) and len(traces["slim"]) == len(traces["one"])
    assert [doc.text for doc in seen["slim"].docs] == [doc.text for doc in seen["one"].docs]


def test_a_listener_of_records_gets_them_as_one_process_has_them(tmp_path: Path) -> None:
    """Records written as JSONL by keeping workers: a listener that reads traces gets each
    record and its trace; one that does not gets neither (only the output line holds the
    record now), and the same text."""
    src = _jsonl_corpus(tmp_path, "in.jsonl")
    seen = {}
    for name, jobs, trace in (("one", 1, True), ("full", 2, True), ("slim", 2, False)):
        seen[name] = _Documents(trace)
        clean_corpus(src, tmp_path / f"{name}.jsonl", jobs=jobs, listener=seen[name])
    docs = {name: listener.docs for name, listener in seen.items()}
    assert [(d.record, d.trace) for d in docs["full"]] == [(d.record, d.trace) for d in docs["one"]]
    assert any(d.record for d in docs["one"]) and not any(d.record or d.trace for d in docs["slim"])
    assert [d.text for d in docs["slim"]] == [d.text for d in docs["one"]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are set on Linux only")
def test_the_pipes_hold_a_chunk_of_finished_pages() -> None:
    """A worker whose pipe is full waits for the parent: the pipes hold 1 MB each where the
    system allows it (64 KB by default, less than eight finished pages)."""
    import fcntl

    from textclean.keeping import PIPE_BYTES

    allowed = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    with KeepingPool(2) as pool:
        pool._start()
        sizes = [fcntl.fcntl(c.fileno(), fcntl.F_GETPIPE_SZ) for c in (*pool._inboxes, *pool._outboxes)]
    assert all(size >= min(PIPE_BYTES, allowed) for size in sizes), sizes
