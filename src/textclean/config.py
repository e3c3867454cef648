"""Frozen, keyword-only configs, one per stage, validated when built.

Every field name is also the CLI flag (``max_bytes`` -> ``--max-bytes``) and the
word used in reports and docs. :class:`Config` bundles the stage configs;
:meth:`Config.replace` takes flat overrides and routes each to its stage::

    >>> from textclean.config import Config
    >>> Config().replace(min_sentence_chars=10).dedup.min_sentence_chars
    10
"""

from __future__ import annotations

import codecs
import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .boilerplate import RuleSet
    from .line_model import LineModel

__all__ = ["DecodeConfig", "NormalizeConfig", "BoilerplateConfig", "DedupConfig", "MiningConfig", "RunConfig", "Config"]

MiB = 1024 * 1024


def _positive(name: str, value: object, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        bound = ">= 0" if allow_zero else ">= 1"
        raise ConfigError(f"{name} must be an integer {bound}, got {value!r}")


def _fraction(name: str, value: object, *, above_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {value!r}")
    if above_zero and value == 0:
        raise ConfigError(f"{name} must be above 0 (0 would count everything as a match), got {value!r}")


@dataclass(frozen=True, kw_only=True)
class DecodeConfig:
    """How bytes become text.

    ``encoding`` forces a codec (no detection; undecodable bytes make the document
    skipped). ``max_bytes`` is the largest input read; bigger ones are skipped as
    ``"oversize"``. ``detect_bytes`` bounds how much chardet sees.
    ``min_plausibility`` is the lowest share of plausible characters a detected
    decoding needs to be accepted (see :mod:`textclean.decode`).
    """

    encoding: str | None = None
    max_bytes: int = 64 * MiB
    detect_bytes: int = 16 * 1024
    min_plausibility: float = 0.75

    def __post_init__(self) -> None:
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ConfigError(
                    f"encoding {self.encoding!r} is not a codec Python knows; "
                    "use a name such as 'utf-8', 'gb18030', 'big5hkscs' or 'utf-16'"
                ) from None
        _positive("max_bytes", self.max_bytes)
        _positive("detect_bytes", self.detect_bytes)
        _fraction("min_plausibility", self.min_plausibility)


@dataclass(frozen=True, kw_only=True)
class NormalizeConfig:
    """Output-safe normalisation (punctuation is never folded in the output).

    ``html_entities`` decodes ``&nbsp;``, ``&ldquo;``, ``&#8220;`` ...;
    ``max_line_chars`` caps one paragraph: a longer line is cut into pieces at
    sentence ends so later stages stay fast (never dropped silently).
    """

    html_entities: bool = True
    max_line_chars: int = 100_000

    def __post_init__(self) -> None:
        _positive("max_line_chars", self.max_line_chars)


@dataclass(frozen=True, kw_only=True)
class BoilerplateConfig:
    """Which boilerplate rules run and where "head" and "tail" end.

    ``rules`` is a :class:`~textclean.boilerplate.RuleSet`; ``None`` means the
    built-in Chinese pack. ``disable_rules`` lists rule ids to switch off.
    ``head_lines`` / ``tail_lines`` size the zones that zone-bound rules look at,
    counted in non-blank lines. ``junk_run_chars``: a run of one non-space
    character repeated at least this many times is cut out as junk (rule
    ``junk.repeated-char``); a line left empty goes.

    The second tier, the line model (:mod:`textclean.line_model`), judges the
    lines the rules kept by their shape and their neighbours: with
    ``line_model`` on, a line scoring at least ``line_model_threshold`` (the
    probability that it is chrome; higher keeps more) goes as ``line-model``.
    ``line_model_weights`` is a :class:`~textclean.line_model.LineModel`;
    ``None`` means the shipped weights. Pages with fewer than
    ``line_model_min_lines`` lines are left to the rules (too little context).
    """

    rules: RuleSet | None = None
    disable_rules: frozenset[str] = frozenset()
    head_lines: int = 8
    tail_lines: int = 8
    junk_run_chars: int = 100
    line_model: bool = True
    line_model_threshold: float = 0.9
    line_model_weights: LineModel | None = None
    line_model_min_lines: int = 5

    def __post_init__(self) -> None:
        if isinstance(self.disable_rules, str) or not all(isinstance(r, str) for r in self.disable_rules):
            raise ConfigError("disable_rules must be a set of rule ids (strings), e.g. {'zh.meta.source'}")
        object.__setattr__(self, "disable_rules", frozenset(self.disable_rules))
        _positive("head_lines", self.head_lines, allow_zero=True)
        _positive("tail_lines", self.tail_lines, allow_zero=True)
        _positive("junk_run_chars", self.junk_run_chars)
        if not isinstance(self.line_model, bool):
            raise ConfigError(f"line_model must be True or False, got {self.line_model!r}")
        if (
            isinstance(self.line_model_threshold, bool)
            or not isinstance(self.line_model_threshold, (int, float))
            or not 0.0 < self.line_model_threshold <= 1.0
        ):
            raise ConfigError(
                f"line_model_threshold must be a number above 0 and at most 1 (a chrome probability), "
                f"got {self.line_model_threshold!r}; use line_model=False to switch the model off"
            )
        _positive("line_model_min_lines", self.line_model_min_lines)
        if self.line_model_weights is not None and type(self.line_model_weights).__name__ != "LineModel":
            raise ConfigError("line_model_weights must be a LineModel (textclean.line_model.LineModel.from_json(...))")


@dataclass(frozen=True, kw_only=True)
class DedupConfig:
    """Repeated and near-repeated paragraphs, sentences and documents.

    Exact, inside one document (the goldens' convention): ``dedup_paragraphs``, a
    paragraph equal to an earlier one goes whatever its length;
    ``dedup_sentences``, a sentence (text up to and including ``。！？；!?;``) of
    at least ``min_sentence_chars`` characters seen earlier in the document goes.

    Near (MinHash over :func:`~textclean.normalize.fold` keys), when ``near`` is
    on: paragraphs whose key has at least ``min_near_chars`` characters are
    matched within the document and, with ``cross_document``, against every
    earlier document; sentences of at least ``min_near_sentence_chars`` key
    characters within the document. A match needs an estimated Jaccard
    similarity of ``threshold`` (``sentence_threshold`` for sentences, which are
    short and share stock phrases) over ``shingle`` n-grams (``"char"`` or
    ``"word"``) of size ``ngram``, with ``num_perm`` permutations split into
    ``bands`` LSH bands. A document losing at least ``document_share`` of its
    characters to copies of other documents is dropped whole as a duplicate.
    Shorter lines are only removed as exact repeats within their document.
    With ``to_simplified`` (on by default) keys fold traditional characters to
    simplified, so a Big5 repost of a GBK page is found: one for one with the
    shipped table (``simplified_converter="table"``), or phrase by phrase with
    OpenCC (``"opencc"``, the ``textclean[opencc]`` extra).
    """

    dedup_paragraphs: bool = True
    dedup_sentences: bool = True
    min_sentence_chars: int = 8
    near: bool = True
    cross_document: bool = True
    shingle: str = "char"
    ngram: int = 3
    num_perm: int = 128
    bands: int = 32
    threshold: float = 0.6
    sentence_threshold: float = 0.7
    min_near_chars: int = 30
    min_near_sentence_chars: int = 20
    document_share: float = 0.8
    to_simplified: bool = True
    simplified_converter: str = "table"
    seed: int = 1

    def __post_init__(self) -> None:
        _positive("min_sentence_chars", self.min_sentence_chars)
        _positive("ngram", self.ngram)
        _positive("num_perm", self.num_perm)
        if self.num_perm > 4096:  # 4 bytes per permutation per sentence piece: a huge value only runs out of memory
            raise ConfigError(f"num_perm must be at most 4096 (128 is the default), got {self.num_perm!r}")
        _positive("bands", self.bands)
        _positive("min_near_chars", self.min_near_chars)
        _positive("min_near_sentence_chars", self.min_near_sentence_chars)
        _positive("seed", self.seed, allow_zero=True)
        _fraction("threshold", self.threshold, above_zero=True)
        _fraction("sentence_threshold", self.sentence_threshold, above_zero=True)
        _fraction("document_share", self.document_share, above_zero=True)
        if not isinstance(self.to_simplified, bool):
            raise ConfigError(f"to_simplified must be True or False, got {self.to_simplified!r}")
        if self.simplified_converter not in ("table", "opencc"):
            raise ConfigError(
                f"simplified_converter must be 'table' (the shipped one-to-one table) or 'opencc', "
                f"got {self.simplified_converter!r}"
            )
        if self.to_simplified and self.simplified_converter == "opencc":
            try:
                import opencc  # noqa: F401  (only checks that the optional converter is there)
            except ImportError:
                raise ConfigError(
                    "simplified_converter='opencc' needs the OpenCC converter: pip install 'textclean[opencc]' "
                    "(or keep the default, the shipped character table)"
                ) from None
        if self.shingle not in ("char", "word"):
            raise ConfigError(f"shingle must be 'char' or 'word', got {self.shingle!r}")
        if self.num_perm % self.bands:
            raise ConfigError(
                f"bands={self.bands} must divide num_perm={self.num_perm}; e.g. num_perm=128 with bands 16, 32 or 64"
            )


@dataclass(frozen=True, kw_only=True)
class MiningConfig:
    """Cross-page mining of a site's repeated lines and templates (see :mod:`textclean.mining`).

    ``mine`` switches it on for folder runs. A line or template must occur in at
    least ``mine_min_docs`` pages and ``mine_min_share`` of its folder's pages, be
    at most ``mine_max_chars`` long, and sit in the head/tail zones in at least
    ``mine_edge_share`` of its occurrences — or be on ``mine_everywhere_share``
    of the pages.
    """

    mine: bool = True
    mine_min_docs: int = 3
    mine_min_share: float = 0.2
    mine_max_chars: int = 120
    mine_edge_share: float = 0.8
    mine_everywhere_share: float = 0.8

    def __post_init__(self) -> None:
        _positive("mine_min_docs", self.mine_min_docs)
        _positive("mine_max_chars", self.mine_max_chars)
        for name in ("mine_min_share", "mine_edge_share", "mine_everywhere_share"):
            _fraction(name, getattr(self, name))
        if self.mine_min_docs < 2:
            raise ConfigError("mine_min_docs must be at least 2: a line on one page is not a repeat")


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """How a corpus run treats one document.

    ``doc_timeout``: seconds one step may spend on one document in a corpus run
    (``errors="skip"``) before the document is skipped as ``"timeout"`` and the run
    goes on; ``None`` waits forever. Every stage is linear, so the default only
    catches the unforeseen. Measured by a signal in the process running the step
    (its main thread; elsewhere, e.g. in some Ray actors, there is no budget), so a
    single C-level call (a regular expression match) finishes before it lands.
    """

    doc_timeout: float | None = 600.0

    def __post_init__(self) -> None:
        if self.doc_timeout is not None and (
            isinstance(self.doc_timeout, bool) or not isinstance(self.doc_timeout, (int, float)) or self.doc_timeout <= 0
        ):
            raise ConfigError(f"doc_timeout must be a number of seconds above 0 (or None for no budget), "
                              f"got {self.doc_timeout!r}")


_STAGES = ("decode", "normalize", "boilerplate", "dedup", "mining", "run")


@dataclass(frozen=True, kw_only=True)
class Config:
    """All stage configs. Build with keywords or :meth:`replace` flat overrides."""

    decode: DecodeConfig = field(default_factory=DecodeConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    mining: MiningConfig = field(default_factory=MiningConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def replace(self, **overrides: Any) -> Config:
        """A copy with flat overrides routed to the stage that owns each field.

        An unknown name raises :class:`ConfigError` listing the valid ones.
        """
        if not overrides:
            return self
        per_stage: dict[str, dict[str, Any]] = {}
        owners = {f.name: stage for stage in _STAGES for f in dataclasses.fields(getattr(self, stage))}
        for name, value in overrides.items():
            if name not in owners:
                valid = ", ".join(sorted(owners))
                raise ConfigError(f"unknown option {name!r}; valid options are: {valid}")
            per_stage.setdefault(owners[name], {})[name] = value
        return dataclasses.replace(
            self,
            **{stage: dataclasses.replace(getattr(self, stage), **kw) for stage, kw in per_stage.items()},
        )
