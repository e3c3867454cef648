"""Near-duplicate detection: signatures, the index, within and across documents, jobs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from textclean import Config, DedupConfig, Document, Pipeline
from textclean.normalize import fold, normalize
from textclean.cli import main
from textclean.corpus_dedup import CorpusDedup
from textclean.dedup import dedup_document, paragraph_signature
from textclean.index import DedupIndex
from textclean.signatures import Signer, similarity
from textclean.shingles import WordShingler, char_shingle_hash

from .conftest import GOLDENS, SAMPLES, tree
from .conftest import mixed_corpus as _mixed_corpus

P1 = "今年以来，我局认真贯彻落实上级决策部署，扎实推进放管服改革，全年办理各类审批事项三千二百余件，群众满意度持续提升。"
P1_SPUN = "今年以来，我局仔细贯彻落实上级决策部署，扎实推进放管服改革，全年办理各种审批事项三千二百余件，群众满意度持续提升。"
P2 = "围绕提升干部能力素质，我们组织开展了专题培训班，培训干部八百余人次，干部队伍整体素质明显提升，工作作风明显转变。"
P3 = "社区以创建全国文明城市为契机，组织志愿服务活动六十余场，整治背街小巷十五条，居民生活环境明显改善，满意度大幅提高。"


def test_signatures_equal_datasketch():
    from datasketch import LeanMinHash, MinHash

    config = DedupConfig()
    signer = Signer(config)
    for text in (P1, P2, "短", "ab"):
        key = fold(text)
        grams = {key[i : i + config.ngram] for i in range(max(len(key) - config.ngram + 1, 1))}
        reference = MinHash(num_perm=config.num_perm, seed=config.seed, scheme="affine32", hashfunc=char_shingle_hash)
        reference.update_batch(sorted(grams))
        ours = signer.minhash(key)
        assert isinstance(ours, LeanMinHash)
        assert np.array_equal(ours.hashvalues, reference.hashvalues)
        assert ours.jaccard(LeanMinHash(reference)) == 1.0


def test_similarity_orders_pairs_sensibly():
    signer = Signer(DedupConfig())
    same = similarity(paragraph_signature(signer, P1), paragraph_signature(signer, P1_SPUN))
    other = similarity(paragraph_signature(signer, P1), paragraph_signature(signer, P2))
    assert same > 0.6 > 0.3 > other


def test_word_shingles_own_their_tokenizer():
    import jieba

    shingler = WordShingler(n=2)
    assert shingler.hashes(fold(P1)).size > 5
    assert shingler._tokenizer is not jieba.dt  # never the global tokenizer
    signer = Signer(DedupConfig(shingle="word", ngram=2))
    assert similarity(paragraph_signature(signer, P1), paragraph_signature(signer, P1_SPUN)) > 0.5


def test_near_duplicate_paragraph_within_a_document():
    doc = dedup_document(normalize(Document.from_text("\n".join([P1, P2, P1_SPUN, P3]))), DedupConfig(cross_document=False))
    assert doc.text.split("\n") == [P1, P2, P3]
    removal = next(r for r in doc.trace if r.rule == "near-duplicate-paragraph")
    assert removal.line == 3 and removal.duplicate_of == 1 and 0.6 <= removal.similarity < 1.0


def test_near_duplicate_sentence_within_a_document():
    first = "带头维护党中央权威，坚持带头学，坚持读原文，坚持学而用，确保我村各项工作的高效推进。"
    second = "带头维护党中央权威，坚持带头学，坚持读原文，坚持学而用，确保我街道各项工作的高效推进。"
    doc = dedup_document(normalize(Document.from_text(f"{P2}{first}\n{P3}{second}")), DedupConfig(cross_document=False))
    assert doc.text.split("\n") == [P2 + first, P3]
    assert [r.rule for r in doc.trace] == ["near-duplicate-sentence"]


def test_short_lines_only_exact_and_never_across_documents():
    config = Config()
    pipeline = Pipeline.default(config)
    docs = [
        Document.from_text("二、存在的问题\n" + P1 + "\n网络意识形态工作开展情况篇一\n网络意识形态工作开展情况篇二", id="a.txt"),
        Document.from_text("二、存在的问题\n" + P2, id="b.txt"),
    ]
    out = {d.id: d.text.split("\n") for d in pipeline.run(docs)}
    assert out["a.txt"] == ["二、存在的问题", P1, "网络意识形态工作开展情况篇一", "网络意识形态工作开展情况篇二"]
    assert out["b.txt"] == ["二、存在的问题", P2]


def test_cross_document_keeps_the_first_copy_in_order():
    docs = [
        Document.from_text("\n".join([P1, P2, P3]), id="a.txt"),
        Document.from_text("\n".join(["另一篇文章的标题", P1_SPUN, "这是第二篇文章自己的内容，与其他文章都不相同，篇幅也足够长，应当保留下来。"]), id="b.txt"),
    ]
    out = {d.id: d for d in Pipeline.default().run(docs)}
    assert out["a.txt"].text.split("\n") == [P1, P2, P3]
    b = out["b.txt"]
    assert P1_SPUN not in b.text and "另一篇文章的标题" in b.text
    removal = next(r for r in b.trace if r.rule == "near-duplicate-paragraph")
    assert (removal.duplicate_of_document, removal.duplicate_of) == ("a.txt", 1)
    assert "of a.txt" in removal.reason and "similarity" in removal.reason


def test_a_repost_under_other_chrome_is_dropped_whole():
    article = [P1, P2, P3]
    docs = [
        Document.from_text("\n".join(["原创文章", *article]), id="a.txt"),
        Document.from_text("\n".join(["欢迎来到某某范文网!", "转载文章", *article, "本文来源:https://example.com/1.html"]), id="b.txt"),
    ]
    pipeline = Pipeline.default()
    out = list(pipeline.run([Document(id=d.id, data=d.text.encode()) for d in docs]))
    assert out[0].skipped is None
    assert out[1].skipped == "duplicate" and "a.txt" in (out[1].detail or "")


def test_orphaned_heading_goes_with_its_section():
    first = Document.from_text("\n".join(["一、工作情况", P1, P2, "二、存在问题", P3]), id="a.txt")
    second = Document.from_text("\n".join(["本文自己的开头段落，内容独一无二，篇幅足够长，确保这篇文章不会被整篇当成重复。", "（一）工作情况回顾", P1_SPUN, P2, "（二）我们的新打算", "下一步我们将继续努力，这一段是全新的内容，与上文没有重复之处，必须保留。"]), id="b.txt")
    out = {d.id: d for d in Pipeline.default().run([first, second])}
    b = out["b.txt"].text.split("\n")
    assert "（一）工作情况回顾" not in b and "（二）我们的新打算" in b
    assert any(r.rule == "orphan-heading" for r in out["b.txt"].trace)


def test_index_memory_per_paragraph():
    config = DedupConfig()
    index = DedupIndex(config)
    rng = np.random.default_rng(0)
    document = index.add_document("x")
    for i in range(20_000):
        signature = rng.integers(0, 2**32, config.num_perm, dtype=np.uint64).astype(np.uint32)
        bands = rng.integers(0, 2**63, config.bands, dtype=np.uint64)
        index.add(int(rng.integers(0, 2**63)), signature, bands, document, i)
    assert index.bytes_per_entry() <= 1500


def _run(*argv: str) -> int:
    return main(list(argv), stdout=io.StringIO(), stderr=io.StringIO())


def test_jobs_1_and_2_give_identical_trees_and_reports(tmp_path: Path):
    _mixed_corpus(tmp_path / "in")
    assert _run("clean", str(tmp_path / "in"), str(tmp_path / "o1"), "-q", "--report", str(tmp_path / "r1.json")) in (0, 1)
    assert _run("clean", str(tmp_path / "in"), str(tmp_path / "o2"), "-q", "--jobs", "2", "--report", str(tmp_path / "r2.json")) in (0, 1)
    files1 = sorted(p.relative_to(tmp_path / "o1") for p in (tmp_path / "o1").rglob("*.txt"))
    files2 = sorted(p.relative_to(tmp_path / "o2") for p in (tmp_path / "o2").rglob("*.txt"))
    assert files1 == files2 and files1
    for rel in files1:
        assert (tmp_path / "o1" / rel).read_bytes() == (tmp_path / "o2" / rel).read_bytes()
    r1 = json.loads((tmp_path / "r1.json").read_text(encoding="utf-8"))
    r2 = json.loads((tmp_path / "r2.json").read_text(encoding="utf-8"))
    strip = lambda r: [{k: v for k, v in f.items() if k != "output"} for f in r["files"]]  # noqa: E731
    assert strip(r1) == strip(r2) and r1["summary"] == r2["summary"]
    dropped = {f["id"] for f in r1["files"] if f.get("skipped") == "duplicate"}
    assert {f"s2/repost{i}.txt" for i in range(5)} <= dropped  # the five reposts
    assert not any(d.startswith("s1/") for d in dropped)  # the originals come first and stay


def test_workers_handed_chunks_without_the_steps_get_them(tmp_path: Path, monkeypatch):
    """Only a map's first chunks carry the step list; a worker that gets a later one
    first says so and gets that chunk again with the steps: same trees as one process."""
    from textclean.pipeline import WorkerPool

    _mixed_corpus(tmp_path / "in")
    monkeypatch.setattr(WorkerPool, "_WITH_STEPS", 0)  # no chunk carries them: every worker asks
    assert _run("clean", str(tmp_path / "in"), str(tmp_path / "o1"), "-q", "--jobs", "1") in (0, 1)
    assert _run("clean", str(tmp_path / "in"), str(tmp_path / "o2"), "-q", "--jobs", "2") in (0, 1)
    assert tree(tmp_path / "o1") == tree(tmp_path / "o2") and tree(tmp_path / "o1")


def test_goldens_still_match_with_near_dedup():
    docs = list(Pipeline.default().run([Document(id=p.name, data=p.read_bytes()) for p in sorted(SAMPLES.glob("*.txt"))]))
    for doc in docs:
        assert doc.output_text == (GOLDENS / doc.id).read_text(encoding="utf-8")


def test_corpus_dedup_is_a_step():
    step = CorpusDedup()
    assert step.name == "corpus-dedup"
    assert list(step.run([])) == []


@pytest.mark.parametrize("converter", ["table", "opencc"])
def test_to_simplified_matches_traditional_copies(converter: str):
    if converter == "opencc":
        pytest.importorskip("opencc")
    simplified = "市委书记在全市意识形态工作会上的讲话，强调要牢牢掌握意识形态工作领导权，切实做好各项工作。"
    traditional = "市委書記在全市意識形態工作會上的講話，強調要牢牢掌握意識形態工作領導權，切實做好各項工作。"
    docs = [Document.from_text(simplified, id="a.txt"), Document.from_text("另一篇的开头，内容不同，篇幅足够长，可以保留下来的一段话。\n" + traditional, id="b.txt")]
    apart = {d.id: d.text for d in Pipeline.default(Config().replace(to_simplified=False)).run(docs)}
    assert traditional in apart["b.txt"]
    config = Config().replace(simplified_converter=converter)  # to_simplified is on by default
    converted = {d.id: d.text for d in Pipeline.default(config).run(docs)}
    assert traditional not in converted["b.txt"]


def test_opencc_without_the_extra_says_what_to_install(monkeypatch):
    import sys

    from textclean import ConfigError

    monkeypatch.setitem(sys.modules, "opencc", None)  # as if the extra were not installed
    with pytest.raises(ConfigError, match=r"textclean\[opencc\]"):
        DedupConfig(simplified_converter="opencc")
    DedupConfig()  # the default, the shipped table, needs nothing


def test_output_does_not_depend_on_the_order_files_were_created_or_listed(tmp_path: Path):
    _mixed_corpus(tmp_path / "a")
    files = sorted(p for p in (tmp_path / "a").rglob("*.txt"))
    for path in reversed(files):  # the same files, created in the opposite order
        target = tmp_path / "b" / path.relative_to(tmp_path / "a")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    for name in ("a", "b"):
        assert _run("clean", str(tmp_path / name), str(tmp_path / f"out-{name}"), "-q") in (0, 1)
    tree = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*.txt")}  # noqa: E731
    assert tree(tmp_path / "out-a") == tree(tmp_path / "out-b") and tree(tmp_path / "out-a")


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (256, 12345)])
def test_permutations_are_datasketchs(num_perm, seed):
    from datasketch import MinHash

    from textclean.signatures import _permutations

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = _permutations(num_perm, seed)
    assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)
    assert ours[0].dtype == np.uint32


def test_a_lead_excerpt_yields_to_the_fuller_paragraph_that_repeats_it():
    """A summary line the article then gives in full: the fuller copy stays (it holds
    more); copies of about the same length keep the first, as before."""
    lead = "据悉，今年全市新增城镇就业岗位三万余个，城镇登记失业率控制在百分之三以内，就业形势总体稳定。"
    full = ("据悉，今年全市新增城镇就业岗位三万余个，城镇登记失业率控制在百分之三以内，就业形势总体稳定，"
            "重点群体就业得到有效保障。")
    doc = Pipeline.default(Config().replace(line_model=False)).run([Document.from_text(f"{lead}\n中间一段。\n{full}")])
    out = next(doc)
    assert out.text.split("\n") == ["中间一段。", full]
    removal = next(r for r in out.trace if r.rule == "near-duplicate-paragraph")
    assert removal.line == 1 and removal.duplicate_of == 3


def test_a_lead_yields_to_its_fuller_copy_far_down_a_long_page():
    """More than 128 long paragraphs between a lead and the paragraph that gives it in full:
    the pair is found wherever the two fall in the page (the pairwise matrix is symmetric)."""
    import random

    from textclean.dedup import dedup_document

    rng = random.Random(5)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    lead = "意识形态工作是党的一项极端重要的工作，关乎旗帜、关乎道路、关乎国家政治安全，必须牢牢掌握领导权。"
    filler = ["".join(rng.choice(alphabet) for _ in range(60)) + "。" for _ in range(200)]
    fuller = lead + "各级党组织要担负起主体责任。"
    for middle in (filler[:3], filler):  # near each other, then more than 128 long paragraphs apart
        doc = dedup_document(Document.from_text("\n".join([lead, *middle, fuller])))
        assert lead not in doc.text.split("\n") and fuller in doc.text.split("\n")
