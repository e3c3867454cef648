"""What the forkserver of a ``--jobs N`` run imports before it forks the workers
(:func:`textclean.pipeline._context`); nothing else imports it.

Unlike every other module of textclean, importing this one does work — that is its
only purpose: :func:`textclean.pipeline.warm_up` builds the tables and compiled
patterns cleaning needs, once, in the server, so that every forked worker starts
with them (shared copy-on-write) instead of building them again.
"""

from .pipeline import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001 - an optimisation only: the workers build what they need themselves
    pass  # (and an exception here would stop the server: it only forgives an ImportError)
