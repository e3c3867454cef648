"""textclean: clean, deduplicated UTF-8 text from scraped (Chinese-first) web pages.

>>> import textclean
>>> textclean.clean("欢迎来到某某文库网!\\n标题\\n正文。\\n标题")
'标题\\n正文。\\n'

Importing textclean loads no dictionaries and starts nothing: jieba, datasketch
and chardet are imported by the steps that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .boilerplate import Rule, RuleSet, strip_boilerplate
from .config import BoilerplateConfig, Config, DecodeConfig, DedupConfig, NormalizeConfig
from .decode import Decoded, decode
from .dedup import dedup_document, split_sentences
from .document import Document, Line, Removal
from .errors import ConfigError, OutputError, RuleError, TextcleanError, WorkerError
from .normalize import fold, normalize
from .pipeline import Map, Pipeline, Step, clean, clean_bytes, clean_document, clean_records
from .report import Report

__all__ = [
    "__version__",
    "clean",
    "clean_bytes",
    "clean_document",
    "clean_records",
    "Pipeline",
    "Step",
    "Map",
    "Document",
    "Line",
    "Removal",
    "Config",
    "DecodeConfig",
    "NormalizeConfig",
    "BoilerplateConfig",
    "DedupConfig",
    "Rule",
    "RuleSet",
    "Report",
    "Decoded",
    "decode",
    "normalize",
    "fold",
    "strip_boilerplate",
    "dedup_document",
    "split_sentences",
    "TextcleanError",
    "ConfigError",
    "RuleError",
    "OutputError",
    "WorkerError",
]
