"""A deterministic scraped-corpus generator, built from data/samples (any size).

Each page is made the way content farms make pages: site chrome around a body
of paragraphs, each paragraph 2-6 sentences drawn from all the samples' sentences
(so paragraphs are new, but share the samples' vocabulary and stock phrases), with
  - light edits (a few characters swapped),
  - some paragraphs spun (synonyms swapped) or repeated inside the page,
  - some pages reposted whole, under another site's chrome.
The same --seed and --mb always give byte-identical folders.

    python benchmarks/corpus.py OUT_DIR --mb 50 [--sites 8] [--seed 7] [--jsonl FILE] [--full-width]

--full-width writes the samples' ASCII punctuation (, ; : ( ) ! ?) as the
full-width marks Chinese pages use (，；：（）！？): the fold then meets the
characters NFKC changes, as on real pages.

--jsonl also writes the pages as {"id", "text"} records (for peers that read JSONL).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SWAPS = [("加强", "增强"), ("提高", "提升"), ("积极", "进取"), ("本领", "本事"), ("尤其是", "异常是"), ("认真", "仔细")]
FILLER = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"


FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"})


def pool(full_width: bool = False) -> list[str]:
    """Every sentence of the samples (8+ characters), in file order."""
    sentences: list[str] = []
    for sample in sorted((ROOT / "data" / "samples").glob("*.txt")):
        for line in sample.read_text(encoding="utf-8").splitlines():
            for sentence in re.findall(r"[^。！？!?]*[。！？!?]", line.strip()):
                if len(sentence) >= 8:
                    sentences.append(sentence.translate(FULL_WIDTH) if full_width else sentence)
    return sentences


def paragraph(sentences: list[str], rng: random.Random) -> str:
    return "".join(rng.sample(sentences, rng.randint(2, 6)))


def mutate(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice(FILLER)
    return "".join(chars)


def spin(text: str) -> str:
    for a, b in SWAPS:
        text = text.replace(a, b)
    return text


def chrome(site: int, title: str, page: int) -> tuple[list[str], list[str]]:
    head = [f"欢迎来到第{site}范文网!", f"当前位置：首页 > 范文 > {title}", f"发布时间：2023-0{site % 9 + 1}-1{page % 10} 来源：网络"]
    tail = ["推荐访问:", f"《{title}》由互联网用户分享整理。文章地址:https://www.site{site}.example.com/{page}.html"]
    return head, tail


def generate(out: Path, megabytes: float, sites: int, seed: int, *, full_width: bool = False) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    sentences = pool(full_width)
    pages: list[tuple[str, str]] = []
    bodies: list[list[str]] = []
    size = 0
    page = 0
    while size < megabytes * 1e6:
        site = page % sites
        if bodies and rng.random() < 0.1:  # a repost of an earlier page's body under this site's chrome
            body = rng.choice(bodies)
        else:
            body = [mutate(paragraph(sentences, rng), rng, rng.randint(1, 4)) for _ in range(rng.randint(6, 20))]
            if rng.random() < 0.3:
                body.append(spin(rng.choice(body)))  # a spun repeat inside the page
            if rng.random() < 0.2:
                body.extend(body[: rng.randint(1, 3)])  # a repeated section
            bodies.append(body)
        title = body[0][:20]
        head, tail = chrome(site, title, page)
        text = "\n".join([*head, *body, *tail]) + "\n"
        rel = f"site{site:02d}/page{page:06d}.txt"
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        pages.append((rel, text))
        size += len(data)
        page += 1
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jsonl", type=Path)
    parser.add_argument("--full-width", action="store_true", help="full-width punctuation, as Chinese pages write it")
    args = parser.parse_args()
    pages = generate(args.out, args.mb, args.sites, args.seed, full_width=args.full_width)
    if args.jsonl:
        args.jsonl.parent.mkdir(parents=True, exist_ok=True)
        with args.jsonl.open("w", encoding="utf-8") as handle:
            for rel, text in pages:
                handle.write(json.dumps({"id": rel, "text": text}, ensure_ascii=False) + "\n")
    print(f"{len(pages)} pages, {sum(len(t.encode()) for _, t in pages) / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
