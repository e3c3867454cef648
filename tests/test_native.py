"""The compiled core equals its pure-Python reference, bit for bit."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textclean.config import DedupConfig
from textclean.native import core, describe
from textclean.normalize import _nfkc_tables, fold, fold_many, simplified_view
from textclean.signatures import Signer

from .conftest import SAMPLES, mixed_corpus, tree

compiled = pytest.mark.skipif(core() is None, reason=f"no compiled core here ({describe()}); "
                                                     "pip install . with a C compiler builds it")


def _pure(signer: Signer, keys: list[str]) -> np.ndarray:
    import textclean.native

    saved = textclean.native.core
    textclean.native.core = lambda: None  # type: ignore[assignment]
    import textclean.signatures

    textclean.signatures.core = textclean.native.core
    try:
        return signer.signatures(keys)
    finally:
        textclean.native.core = saved
        textclean.signatures.core = saved


KEYS = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=12)


@compiled
@settings(max_examples=200, deadline=None)
@given(keys=KEYS, ngram=st.integers(1, 6), perms=st.sampled_from([(16, 4), (48, 12), (64, 16), (128, 32)]))
def test_char_signatures_equal_the_numpy_reference(keys: list[str], ngram: int, perms: tuple[int, int]) -> None:
    signer = Signer(DedupConfig(ngram=ngram, num_perm=perms[0], bands=perms[1]))
    assert np.array_equal(signer.signatures(keys), _pure(signer, keys))


@compiled
def test_char_signatures_on_real_text() -> None:
    signer = Signer(DedupConfig())
    keys = signer.keys([line for path in sorted(SAMPLES.glob("*.txt"))
                        for line in path.read_text(encoding="utf-8").splitlines()])
    assert np.array_equal(signer.signatures(keys), _pure(signer, keys))


_KIND = _nfkc_tables()[0]
# Characters NFKC changes, characters it joins or reorders with their neighbours, and any others.
_REPLACED = st.sampled_from([chr(c) for c in range(0x10000) if _KIND[c] == 2])
_CONTEXTUAL = st.sampled_from([chr(c) for c in range(0x10000) if _KIND[c] == 3 and not 0xD800 <= c < 0xE000])
_FOLD_TEXT = st.text(alphabet=st.one_of(_REPLACED, _CONTEXTUAL, st.sampled_from("，。（）：；“”\n\u3000 Ａa1가ᄀ"),
                                        st.characters(blacklist_categories=("Cs",))), max_size=30)


@compiled
@settings(max_examples=400, deadline=None)
@given(texts=st.lists(_FOLD_TEXT, max_size=8), simplified=st.booleans())
def test_fold_by_table_equals_fold(texts: list[str], simplified: bool) -> None:
    """The compiled NFKC-by-table fold equals fold() (unicodedata) on any text."""
    converter = simplified_view if simplified else None
    assert fold_many(texts, to_simplified=converter) == [fold(text, to_simplified=converter) for text in texts]


@compiled
def test_fold_by_table_on_every_character_pair_sample() -> None:
    """Each BMP character the table folds alone, before and after a few others."""
    table = [chr(c) for c in range(0x10000) if _KIND[c] != 3]
    others = ["", "a", "，", "Ａ", "가", "\u0301", "ᄀ", "\u1161", "ｶ", "\uff9e", "𠀀"]
    texts = [before + char + after for char in table for before, after in zip(others, reversed(others))]
    assert fold_many(texts) == [fold(text) for text in texts]


def test_textclean_pure_forces_the_reference_and_the_output_is_the_same(tmp_path: Path) -> None:
    mixed_corpus(tmp_path / "in")
    outputs = {}
    for pure in ("0", "1"):
        env = {**os.environ, "TEXTCLEAN_PURE": pure}
        version = subprocess.run([sys.executable, "-m", "textclean", "--version"], capture_output=True, text=True,
                                 env=env, timeout=60)
        assert ("TEXTCLEAN_PURE=1" in version.stdout) == (pure == "1"), version.stdout
        done = subprocess.run([sys.executable, "-m", "textclean", "clean", str(tmp_path / "in"),
                               str(tmp_path / f"out{pure}"), "-q"], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        outputs[pure] = tree(tmp_path / f"out{pure}")
    assert outputs["0"] == outputs["1"]


@compiled
@settings(max_examples=200, deadline=None)
@given(batches=st.lists(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40), max_size=50), max_size=40),
       probes=st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40), max_size=60))
def test_key_table_equals_the_dict_reference(batches: list[list[int]], probes: list[int]) -> None:
    """The compiled hash table of the corpus index keeps the first value of each key, like the dict."""
    import pickle

    from textclean.index import _DictKeys

    tables = [core().KeyTable(), _DictKeys()]
    for value, batch in enumerate(batches):
        for table in tables:
            table.insert_values(np.array(batch, dtype=np.uint64), np.full(len(batch), value, dtype=np.int32))
    keys = np.array(probes, dtype=np.uint64)
    found = []
    for table in (*tables, pickle.loads(pickle.dumps(tables[0]))):
        out = np.full(keys.size, -1, dtype=np.int64)
        table.get_into(keys, out)
        found.append(out.tolist())
        stored, values = table.items()
        assert len(table) == stored.size
        found.append(sorted(zip(stored.tolist(), values.tolist())))
    assert found[0] == found[2] == found[4] and found[1] == found[3] == found[5]


_LINE_CHARS = st.one_of(st.sampled_from("首页新闻的了，。！？；、|｜>＞»·/ \u3000\t\nＡａ１aZ9()（）©【】…"),
                        st.characters(blacklist_categories=("Cs",)))


@compiled
@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.text(alphabet=_LINE_CHARS, max_size=60), max_size=12))
def test_line_counts_equal_the_numpy_reference(lines: list[str]) -> None:
    """The line model's shape features are the same with the compiled per-line counts."""
    import textclean.line_features as features

    compiled_features = features.line_features(lines)
    saved = features.core
    features.core = lambda: None  # type: ignore[assignment]
    try:
        assert np.array_equal(compiled_features, features.line_features(lines))
    finally:
        features.core = saved



@compiled
@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(st.text(alphabet="标题新闻今日 \u3000\t\n\ud800\U00020000\x00", max_size=12),
                                st.text(alphabet="标题新闻", min_size=195, max_size=260),
                                st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400)),
                      max_size=10))
def test_title_similarity_equals_the_numpy_reference(lines: list[str]) -> None:
    """Lines around the scan limit (longer ones are not read), white space, a lone
    surrogate, an astral character, NUL, and long first lines of many different
    characters (the first line's bigrams fill a hash set)."""
    import textclean.line_features as features

    lengths = np.array([len(line) for line in lines], dtype=np.int64)
    compiled_shares = features._title_similarity(lines, lengths)
    with _pure_core(features):
        assert np.array_equal(compiled_shares, features._title_similarity(lines, lengths))

@compiled
@settings(max_examples=100, deadline=None)
@given(rows=st.integers(0, 300), perms=st.sampled_from([16, 128]), seed=st.integers(0, 2**32 - 1),
       need=st.integers(1, 128))
def test_pairwise_similarity_equals_the_numpy_reference(rows: int, perms: int, seed: int, need: int) -> None:
    """In-document near pairs (more than one block of rows, so pairs across blocks count too)."""
    import textclean.dedup as dedup

    rng = np.random.default_rng(seed)
    signatures = rng.integers(0, 4, size=(rows, perms), dtype=np.uint32)  # few values: many near pairs
    need = min(need, perms)
    compiled_pairs, compiled_suspects = dedup._pairwise(signatures, need)
    with _pure_core(dedup):
        pure, suspects = dedup._pairwise(signatures, need)
    assert np.array_equal(compiled_pairs, pure) and np.array_equal(pure, pure.T)
    assert compiled_suspects == suspects == [i for i in range(rows) if pure[i, :i].any()]


@compiled
@settings(max_examples=100, deadline=None)
@given(rows=st.integers(0, 40), perms=st.sampled_from([(16, 4), (64, 16), (128, 32), (128, 128), (9, 3)]),
       seed=st.integers(0, 2**32 - 1))
def test_band_keys_equal_the_numpy_reference(rows: int, perms: tuple[int, int], seed: int) -> None:
    import textclean.signatures as signatures

    signer = Signer(DedupConfig(num_perm=perms[0], bands=perms[1]))
    values = np.random.default_rng(seed).integers(0, 2**32, size=(rows, perms[0]), dtype=np.uint32)
    compiled_keys = signer.bands(values)
    with _pure_core(signatures):
        pure = signer.bands(values)
    assert compiled_keys.dtype == pure.dtype == np.uint64 and np.array_equal(compiled_keys, pure)


@contextlib.contextmanager
def _pure_core(module):  # the module's kernels off: its pure-Python reference runs
    saved = module.core
    module.core = lambda: None
    try:
        yield
    finally:
        module.core = saved


_TITLE_CHARS = "城市排水能力大幅提升_|» ，。网\u3000\t\xa0\u2003\x1f\U00020000𝄞"


@compiled
@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.text(alphabet=_TITLE_CHARS, max_size=30) | st.text(max_size=30), max_size=8),
       stop=st.integers(-1, 10))
def test_stripped_lengths_equal_the_join_of_the_split(lines: list[str], stop: int) -> None:
    """The title check's lengths without white space: what ``str.split`` leaves (every kind of
    white space it knows, astral characters one each), for the first ``stop`` lines."""
    assert core().stripped_lengths(lines, stop) == [len("".join(line.split())) for line in lines[:max(stop, 0)]]


@compiled
@settings(max_examples=300, deadline=None)
@given(title=st.text(alphabet=_TITLE_CHARS, min_size=2, max_size=260) | st.text(min_size=2, max_size=40),
       lines=st.lists(st.text(alphabet=_TITLE_CHARS, min_size=2, max_size=240), max_size=6))
def test_shared_bigrams_equal_the_sets_of_the_reference(title: str, lines: list[str]) -> None:
    """How many distinct bigrams of a line (its first 200 characters) the title's first 200
    hold: what intersecting the reference's sets gives (repeated bigrams counted once)."""
    from textclean.title import _BIGRAM_LIMIT, _bigrams

    expected = [len(_bigrams(line) & _bigrams(title)) for line in lines]
    assert core().shared_bigrams(title, lines, _BIGRAM_LIMIT) == expected


@compiled
@settings(max_examples=300, deadline=None)
@given(title=st.text(alphabet=_TITLE_CHARS, max_size=24),
       body=st.lists(st.text(alphabet=_TITLE_CHARS, max_size=40), max_size=10), cut=st.integers(0, 30))
def test_the_title_check_with_the_core_equals_its_reference(title: str, body: list[str], cut: int) -> None:
    """The title check with its lengths and bigrams counted by the core: the same line as
    the pure-Python check finds (the title's parts, covers, white space inside lines)."""
    import textclean.title as title_module

    lines = [title, *body, title[:cut], " " + title[cut:], title + "_网", "网 _" + title]
    found = title_module.repeated_title(lines)
    with _pure_core(title_module):
        assert title_module.repeated_title(lines) == found


_PIECE_CHARS = "。！？；!?;”’」』“‘「『.，,文字 \u3000\n"


@compiled
@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=_PIECE_CHARS, max_size=40) | st.text(max_size=40))
def test_sentence_pieces_equal_the_regex_reference(text: str) -> None:
    import textclean.dedup as dedup

    compiled_pieces = dedup._pieces(text)
    with _pure_core(dedup):
        pure = dedup._pieces(text)
    assert compiled_pieces == pure and "".join(piece for piece, _ in pure) == text


@compiled
@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="啊a \u3000\t\n。", max_size=60) | st.text(max_size=30), run=st.integers(1, 12))
def test_the_repeated_run_test_agrees_with_the_cut(text: str, run: int) -> None:
    import textclean.boilerplate as boilerplate

    with _pure_core(boilerplate):
        pure = boilerplate.cut_repeated_runs(text, run)
    assert core().has_repeated_run(text, run) == bool(pure[1])
    assert boilerplate.cut_repeated_runs(text, run) == pure


_TIER_KEYS = st.integers(0, 2**64 - 1) | st.integers(0, 40) | st.integers(2**64 - 40, 2**64 - 1)


@compiled
@settings(max_examples=300, deadline=None)
@given(batches=st.lists(st.lists(_TIER_KEYS, max_size=60), min_size=1, max_size=6),
       probes=st.lists(_TIER_KEYS, max_size=80), flush_at=st.integers(1, 40))
def test_tier_lookups_equal_the_binary_search_reference(batches: list[list[int]], probes: list[int],
                                                         flush_at: int) -> None:
    """The index's key store with several sorted tiers (and keys still in its table): the
    compiled search from where each key's value puts it finds what numpy's binary search
    finds — keys clustered at either end of the range as well as spread ones, the oldest
    tier answering for a key several hold."""
    import textclean.index as index_module
    from textclean.index import _Table

    table = _Table(flush_at=flush_at)
    for value, batch in enumerate(batches):
        table.insert_values(np.array(batch, dtype=np.uint64), np.full(len(batch), value, dtype=np.int32))
    keys = np.array(probes + [k for batch in batches for k in batch[:3]], dtype=np.uint64)
    compiled_found = table.lookup(keys)
    with _pure_core(index_module):
        pure = table.lookup(keys)
    assert compiled_found.tolist() == pure.tolist()


@compiled
@settings(max_examples=300, deadline=None)
@given(older=st.sets(_TIER_KEYS, max_size=60), newer=st.sets(_TIER_KEYS, max_size=60), shared=st.integers(0, 10))
def test_tier_merge_equals_the_numpy_reference(older: set[int], newer: set[int], shared: int) -> None:
    """Two tiers merged in one pass: the keys of both, sorted, each once, a key both hold
    with the older tier's value — what numpy's unique of the concatenation gives."""
    import textclean.index as index_module

    newer = newer | set(sorted(older)[:shared])  # keys both hold
    older_keys = np.array(sorted(older), dtype=np.uint64)
    newer_keys = np.array(sorted(newer), dtype=np.uint64)
    older_values = np.arange(older_keys.size, dtype=np.int32)
    newer_values = np.arange(newer_keys.size, dtype=np.int32) + 1000
    merged = index_module._merged(older_keys, older_values, newer_keys, newer_values)
    with _pure_core(index_module):
        pure = index_module._merged(older_keys, older_values, newer_keys, newer_values)
    assert merged[0].dtype == pure[0].dtype and merged[1].dtype == pure[1].dtype
    assert merged[0].tolist() == pure[0].tolist() and merged[1].tolist() == pure[1].tolist()


@compiled
@settings(max_examples=300, deadline=None)
@given(keys=st.lists(_TIER_KEYS, max_size=300))
def test_the_key_table_sorts_its_items_as_numpy_does(keys: list[int]) -> None:
    """A flush's tier: the table's keys sorted by its radix sort, each with its first
    value — what sorting the reference's items gives (keys spread, clustered at either end)."""
    from textclean.index import _DictKeys

    stored = np.array(keys, dtype=np.uint64)
    values = np.arange(stored.size, dtype=np.int32)
    compiled_table, reference = core().KeyTable(), _DictKeys()
    compiled_table.insert_values(stored, values)
    reference.insert_values(stored, values)
    (keys_c, values_c), (keys_r, values_r) = compiled_table.sorted_items(), reference.sorted_items()
    assert keys_c.dtype == keys_r.dtype and values_c.dtype == values_r.dtype
    assert keys_c.tolist() == keys_r.tolist() and values_c.tolist() == values_r.tolist()


@compiled
@settings(max_examples=60, deadline=None)
@given(count=st.sampled_from([4095, 4096, 4097, 9000, 40_000]), seed=st.integers(0, 2**32 - 1),
       top=st.sampled_from([0, 1, 4, 11, 19, 40, 64]), low=st.sampled_from([64, 32, 12, 5]))
def test_the_key_table_sorts_many_keys_as_numpy_does(count: int, seed: int, top: int, low: int) -> None:
    """Past the keys where the sort deals them into buckets by their top bits first: keys
    spread or bunched (``top`` leading bits shared, only the ``low`` lowest bits random —
    all in one bucket, parts past the insertion sort's size, a few distinct values), any
    count around the threshold: what numpy's sort of the reference's items gives."""
    from textclean.index import _DictKeys

    rng = np.random.default_rng(seed)
    random = rng.integers(0, 2**63, size=count, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, size=count,
                                                                                                   dtype=np.uint64)
    if low < 64:
        random &= np.uint64((1 << low) - 1)
    if top:
        random = (random & np.uint64((1 << (64 - top)) - 1)) | (np.uint64(rng.integers(0, 2**63)) & ~np.uint64(
            (1 << (64 - top)) - 1))
    values = np.arange(count, dtype=np.int32)
    compiled_table, reference = core().KeyTable(), _DictKeys()
    compiled_table.insert_values(random, values)
    reference.insert_values(random, values)
    (keys_c, values_c), (keys_r, values_r) = compiled_table.sorted_items(), reference.sorted_items()
    assert keys_c.tolist() == keys_r.tolist() and values_c.tolist() == values_r.tolist()


@compiled
@settings(max_examples=200, deadline=None)
@given(before=st.lists(_TIER_KEYS, max_size=3000), after=st.lists(_TIER_KEYS, max_size=300))
def test_a_cleared_key_table_is_a_new_one_with_its_slots_kept(before: list[int], after: list[int]) -> None:
    """What a flush leaves: the table emptied but as large as it grew; filled again, it
    holds what a new table holds (no key or value of before stays)."""
    from textclean.index import _DictKeys

    table, reference = core().KeyTable(), _DictKeys()
    table.insert_values(np.array(before, dtype=np.uint64), np.arange(len(before), dtype=np.int32))
    size = table.nbytes()
    table.clear()
    assert len(table) == 0 and table.nbytes() == size and table.items()[0].size == 0
    keys = np.array(after, dtype=np.uint64)
    values = np.arange(len(after), dtype=np.int32) + 10_000
    table.insert_values(keys, values)
    reference.insert_values(keys, values)
    assert [a.tolist() for a in table.sorted_items()] == [a.tolist() for a in reference.sorted_items()]
    probes = np.array(before[:50] + after[:50], dtype=np.uint64)
    found, expected = np.full(probes.size, -1, dtype=np.int64), np.full(probes.size, -1, dtype=np.int64)
    table.get_into(probes, found)
    reference.get_into(probes, expected)
    assert found.tolist() == expected.tolist()


def test_tier_lookup_on_a_tier_of_a_million_hashes() -> None:
    """Spread keys, as the index's are: every stored key found with its value, absent ones not."""
    if core() is None:
        pytest.skip("no compiled core")
    rng = np.random.default_rng(3)
    stored = np.unique(rng.integers(0, 2**64 - 1, size=1_000_000, dtype=np.uint64))
    values = np.arange(stored.size, dtype=np.int32)
    probes = np.concatenate([stored[::997], rng.integers(0, 2**64 - 1, size=5000, dtype=np.uint64)])
    pos = np.minimum(np.searchsorted(stored, probes), stored.size - 1)
    expected = np.where(stored[pos] == probes, values[pos], -1)
    bloom = core().tier_bloom(stored)
    assert bloom.size * 64 == pytest.approx(stored.size * 16, abs=64)  # 16 bits a key
    for tier_filter in (bloom, np.zeros(0, dtype=np.uint64)):  # with the tier's filter, and without one
        found = np.full(probes.size, -1, dtype=np.int64)
        core().tier_lookup(stored, values, probes, found, tier_filter)
        assert found.tolist() == expected.tolist()
        core().tier_lookup(stored, values, probes[:0], found[:0], tier_filter)  # no keys: nothing to do
    # every key of the tier passes its filter; of the others, about 2 %
    words = np.uint64(bloom.size)
    absent = rng.integers(0, 2**64 - 1, size=100_000, dtype=np.uint64)

    def passes(keys: np.ndarray) -> np.ndarray:
        word = bloom[((keys >> np.uint64(32)) * words) >> np.uint64(32)]
        bits = (np.uint64(1) << (keys & np.uint64(63))) | (np.uint64(1) << ((keys >> np.uint64(6)) & np.uint64(63)))
        return (word & bits) == bits

    assert passes(stored).all()
    assert passes(absent).mean() < 0.04


@compiled
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), indexed=st.integers(0, 40), count=st.integers(1, 12),
       threshold=st.sampled_from([0.5, 0.7, 0.9]))
def test_band_candidates_are_verified_as_the_numpy_reference_does(seed: int, indexed: int, count: int,
                                                                  threshold: float) -> None:
    """DedupIndex.match_many, compiled and pure, on an index spread over several blocks."""
    import textclean.index as index_module
    from textclean.index import DedupIndex

    rng = np.random.default_rng(seed)
    config = DedupConfig(num_perm=16, bands=4, threshold=threshold)
    index = DedupIndex(config)
    index._BLOCK = 8  # several finished blocks and a current one
    index.__init__(config)
    stored = rng.integers(0, 3, size=(indexed, 16), dtype=np.uint32)  # few values: many near pairs
    if indexed:
        index.add_many(list(range(indexed)), stored, rng.integers(0, 5, size=(indexed, 4), dtype=np.uint64), 0,
                       list(range(indexed)))
    signatures = rng.integers(0, 3, size=(count, 16), dtype=np.uint32)
    exact = rng.integers(0, indexed * 2 + 1, size=count, dtype=np.uint64)
    bands = rng.integers(0, 5, size=(count, 4), dtype=np.uint64)
    compiled_matches = index.match_many(exact, signatures, bands)
    with _pure_core(index_module):
        pure = index.match_many(exact, signatures, bands)
    assert compiled_matches == pure


@compiled
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), documents=st.lists(st.integers(0, 9), min_size=1, max_size=12),
       flush_at=st.integers(1, 60), threshold=st.sampled_from([0.5, 0.75, 1.0]))
def test_the_fused_index_calls_equal_the_reference(seed: int, documents: list[int], flush_at: int,
                                                    threshold: float) -> None:
    """An index fed page by page through the compiled calls (every lookup of both tables
    and the check of band candidates in one call, both tables' inserts in another) and
    one fed the same through the pure-Python reference (dict tables, numpy lookups):
    every page's matches equal, and so do the tables at the end — keys repeated within a
    page and across pages, tiers made by small flushes, several signature blocks."""
    import textclean.index as index_module
    from textclean.index import DedupIndex, _DictKeys

    rng = np.random.default_rng(seed)
    config = DedupConfig(num_perm=16, bands=4, threshold=threshold)

    def fresh() -> DedupIndex:
        index = DedupIndex(config)
        index._BLOCK = 8  # several finished blocks and a current one
        index.__init__(config)
        index.exact.flush_at = index.band_table.flush_at = flush_at
        return index

    fused = fresh()
    with _pure_core(index_module):
        reference = fresh()
    assert isinstance(reference.exact.pending, _DictKeys) and isinstance(fused.exact.pending, core().KeyTable)
    for number, count in enumerate(documents):
        signatures = rng.integers(0, 3, size=(count, 16), dtype=np.uint32)  # few values: many near pairs
        exact = rng.integers(0, 12, size=count, dtype=np.uint64)
        bands = rng.integers(0, 6, size=(count, 4), dtype=np.uint64)
        if count and rng.random() < 0.3:
            bands[rng.integers(0, count), rng.integers(0, 4)] = np.uint64(2**64 - 1)  # a key at the far end of the range
        found = fused.match_many(exact, signatures, bands)
        with _pure_core(index_module):
            assert reference.match_many(exact, signatures, bands) == found
        added = [i for i, hit in enumerate(found) if hit is None]
        for index in (fused, reference):
            with contextlib.nullcontext() if index is fused else _pure_core(index_module):
                index.add_many(exact[added].tolist(), signatures[added], bands[added], index.add_document(str(number)),
                               added)
    for table in ("exact", "band_table"):
        mine, theirs = getattr(fused, table), getattr(reference, table)
        assert len(mine.tiers) == len(theirs.tiers)
        for (keys, values, _), (ref_keys, ref_values, _) in zip(mine.tiers, theirs.tiers):
            assert keys.tolist() == ref_keys.tolist() and values.tolist() == ref_values.tolist()
        assert [a.tolist() for a in mine.pending.sorted_items()] == [a.tolist() for a in theirs.pending.sorted_items()]
    assert fused.count == reference.count


def _core_of_worker(doc):  # a step run in a worker: which core it uses
    return doc.replace(detail=describe())


def test_workers_use_the_core_the_parent_asks_for_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers fork from a server started once; TEXTCLEAN_PURE set after it started still counts."""
    from textclean.document import Document
    from textclean.pipeline import Map, WorkerPool

    docs = [Document.from_text("正文。", id=f"{i}.txt") for i in range(3)]
    step = [Map("core", _core_of_worker)]
    monkeypatch.delenv("TEXTCLEAN_PURE", raising=False)  # whatever the suite runs with
    with WorkerPool(2) as pool:
        first = {doc.detail for doc in pool.map(step, docs)}
    assert first != {"pure-Python core, forced by TEXTCLEAN_PURE=1"}
    monkeypatch.setenv("TEXTCLEAN_PURE", "1")
    with WorkerPool(2) as pool:
        forced = {doc.detail for doc in pool.map(step, docs)}
    assert forced == {"pure-Python core, forced by TEXTCLEAN_PURE=1"}
    monkeypatch.delenv("TEXTCLEAN_PURE")
    with WorkerPool(2) as pool:
        assert {doc.detail for doc in pool.map(step, docs)} == first


def _blas_threads_of_worker(doc):  # a step run in a worker: the BLAS thread count its environment sets
    return doc.replace(detail=os.environ.get("OPENBLAS_NUM_THREADS"))


def test_workers_start_with_one_blas_thread_and_the_callers_environment_stays_as_it_was() -> None:
    """numpy's OpenBLAS spins a thread per core at import (~0.1 s of CPU): the worker
    server starts with OPENBLAS_NUM_THREADS=1 unless the caller chose a count, and the
    caller's own environment is left as it was."""
    from textclean.document import Document
    from textclean._entry import BLAS_THREADS
    from textclean.pipeline import Map, WorkerPool

    if any(name in os.environ for name in BLAS_THREADS):
        pytest.skip("this environment chose a BLAS thread count: the server keeps it")
    before = dict(os.environ)
    with WorkerPool(2) as pool:
        seen = {doc.detail for doc in pool.map([Map("blas", _blas_threads_of_worker)], [Document.from_text("正文。")])}
    assert seen == {"1"}
    assert dict(os.environ) == before


def test_warm_up_builds_what_a_worker_would_build_first():
    """The forkserver's warm-up (textclean._preload) leaves a process where the first
    page does not build the rule prefilters or the NFKC tables again."""
    from textclean.normalize import _nfkc_tables
    from textclean.pipeline import clean, warm_up
    from textclean.rules import RuleSet
    from textclean.prefilter import _alternation_of, _native_search

    warm_up()
    tables, alternations = _nfkc_tables.cache_info().misses, _alternation_of.cache_info().misses
    natives = _native_search.cache_info().misses
    clean("首页 > 新闻 > 正文\n今天，这座城市的降雨量比往年多了三成（据气象部门）。\n责任编辑：某某")
    assert _nfkc_tables.cache_info().misses == tables
    assert _alternation_of.cache_info().misses == alternations
    assert _native_search.cache_info().misses == natives
    # the pack's patterns are compiled: a worker's copies of the rules (unpickled, compiled when
    # first searched) find them in regex's own cache
    assert all("_compiled" in vars(rule) for rule in RuleSet.builtin())


_BASE = ["今年夏天这座城市的降雨量比往年多了三成气象部门认为这与副热带高压的位置有关。",
         "专家表示市民在出行时应当关注预警信息尽量避开低洼路段同时也要注意用电安全！",
         "这是一句足够长的句子，用来测试近似重复的句子会不会被正确地找出来；",
         "短句。", "标题", "  ", "没有句号的结尾部分也要处理好才行"]


def _variant(sentence: str, k: int) -> str:  # a near copy: one character changed
    if k == 0 or len(sentence) < 4:
        return sentence
    i = k % (len(sentence) - 2)
    return sentence[:i] + "变" + sentence[i + 1:]


_PARAGRAPHS = st.lists(st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(0, 3)), min_size=1, max_size=4)
                       .map(lambda parts: "".join(_variant(_BASE[i], k) for i, k in parts)), max_size=14)


@compiled
@settings(max_examples=150, deadline=None)
@given(paragraphs=_PARAGRAPHS, pairwise=st.booleans(), by_paragraph=st.booleans(), by_sentence=st.booleans())
def test_dedup_walk_equals_the_python_reference(paragraphs: list[str], pairwise: bool, by_paragraph: bool,
                                                 by_sentence: bool) -> None:
    """The in-document dedup walk in C keeps and drops what ``dedup._walk`` does — with
    the pairwise matrix and without it (a document of more rows than its limit)."""
    import textclean.dedup as dedup
    from textclean.document import Document

    config = DedupConfig(num_perm=32, bands=8, min_near_chars=20, min_near_sentence_chars=12,
                         dedup_paragraphs=by_paragraph, dedup_sentences=by_sentence)
    signer = Signer(config)
    doc = Document.from_text("\n".join(paragraphs))

    def canon(out: Document) -> tuple:
        keys = out.keys
        return (out.text, out.origin, out.trace,
                None if keys is None else (keys.lines, keys.exact, keys.signatures.tobytes(), keys.bands.tobytes(),
                                           keys.before))

    saved = dedup._LocalIndex._PAIRWISE_LIMIT
    dedup._LocalIndex._PAIRWISE_LIMIT = saved if pairwise else 1
    try:
        compiled_doc = canon(dedup.dedup_document(doc, config, signer))
        with _pure_core(dedup):
            pure_doc = canon(dedup.dedup_document(doc, config, signer))
    finally:
        dedup._LocalIndex._PAIRWISE_LIMIT = saved
    assert compiled_doc == pure_doc


@compiled
@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=8, max_size=8), st.booleans()), max_size=12),
       threshold=st.sampled_from([0.5, 0.75, 1.0]), limit=st.sampled_from([1, 3, 1500]))
def test_near_index_built_by_the_core_holds_what_the_reference_does(rows: list[tuple[list[int], bool]],
                                                                    threshold: float, limit: int) -> None:
    """``_LocalIndex.built`` (one compiled call) holds the rows, signatures, pairwise
    matrix and suspects ``_LocalIndex`` makes — none eligible, all, past the matrix's limit."""
    import textclean.dedup as dedup

    signatures = np.array([values for values, _ in rows], dtype=np.uint32).reshape(len(rows), 8)
    eligible = np.array([flag for _, flag in rows], dtype=bool)
    saved = dedup._LocalIndex._PAIRWISE_LIMIT
    dedup._LocalIndex._PAIRWISE_LIMIT = limit
    try:
        reference = dedup._LocalIndex(signatures, threshold, eligible)
        built = dedup._LocalIndex.built(core(), signatures, threshold, eligible)
    finally:
        dedup._LocalIndex._PAIRWISE_LIMIT = saved
    assert built.rows.tolist() == reference.rows.tolist()
    assert built.signatures.dtype == np.uint32 and np.array_equal(built.signatures, reference.signatures)
    assert (built.similar is None) == (reference.similar is None)
    if built.similar is not None:
        assert built.similar.dtype == bool and np.array_equal(built.similar, reference.similar)
    assert built.suspects == bool(reference.suspects)


# pieces a page's paragraphs are made of: sentence ends, closing quotes, full-width forms that NFKC
# replaces, traditional characters, a combining mark and an astral character (the table folds neither
# alone: the reference then runs), characters fold drops
_SIGN_CHARS = "。！？；!?;”’」』文字體著乾ＡＢ１，（）Ⅻ\u0301\U00020000 \u3000a1-"


@compiled
@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet=_SIGN_CHARS, max_size=50) | st.text(max_size=20), max_size=10),
       ngram=st.integers(1, 5), perms=st.sampled_from([(16, 4), (128, 32)]), simplified=st.booleans(),
       near=st.tuples(st.integers(1, 30), st.integers(1, 20)))
def test_sign_paragraphs_equals_the_reference(texts: list[str], ngram: int, perms: tuple[int, int],
                                              simplified: bool, near: tuple[int, int]) -> None:
    """Pieces, keys, signatures, paragraph signatures and the long flags of a page's
    paragraphs, made in one pass by the core, equal ``dedup._sign_reference``'s."""
    import textclean.dedup as dedup

    config = DedupConfig(ngram=ngram, num_perm=perms[0], bands=perms[1], to_simplified=simplified,
                         min_near_chars=near[0], min_near_sentence_chars=near[1])
    signer = Signer(config)
    found = dedup._sign(signer, config, texts)
    with _pure_core(dedup):
        reference = dedup._sign(signer, config, texts)
    assert found[0] == reference[0] and found[1] == reference[1] and found[4] == reference[4]
    for ours, theirs in zip((found[2], found[3], found[5]), (reference[2], reference[3], reference[5])):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape and np.array_equal(ours, theirs)


@compiled
def test_sign_paragraphs_leaves_what_the_table_cannot_fold_to_the_reference() -> None:
    from textclean.normalize import fold_tables

    signer = Signer(DedupConfig())
    args = (*fold_tables(signer.simplified), 5, signer.a, signer.b, 30, 20)
    assert core().sign_paragraphs(["正文。e\u0301。"], *args) is None  # a combining mark: NFKC composes it
    assert core().sign_paragraphs(["正文\U00020000。"], *args) is None
    pieces, keys, signatures, paragraphs, long_keys, long_sentences = core().sign_paragraphs(["正文，體。尾", ""], *args)
    assert pieces == [[("正文，體。", True), ("尾", False)], []] and keys == [["正文体", "尾"], []]
    assert signatures.shape == (2, 128) and paragraphs.shape == (2, 128) and not paragraphs[1].any()
    assert long_keys == [False, False] and long_sentences.tolist() == [False, False]


_LITERAL_CHARS = st.sampled_from(list("转载请注明出处本文来源原创ab.\\|()[]\U00020000\ud800"))


@compiled
@settings(max_examples=300, deadline=None)
@given(literals=st.lists(st.text(alphabet=_LITERAL_CHARS, min_size=1, max_size=5), min_size=1, max_size=12)
       | st.lists(st.text(alphabet=_LITERAL_CHARS, min_size=2, max_size=4), min_size=70, max_size=90, unique=True)
       .flatmap(lambda many: st.lists(st.sampled_from(list("转载请注明ab")), max_size=2).map(lambda one: many + one)),
       line=st.text(alphabet=_LITERAL_CHARS, max_size=60))
def test_literal_set_equals_the_re_alternation(literals: list[str], line: str) -> None:
    """The compiled literal search answers as the prefilter's ``re`` alternation does
    (shared prefixes, a literal inside another, astral characters, a lone surrogate;
    small sets, and sets of more than 64 with the pair filter and one-character literals)."""
    from textclean.prefilter import _alternation_of

    found = core().LiteralSet(literals).search(line)
    assert (found is not None) == (_alternation_of(frozenset(literals))(line) is not None)
    assert (found is not None) == any(literal in line for literal in literals)


_CASE_CHARS = st.sampled_from(list("abcdeiksIKSCE图©(). 版权\u212a\u017f\u0130\u0131\u00e9\u00c9\u0100\U00010400\ud800"))


@compiled
@settings(max_examples=400, deadline=None)
@given(exact=st.lists(st.text(alphabet=_CASE_CHARS, min_size=1, max_size=4), max_size=5),
       caseless=st.lists(st.text(alphabet=_CASE_CHARS, min_size=1, max_size=4), min_size=1, max_size=5),
       line=st.text(alphabet=_CASE_CHARS, max_size=40))
def test_caseless_literals_match_as_the_regex_alternation(exact: list[str], caseless: list[str], line: str) -> None:
    """Literals matched ignoring case (the pack's "(?i)" parts) give the answer of the
    ``regex`` alternation, with the case pairs that are not symmetric (i/İ, I/ı, k/K
    sign, s/long s), characters without case, and ones with case outside ASCII (those
    sets keep the ``regex`` search)."""
    from textclean.prefilter import IGNORE_CASE, _alternation_of, _native_search

    literals = frozenset(exact) | {IGNORE_CASE + literal for literal in caseless}
    assert (_native_search(literals)(line) is not None) == (_alternation_of(literals)(line) is not None)


def test_caseless_characters_of_ascii_are_all_in_the_bmp():
    """What _caseless relies on: regex matches no character outside the BMP with an ASCII one."""
    import regex

    astral = "".join(map(chr, range(0x10000, 0x110000)))
    pattern = regex.compile("(?i:[\\x00-\\x7f])")
    assert pattern.search(astral) is None


@compiled
@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.floats(0, 1) | st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0]), st.sampled_from([0.0, 1.0, 2.0, 2.9, 3.0, 3.5, 3.7, 4.0, 5.5, 7.0])),
                     min_size=1, max_size=40))
def test_context_columns_equal_the_numpy_reference(rows: list[tuple[float, float]]) -> None:
    """The line model's context features with the compiled columns, bit for bit
    (lengths around the short, 20-, 30- and 40-character bounds; scores around 0.3 and 0.5)."""
    import textclean.line_features as features

    scores = np.array([score for score, _ in rows])
    local = np.zeros((len(rows), len(features.LOCAL_FEATURES)))
    local[:, features.LOCAL_FEATURES.index("log_length")] = [log_length for _, log_length in rows]
    compiled_columns = features.context_features(scores, local)
    with _pure_core(features):
        assert np.array_equal(compiled_columns, features.context_features(scores, local))


@compiled
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("延伸閱讀阅读台積電abc \U00020000\U0002A6A5\ud800\uffff")) | st.characters(),
                    max_size=30))
def test_simplified_view_equals_translate(text: str) -> None:
    """The compiled view is ``str.translate`` of the table: BMP and astral characters
    mapped (to BMP or astral ones), a lone surrogate, nothing to change (the same string)."""
    import textclean.normalize as normalize

    table = normalize._simplified_chars()
    astral = chr(next(key for key in sorted(table) if key > 0xFFFF))
    for sample in (text, text + astral, astral + text, "".join(map(chr, sorted(table)[:50])) + text):
        assert normalize.simplified_view(sample) == sample.translate(table)


@compiled
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("延伸閱讀阅读abc \U00020000\U0002A6A5\ud800\uffff")) | st.characters(),
                    max_size=30))
def test_has_traditional_equals_the_numpy_reference(text: str) -> None:
    import textclean.normalize as normalize

    astral = chr(0x10000 + int(np.flatnonzero(normalize._traditional_mask()[0x10000:])[0]))  # one outside the BMP
    for sample in (text, text + astral, astral + text):
        compiled_answer = normalize.has_traditional(sample)
        with _pure_core(normalize):
            assert compiled_answer == normalize.has_traditional(sample)


def test_no_nogil_helper_checks_for_python_errors_after_each_call():
    """A ``cdef`` helper without ``noexcept`` makes Cython 3 test for a Python error after
    every call, and in a ``nogil`` loop that test takes the GIL: the key table's lookups
    ran 150 ns a key instead of 5. Every ``cdef ... nogil`` helper says ``noexcept``."""
    import re

    source = Path(__file__).resolve().parent.parent / "src" / "textclean"
    offenders = [f"{path.name}: {line.strip()}" for path in sorted(source.glob("_core*.p*"))
                 for line in path.read_text(encoding="utf-8").splitlines()
                 if re.match(r"\s*cdef\b.*\)\s*(?:nogil\s*)?(?:nogil)\s*:", line) and "noexcept" not in line]
    assert not offenders, offenders


def test_the_nfkc_tables_built_by_blocks_equal_those_built_character_by_character():
    from textclean.normalize import _build_nfkc_tables

    by_character = _build_nfkc_tables(1)
    for block in (128, 2048):
        assert all(np.array_equal(a, b) for a, b in zip(_build_nfkc_tables(block), by_character)), block
    with pytest.raises(ValueError, match="divide"):
        _build_nfkc_tables(3)


@compiled
@settings(max_examples=200, deadline=None)
@given(data=st.data(), count=st.integers(1, 40), width=st.sampled_from([1, 4, 128]))
def test_min_of_rows_equals_numpy_reduceat(data: st.DataObject, count: int, width: int) -> None:
    from textclean.signatures import min_of_rows

    seed = data.draw(st.integers(0, 2**32 - 1))
    signatures = np.random.default_rng(seed).integers(0, 2**32, (count, width), dtype=np.uint32)
    rows = np.array(data.draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=60)), dtype=np.int64)
    firsts = np.array(sorted(data.draw(st.sets(st.integers(0, len(rows) - 1), min_size=1))), dtype=np.int64)
    assert np.array_equal(min_of_rows(signatures, rows, firsts), np.minimum.reduceat(signatures[rows], firsts, axis=0))


@compiled
@pytest.mark.parametrize("rows, firsts", [([0, 1], [1, 1]), ([0, 1], [1, 0]), ([0, 1], [2]), ([0, 5], [0])],
                         ids=["repeated first", "decreasing", "past the rows", "row outside"])
def test_min_of_rows_refuses_what_reduceat_means_otherwise(rows: list[int], firsts: list[int]) -> None:
    out = np.empty((len(firsts), 4), dtype=np.uint32)
    with pytest.raises((ValueError, IndexError)):
        core().min_of_rows(np.zeros((2, 4), dtype=np.uint32), np.array(rows, dtype=np.int64),
                           np.array(firsts, dtype=np.int64), out)
