from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
GOLDENS = Path(__file__).resolve().parent / "goldens" / "expected"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def goldens() -> Path:
    return GOLDENS
