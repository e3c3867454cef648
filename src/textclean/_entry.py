"""The ``textclean`` command's process: set up before anything heavy loads, then
:func:`textclean.cli.console`.

The command owns its process, so it chooses one BLAS thread (``OPENBLAS_NUM_THREADS=1``,
unless the caller set a thread count): numpy's OpenBLAS otherwise starts a thread per
core when it loads, which spins ~0.1 s of CPU waiting for work that never comes —
textclean's matrix products are a page's rows. This has to happen before numpy is
imported, which is why it is not in :mod:`textclean.cli` (importing that imports numpy);
``import textclean`` itself imports nothing heavy. The library never touches the
environment of a process it does not own (the worker server's: see
:func:`textclean.pipeline.start_worker_server`).
"""

from __future__ import annotations

import os
from typing import NoReturn

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # a count the caller chose


def prepare() -> None:
    """What the command sets up in its process before numpy loads (one BLAS thread)."""
    if not any(name in os.environ for name in BLAS_THREADS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def console() -> NoReturn:
    """The ``textclean`` command (and ``python -m textclean``)."""
    prepare()
    from .cli import console as run

    run()
