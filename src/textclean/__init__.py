"""textclean: clean, deduplicated UTF-8 text from scraped (Chinese-first) web pages.

>>> import textclean
>>> textclean.clean("欢迎来到某某文库网!\\n标题\\n正文。\\n标题")
'标题\\n正文。\\n'

Importing textclean loads no dictionaries and starts nothing: jieba, datasketch
and chardet are imported by the steps that need them. The steps themselves
(``textclean.decode.decode``, ``textclean.normalize.fold``,
``textclean.boilerplate.strip_boilerplate``, ``textclean.dedup.dedup_document``, …)
are in their modules; the package exports what a user runs.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .boilerplate import Rule, RuleSet
    from .config import (
        BoilerplateConfig,
        Config,
        DecodeConfig,
        DedupConfig,
        MiningConfig,
        NormalizeConfig,
        RunConfig,
    )
    from .corpus import Listener, RunSummary, clean_corpus, mine_corpus
    from .document import Document, Removal
    from .errors import (
        ConfigError,
        InputError,
        OutputError,
        ResumeError,
        RuleError,
        TextcleanError,
        WorkerError,
    )
    from .pipeline import Pipeline, clean, clean_bytes, clean_document, clean_records
    from .report import Report

# Each exported name and the module that defines it: imported on first use (PEP 562), so
# ``import textclean`` costs nothing until a name is used, and the ``textclean`` command
# can set up its process before numpy loads (see textclean._entry).
_MODULE_OF = {
    **dict.fromkeys(("Rule", "RuleSet"), "boilerplate"),
    **dict.fromkeys(("BoilerplateConfig", "Config", "DecodeConfig", "DedupConfig", "MiningConfig",
                     "NormalizeConfig", "RunConfig"), "config"),
    **dict.fromkeys(("Listener", "RunSummary", "clean_corpus", "mine_corpus"), "corpus"),
    **dict.fromkeys(("Document", "Removal"), "document"),
    **dict.fromkeys(("ConfigError", "InputError", "OutputError", "ResumeError", "RuleError", "TextcleanError",
                     "WorkerError"), "errors"),
    **dict.fromkeys(("Pipeline", "clean", "clean_bytes", "clean_document", "clean_records"), "pipeline"),
    "Report": "report",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'textclean' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})


__all__ = [
    "__version__",
    # one text, one page, a stream of records, a corpus
    "clean",
    "clean_bytes",
    "clean_document",
    "clean_records",
    "clean_corpus",
    "mine_corpus",
    "RunSummary",
    "Listener",
    "Pipeline",
    # what flows and what is reported
    "Document",
    "Removal",
    "Report",
    # options
    "Config",
    "DecodeConfig",
    "NormalizeConfig",
    "BoilerplateConfig",
    "DedupConfig",
    "MiningConfig",
    "RunConfig",
    "Rule",
    "RuleSet",
    # errors
    "TextcleanError",
    "ConfigError",
    "RuleError",
    "InputError",
    "OutputError",
    "ResumeError",
    "WorkerError",
]
