"""Regenerate src/textclean/data/function_words.txt: the Chinese function words
the line model counts (its stopword density, jusText's strongest signal).

Single characters only: the model counts them with one vectorised look-up over
the page's code points (a regex alternation of words cost more than the rest of
the model together), and the two-character function words (我们, 可以, 已经 …)
are mostly made of these characters anyway.

Prose is dense in particles, prepositions, conjunctions, adverbs and pronouns
(的 了 在 和 也 就 都 而 与 着 …); menus, bylines, tags and headline lists are not.
The list is the TOP most frequent one-character words in jieba's
dictionary whose part of speech is one of those classes, so it is reproducible
from a pinned jieba (a build-time input only; the runtime reads the text file):

    python scripts/build_function_words.py > src/textclean/data/function_words.txt
"""

from __future__ import annotations

import os

import jieba

TOP = 100
# jieba's tags: u* particles (的 了 着 过 地 得), p prepositions, c conjunctions,
# d adverbs, r pronouns, y modal particles.
CLASSES = {"u", "ul", "uj", "uz", "uv", "ud", "ug", "p", "c", "d", "r", "y"}


def main() -> None:
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words: list[tuple[int, str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3 and parts[2] in CLASSES and len(parts[0]) == 1:
                words.append((int(parts[1]), parts[0]))
    words.sort(key=lambda item: (-item[0], item[1]))
    print(f"# The {TOP} most frequent function words (jieba's dictionary, tags {' '.join(sorted(CLASSES))});")
    print("# built by scripts/build_function_words.py. One word a line.")
    for _, word in words[:TOP]:
        print(word)


if __name__ == "__main__":
    main()
