"""The five bundled samples must clean to the hand-judged goldens, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from textclean import Document, Pipeline
from textclean.io import read_folder

from .conftest import GOLDENS, SAMPLES

NAMES = sorted(p.name for p in SAMPLES.glob("*.txt"))


def test_there_are_five_samples_with_goldens():
    assert len(NAMES) == 5
    assert NAMES == sorted(p.name for p in GOLDENS.glob("*.txt"))


@pytest.mark.parametrize("name", NAMES)
def test_sample_matches_golden(name: str):
    doc = next(Pipeline.default().run([Document(id=name, data=(SAMPLES / name).read_bytes())]))
    expected = (GOLDENS / name).read_bytes()
    assert doc.output_text.encode("utf-8") == expected


@pytest.mark.parametrize("name", NAMES)
def test_golden_follows_output_convention(name: str):
    data = (GOLDENS / name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert data.endswith(b"\n")
    for line in data.decode("utf-8").split("\n")[:-1]:
        assert line and line == line.strip(" \u3000\u00a0")


def test_folder_run_is_order_independent(tmp_path: Path):
    docs = list(Pipeline.default().run(read_folder(SAMPLES)))
    assert [d.id for d in docs] == NAMES
