"""``python -m textclean``: the same command as ``textclean``."""

from .cli import console

console()
