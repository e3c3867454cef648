"""``python -m textclean``: the same command as ``textclean``."""

import sys

from .cli import main

sys.exit(main())
