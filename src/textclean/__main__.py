"""``python -m textclean``: the same command as ``textclean``."""

from ._entry import console

console()
