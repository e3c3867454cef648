"""Which core runs the hot loops: the compiled one (``textclean._core``, built at
install time when a C compiler is there) or the pure-Python reference.

``TEXTCLEAN_PURE=1`` in the environment forces the pure path (read when a step
first asks, not at import). Both give the same output (tested).

>>> describe() in ("compiled core", "pure-Python core, forced by TEXTCLEAN_PURE=1",
...                "pure-Python core, the compiled core is not built")
True
"""

from __future__ import annotations

import functools
import os
from types import ModuleType

__all__ = ["core", "describe"]


@functools.lru_cache(maxsize=1)
def core() -> ModuleType | None:
    """The compiled core module, or None (pure-Python path)."""
    if os.environ.get("TEXTCLEAN_PURE") == "1":
        return None
    try:
        from . import _core  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _core


def describe() -> str:
    """What ``textclean --version`` says of the core."""
    if core() is not None:
        return "compiled core"
    if os.environ.get("TEXTCLEAN_PURE") == "1":
        return "pure-Python core, forced by TEXTCLEAN_PURE=1"
    return "pure-Python core, the compiled core is not built"
