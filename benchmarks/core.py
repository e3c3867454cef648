"""The compiled core against its pure-Python reference, kernel by kernel, side by side.

    python benchmarks/core.py [--mb 5] [--rounds 3]

Generates a corpus with benchmarks/corpus.py (deterministic, full-width
punctuation as Chinese pages write it), and times each kernel both ways on the
same inputs, alternating; prints MB/s (best round; MB of the kernel's input
text) and checks that the outputs are equal:

  - fold: NFKC, case folding, punctuation dropped (dedup keys of sentences);
  - char n-gram shingles + MinHash (128 permutations) of those keys;
  - the line model's shape features (line_features: per-line character classes, title bigrams);
  - in-document pairwise near pairs (the signatures of each page's sentences);
  - the corpus index's hash table (insert, then look up, every band key);
  - sentence pieces of every line (dedup);
  - the repeated-run test of every line (the boilerplate step's junk cut);
  - the corpus index's check of band candidates: each page's sentence signatures
    looked up in an index of all of them (match_many; the lookups included);
  - LSH band keys of every sentence signature;
  - the line model's context columns (context_features of each page);
  - the prefilter's literal searches (the pack's candidates for every line, all
    scopes and zones);
  - the traditional-character test of every page;
  - the simplified view (what the rules match) of every line of the pages written in
    traditional characters;
  - dedup_document of every page as a whole (the walk, its near index and pairs,
    sentence pieces, band keys: everything the core does there).

Without a compiled core (``textclean --version`` says so) only the reference runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (the generator beside this file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import textclean.boilerplate
    import textclean.dedup
    import textclean.index
    import textclean.line_features
    import textclean.native
    import textclean.normalize
    import textclean.signatures
    from textclean.config import DedupConfig
    from textclean.dedup import split_sentences
    from textclean.signatures import Signer

    with tempfile.TemporaryDirectory() as folder:
        generated = corpus.generate(Path(folder), args.mb, 8, 7, full_width=True)
    pages = [[line for line in text.splitlines() if line] for _, text in generated]
    signer = Signer(DedupConfig())
    sentences = [[split_sentences(line) for line in page] for page in pages]
    keys = signer.keys([piece for page in sentences for pieces in page for piece in pieces])
    signatures = signer.signatures(keys)
    bounds = np.cumsum([0] + [sum(map(len, page)) for page in sentences])
    page_signatures = [signatures[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]
    bands = signer.bands(signatures).reshape(-1)
    text_mb = sum(len(line.encode()) for page in pages for line in page) / 1e6
    key_mb = sum(len(key.encode()) for key in keys) / 1e6
    compiled = textclean.native.core()
    print(f"{len(pages)} pages, {text_mb:.2f} MB of text, {len(keys)} sentence keys; core: "
          f"{textclean.native.describe()}")

    def fold() -> Any:
        return [signer.keys(pieces) for page in sentences for pieces in page]

    def minhash() -> Any:
        return signer.signatures(keys)

    def counts() -> Any:
        return [textclean.line_features.line_features(page) for page in pages]

    def pairwise() -> Any:
        return [textclean.dedup._pairwise(page, 77) for page in page_signatures]

    def table() -> Any:
        keys_table = textclean.index._new_keys()
        keys_table.insert_values(bands, np.arange(bands.size, dtype=np.int32) // 32)
        out = np.full(bands.size, -1, dtype=np.int64)
        keys_table.get_into(bands, out)
        return out

    lines = [line for page in pages for line in page]

    def pieces() -> Any:
        return [textclean.dedup._pieces(line) for line in lines]

    def runs() -> Any:
        return [textclean.boilerplate.cut_repeated_runs(line, 100) for line in lines]

    index = textclean.index.DedupIndex(DedupConfig())
    exact_keys = np.arange(len(keys), dtype=np.uint64) + np.uint64(1 << 40)  # no exact hits: every row is verified
    index.add_many(exact_keys.tolist(), signatures, signer.bands(signatures), 0, list(range(len(keys))))
    page_bands = [signer.bands(page) for page in page_signatures]

    def verify() -> Any:
        return [index.match_many(np.zeros(len(page), dtype=np.uint64), page, bands_of)
                for page, bands_of in zip(page_signatures, page_bands)]

    def band_keys() -> Any:
        return signer.bands(signatures)

    import textclean.line_model
    import textclean.prefilter
    from textclean.document import Document
    from textclean.rules import RuleSet

    model = textclean.line_model.LineModel.builtin()
    page_features = [textclean.line_features.line_features(page) for page in pages]
    first_scores = [model.shape.predict(features) for features in page_features]

    def context() -> Any:
        return [textclean.line_features.context_features(scores, features)
                for scores, features in zip(first_scores, page_features)]

    pack = RuleSet.builtin()
    prefilters = [pack.candidates(scope, zone, 60)[1] for scope in ("span", "line") for zone in ("head", "body", "tail")]

    def literals() -> Any:
        return [prefilter.positions(line) for line in lines for prefilter in prefilters]

    texts = ["\n".join(page) for page in pages]

    def traditional() -> Any:
        return [textclean.normalize.has_traditional(text) for text in texts]

    # the pages in traditional characters (each simplified one replaced by a traditional one it comes
    # from), line by line: what the rules' simplified view converts on a traditional page
    inverse: dict[int, int] = {}
    for traditional_char, simplified_char in textclean.normalize._simplified_chars().items():
        inverse.setdefault(simplified_char, traditional_char)
    traditional_lines = [line.translate(inverse) for page in pages for line in page]

    def simplified() -> Any:
        return [textclean.normalize.simplified_view(line) for line in traditional_lines]

    documents = [Document.from_text(text, id=str(i)) for i, text in enumerate(texts)]
    dedup_config = DedupConfig()

    def dedup_pages() -> Any:
        out = [textclean.dedup.dedup_document(doc, dedup_config, signer) for doc in documents]
        return [(doc.text, doc.trace, doc.keys.lines, doc.keys.exact, doc.keys.signatures, doc.keys.bands)
                for doc in out]

    kernels: list[tuple[str, float, Callable[[], Any], list[Any]]] = [
        ("fold (NFKC by table)", text_mb, fold, [textclean.normalize]),
        ("shingles + MinHash", key_mb, minhash, [textclean.signatures]),
        ("line features (classes, title)", text_mb, counts, [textclean.line_features]),
        ("pairwise near pairs", text_mb, pairwise, [textclean.dedup]),
        ("index hash table", text_mb, table, [textclean.index]),
        ("sentence pieces", text_mb, pieces, [textclean.dedup]),
        ("repeated-run cut", text_mb, runs, [textclean.boilerplate]),
        ("band candidates checked", text_mb, verify, [textclean.index]),
        ("band keys", key_mb, band_keys, [textclean.signatures]),
        ("context columns", text_mb, context, [textclean.line_features]),
        ("prefilter literal tests", text_mb, literals, [textclean.prefilter]),
        ("traditional test", text_mb, traditional, [textclean.normalize]),
        ("simplified view (traditional)", text_mb, simplified, [textclean.normalize]),
        ("dedup_document, all", text_mb, dedup_pages, [textclean.dedup, textclean.signatures, textclean.normalize]),
    ]
    print(f"  {'kernel':30} {'pure MB/s':>10} {'compiled MB/s':>14} {'x':>6}  equal")
    for name, megabytes, run, modules in kernels:
        best: dict[str, float] = {}
        results: dict[str, Any] = {}
        ways = {"pure": lambda: None, "compiled": textclean.native.core} if compiled is not None else \
            {"pure": lambda: None}
        for _ in range(args.rounds):
            for way, chooser in ways.items():
                for module in modules:
                    module.core = chooser
                start = time.perf_counter()
                results[way] = run()
                best[way] = min(best.get(way, float("inf")), time.perf_counter() - start)
        for module in modules:
            module.core = textclean.native.core
        pure = megabytes / best["pure"]
        if "compiled" in best:
            fast = megabytes / best["compiled"]
            equal = _equal(results["pure"], results["compiled"])
            print(f"  {name:30} {pure:10.1f} {fast:14.1f} {fast / pure:5.1f}x  {equal}")
        else:
            print(f"  {name:30} {pure:10.1f} {'-':>14}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a, b))
    return bool(a == b)


if __name__ == "__main__":
    main()
