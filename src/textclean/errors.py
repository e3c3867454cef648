"""The exception tree of textclean, in one place.

textclean raises only for programmer and configuration errors. A bad *document*
(undecodable bytes, binary data, nothing left after cleaning) never raises: it
becomes a skipped :class:`~textclean.document.Document` with a reason.

::

    TextcleanError
    ├── ConfigError (also ValueError)      a config value or option is invalid
    │   └── RuleError                      a boilerplate rule or rule pack is invalid
    ├── InputError (also OSError)          an input (a report, a stream) cannot be read as what it should be
    ├── OutputError (also OSError)         the output location cannot be used
    ├── ResumeError                        a run cannot be resumed (other options, damaged state)
    └── WorkerError                        a worker process died (killed, out of memory)
"""

from __future__ import annotations

__all__ = ["TextcleanError", "ConfigError", "RuleError", "InputError", "OutputError", "ResumeError", "WorkerError"]


class TextcleanError(Exception):
    """Base class of every exception textclean raises on purpose."""


class ConfigError(TextcleanError, ValueError):
    """An option or config value is invalid; the message says how to fix it."""


class RuleError(ConfigError):
    """A boilerplate rule or rule pack is invalid (bad pattern, field, or example)."""


class InputError(TextcleanError, OSError):
    """An input the run cannot read as what it must be (a JSON report that is not
    one, a stream that ends early); bad *documents* are skipped instead."""


class OutputError(TextcleanError, OSError):
    """The output location cannot be used (inside the input, unwritable, ...)."""


class ResumeError(TextcleanError):
    """A run cannot be resumed (different options, a damaged state folder, ...)."""


class WorkerError(TextcleanError):
    """A worker process of a ``jobs > 1`` run died (the OOM killer, ``kill -9``):
    the run stops instead of waiting for a result that will never come."""
