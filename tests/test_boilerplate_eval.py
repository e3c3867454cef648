"""The rule pack on the labelled sets: recall >= 0.98, content retention >= 0.995 (issue 4)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("boilerplate_eval", ROOT / "benchmarks" / "boilerplate_eval.py")
boilerplate_eval = importlib.util.module_from_spec(spec)
sys.modules["boilerplate_eval"] = boilerplate_eval  # dataclasses look their module up there
spec.loader.exec_module(boilerplate_eval)  # type: ignore[union-attr]


@pytest.mark.parametrize("split", ["labelled", "heldout", "wild"])
def test_recall_and_retention(split: str):
    result = boilerplate_eval.evaluate(split=split)
    assert result.overall_recall >= 0.98, result.missed
    assert result.retention >= 0.995, result.false_positives
    assert sum(total for _, total in result.recall.values()) >= 40
