"""Precision and recall of near-duplicate detection, over parameters.

The labelled pairs are built deterministically (seed 7):
  positives, from every golden paragraph whose key has >= 30 characters:
    exact      the paragraph itself
    punct      punctuation switched between full and half width, spaces added
    edit3/6    3 % / 6 % of characters substituted, inserted or deleted
    spin       synonyms swapped ("spun" copies: 尤其/异常, 本领/本事, 积极/进取 ...)
    dropsent   one sentence of a 3+ sentence paragraph left out
    addsent    a sentence of another paragraph appended
  negatives:
    formulaic  paragraphs sharing an opening (一是加强组织领导…, 新华社…电, 今年以来…),
               tests/data/near_dup_negatives.tsv, all pairs within a group
    sametopic  distinct golden paragraphs of the same document (all about 意识形态),
               leaving out pairs whose true 5-gram Jaccard is above 0.5 (they are
               genuine near-repeats in the goldens, not negatives)

A pair is judged a duplicate when the two signatures (each the minimum over the
paragraph's sentence pieces, as dedup computes them) share an LSH band and their
estimated Jaccard reaches the threshold, exactly as DedupIndex decides. The MB/s
column is signing speed alone, one paragraph at a time (dedup signs a whole
document per batch, which is faster).

    python benchmarks/near_dup_eval.py            # the full sweep
    python benchmarks/near_dup_eval.py --defaults # only the configured defaults
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import time
from pathlib import Path

import numpy as np

from textclean import DedupConfig
from textclean.normalize import fold
from textclean.dedup import paragraph_signature, split_sentences
from textclean.signatures import Signer

ROOT = Path(__file__).resolve().parent.parent
SYNONYMS = [
    ("尤其是", "异常是"), ("本领", "本事"), ("文明", "礼貌"), ("积极", "进取"), ("加强", "增强"),
    ("提高", "提升"), ("重要", "关键"), ("认真", "仔细"), ("必须", "务必"), ("进一步", "更进一步"),
    ("开展", "展开"), ("不断", "持续"), ("深入", "深度"), ("充分", "全面"), ("情况", "情景"),
    ("职责", "责任"), ("通过", "经过"), ("特别", "异常"), ("资料", "材料"), ("帮助", "帮忙"),
]
PUNCT = str.maketrans({"，": ",", ",": "，", "。": ".", "：": ":", ":": "：", "；": ";", ";": "；", "（": "(", "）": ")", "(": "（", ")": "）"})


def paragraphs() -> list[tuple[str, str]]:
    out = []
    for golden in sorted((ROOT / "tests" / "goldens" / "expected").glob("*.txt")):
        for line in golden.read_text(encoding="utf-8").splitlines():
            if len(fold(line)) >= 30:
                out.append((golden.name, line))
    return out


def edit(text: str, rate: float, rng: random.Random) -> str:
    chars = list(text)
    pool = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    for _ in range(max(1, int(len(chars) * rate))):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.5:
            chars[i] = rng.choice(pool)
        elif op < 0.75:
            chars.insert(i, rng.choice(pool))
        elif len(chars) > 2:
            del chars[i]
    return "".join(chars)


def spin(text: str) -> str:
    for a, b in SYNONYMS:
        text = text.replace(a, "\0").replace(b, a).replace("\0", b)
    return text


def build_pairs() -> list[tuple[str, str, bool, str]]:
    rng = random.Random(7)
    paras = paragraphs()
    pairs: list[tuple[str, str, bool, str]] = []
    for i, (_, text) in enumerate(paras):
        pairs.append((text, text, True, "exact"))
        pairs.append((text, text.translate(PUNCT).replace("，", "， ", 2), True, "punct"))
        pairs.append((text, edit(text, 0.03, rng), True, "edit3"))
        pairs.append((text, edit(text, 0.06, rng), True, "edit6"))
        spun = spin(text)
        if spun != text:
            pairs.append((text, spun, True, "spin"))
        sentences = split_sentences(text)
        if len(sentences) >= 3:
            k = rng.randrange(len(sentences))
            pairs.append((text, "".join(sentences[:k] + sentences[k + 1 :]), True, "dropsent"))
            other = paras[(i + 7) % len(paras)][1]
            pairs.append((text, text + split_sentences(other)[0], True, "addsent"))
    groups: dict[str, list[str]] = {}
    for row in (ROOT / "tests" / "data" / "near_dup_negatives.tsv").read_text(encoding="utf-8").splitlines():
        if row and not row.startswith("#"):
            group, text = row.split("\t")
            groups.setdefault(group, []).append(text)
    for texts in groups.values():
        for a, b in itertools.combinations(texts, 2):
            pairs.append((a, b, False, "formulaic"))
    by_doc: dict[str, list[str]] = {}
    for name, text in paras:
        by_doc.setdefault(name, []).append(text)
    for texts in by_doc.values():
        for a, b in itertools.combinations(texts, 2):
            if true_jaccard(a, b, 5) <= 0.5:
                pairs.append((a, b, False, "sametopic"))
    return pairs


def true_jaccard(a: str, b: str, n: int) -> float:
    ka, kb = fold(a), fold(b)
    sa = {ka[i : i + n] for i in range(max(len(ka) - n + 1, 1))}
    sb = {kb[i : i + n] for i in range(max(len(kb) - n + 1, 1))}
    return len(sa & sb) / len(sa | sb)


def judge(pairs, config: DedupConfig) -> tuple[np.ndarray, float]:
    signer = Signer(config)
    texts = sorted({t for a, b, _, _ in pairs for t in (a, b)})
    start = time.perf_counter()
    sigs = np.stack([paragraph_signature(signer, t) for t in texts])  # exactly what dedup computes
    elapsed = time.perf_counter() - start
    bands = signer.bands(sigs)
    row = {t: i for i, t in enumerate(texts)}
    verdicts = []
    for a, b, _, _ in pairs:
        i, j = row[a], row[b]
        collide = bool(np.any(bands[i] == bands[j]))
        score = float(np.count_nonzero(sigs[i] == sigs[j])) / config.num_perm
        verdicts.append(collide and score >= config.threshold)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    return np.array(verdicts), megabytes / elapsed


def scores(pairs, verdicts) -> tuple[float, float, dict[str, float]]:
    labels = np.array([label for _, _, label, _ in pairs])
    tp = int(np.sum(verdicts & labels))
    fp = int(np.sum(verdicts & ~labels))
    fn = int(np.sum(~verdicts & labels))
    kinds: dict[str, list[bool]] = {}
    for (_, _, label, kind), verdict in zip(pairs, verdicts):
        kinds.setdefault(kind, []).append(bool(verdict) == label)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), {k: sum(v) / len(v) for k, v in kinds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--defaults", action="store_true")
    args = parser.parse_args()
    logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its dictionary load at INFO
    pairs = build_pairs()
    positives = sum(1 for p in pairs if p[2])
    print(f"{len(pairs)} pairs: {positives} duplicates, {len(pairs) - positives} distinct")
    if args.defaults:
        grid = [DedupConfig()]
    else:
        grid = [
            DedupConfig(shingle=shingle, ngram=n, num_perm=perm, bands=bands, threshold=t)
            for shingle, ngrams in (("char", (2, 3, 4, 5)), ("word", (1, 2)))
            for n in ngrams
            for perm, bands in ((64, 16), (128, 32))
            for t in (0.4, 0.5, 0.6, 0.7)
        ]
    print("| shingle | n | num_perm | bands | threshold | precision | recall | MB/s | worst kind |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for config in grid:
        verdicts, speed = judge(pairs, config)
        precision, recall, kinds = scores(pairs, verdicts)
        worst = min(kinds, key=kinds.get)
        print(f"| {config.shingle} | {config.ngram} | {config.num_perm} | {config.bands} | {config.threshold} | "
              f"{precision:.3f} | {recall:.3f} | {speed:.1f} | {worst} {kinds[worst]:.2f} |")


if __name__ == "__main__":
    main()
