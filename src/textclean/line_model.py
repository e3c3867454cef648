"""The line model: judge each line of a page as content or site chrome from its
shape and its neighbourhood, on sites no rule was written for.

The rule pack (:mod:`textclean.boilerplate`) knows templates; chrome is
open-ended, its *shape* is not. Menus are runs of one-word lines, bylines carry
dates, times and counters, headline lists are short lines without function words
between other short lines, widgets are bursts of interface words; article text
is long, punctuated and dense in function words (的 了 在 和 …), and sits in one
block. The model reads that, from the text alone, in two stages — the way
jusText classifies HTML blocks as short / near-good / good and then revises each
class from its neighbours:

1. **Shape** (:func:`line_features`): per line, length, the shares of Han, Latin,
   digits, punctuation and symbols, sentence ends, commas, separators, the
   density of Chinese function words (``data/function_words.txt``), URL, e-mail,
   date, time and counter tokens, field labels (``来源：``), its position and its
   similarity to the page title. A logistic regression turns them into a first
   score, the probability that the line is chrome.
2. **Context** (:func:`context_features`): the first scores of the neighbours
   (1, 3 and 10 lines up and down), the page's main block (the stretch of lines
   with the largest content mass), the distance to the nearest *good* line (long,
   scored content) above and below, and whether the line is a short line between
   two content lines (a sub-heading) or inside a run of short lines (a menu). A
   second logistic regression revises the score.

A line scoring at least ``line_model_threshold`` goes, traced as ``line-model``
with its score. The page's first line is never judged by the model: it is the
``<title>`` of a scraped page, handled by :func:`repeated_title` — when the body
repeats the headline, the title line goes (``title-repeat``) and the body's
headline stays; otherwise the title is the headline and stays.

The weights are package data (``data/line_model.json``, a few KB, readable),
fitted by ``scripts/train_line_model.py`` with :func:`fit` (numpy only); the
figures in the README are leave-one-site-out. Evaluated with numpy alone.

>>> model = LineModel.builtin()
>>> page = ["某某新闻网", "首页", "新闻", "体育", "财经", "登录",
...         "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关。",
...         "专家表示，市民在出行时应当关注预警信息，尽量避开低洼路段。"]
>>> scores = model.scores(page)
>>> bool(scores[1:6].min() > scores[6:].max())  # the menu scores above the prose
True
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .config import BoilerplateConfig
from .document import Document, Removal, short_text
from .errors import ConfigError
from .line_features import (
    CONTEXT_FEATURES,
    GOOD_CHARS,
    GOOD_MARKS,
    LOCAL_FEATURES,
    context_features,
    good_lines,
    good_of,
    line_features,
)
from .title import TITLE_RULE, drop_repeated_title, judged_lines, repeated_title

__all__ = [
    "LineModel", "line_features", "context_features", "repeated_title", "fit", "LOCAL_FEATURES", "CONTEXT_FEATURES",
    "LINE_MODEL_RULE", "TITLE_RULE", "judge_lines", "drop_repeated_title", "Page", "good_lines", "good_of",
    "GOOD_CHARS", "GOOD_MARKS",
]

LINE_MODEL_RULE = "line-model"

# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class _Stage:
    """One logistic regression over standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def to_dict(self, names: Sequence[str]) -> dict[str, Any]:
        return {
            "intercept": round(float(self.intercept), 6),
            "features": {
                name: {"mean": round(float(m), 6), "scale": round(float(s), 6), "weight": round(float(c), 6)}
                for name, m, s, c in zip(names, self.mean, self.scale, self.coef)
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], names: Sequence[str], where: str) -> _Stage:
        features = data.get("features", {})
        missing = [name for name in names if name not in features]
        if missing:
            raise ConfigError(f"{where}: line model lacks feature(s) {missing}; retrain it with scripts/train_line_model.py")
        rows = [features[name] for name in names]
        return cls(
            mean=np.array([r["mean"] for r in rows], dtype=np.float64),
            scale=np.array([r["scale"] for r in rows], dtype=np.float64),
            coef=np.array([r["weight"] for r in rows], dtype=np.float64),
            intercept=float(data["intercept"]),
        )


@dataclass(frozen=True)
class LineModel:
    """Two logistic regressions: shape, then shape and context.

    :meth:`scores` gives each line's probability of being chrome. Load the
    shipped weights with :meth:`builtin`, your own with :meth:`from_json`, or fit
    new ones on labelled pages with :func:`fit`.
    """

    shape: _Stage
    context: _Stage
    note: str = ""

    @classmethod
    def builtin(cls) -> LineModel:
        """The shipped weights (``textclean/data/line_model.json``)."""
        return _builtin()

    @classmethod
    def from_file(cls, path: str | Path) -> LineModel:
        """Weights from a JSON file (as :meth:`to_json` writes them); errors name the file."""
        from .io import read_utf8

        return cls.from_json(read_utf8(path, "line model weights", ConfigError), origin=str(path))

    @classmethod
    def from_json(cls, text: str, *, origin: str = "<json>") -> LineModel:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{origin}: line model is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != "textclean-line-model/1":
            raise ConfigError(f"{origin}: not a textclean line model (format 'textclean-line-model/1')")
        return cls(
            shape=_Stage.from_dict(data["shape"], LOCAL_FEATURES, origin),
            context=_Stage.from_dict(data["context"], LOCAL_FEATURES + CONTEXT_FEATURES, origin),
            note=str(data.get("note", "")),
        )

    def to_json(self) -> str:
        data = {
            "format": "textclean-line-model/1",
            "note": self.note,
            "shape": self.shape.to_dict(LOCAL_FEATURES),
            "context": self.context.to_dict(LOCAL_FEATURES + CONTEXT_FEATURES),
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def scores(self, lines: Sequence[str]) -> np.ndarray:
        """Each line's probability of being chrome (0..1), judged in the page's context."""
        return self.scores_of(line_features(lines))

    def scores_of(self, local: np.ndarray) -> np.ndarray:
        """:meth:`scores` from a page's :func:`line_features`."""
        if not len(local):
            return np.zeros(0)
        first = self.shape.predict(local)
        return self.context.predict(np.hstack([local, context_features(first, local)]))


@functools.lru_cache(maxsize=1)
def _builtin() -> LineModel:
    text = resources.files("textclean").joinpath("data/line_model.json").read_text(encoding="utf-8")
    return LineModel.from_json(text, origin="built-in line model")


# ------------------------------------------------------------------ fitting

def _fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> _Stage:
    """Weighted, L2-regularised logistic regression by Newton's method (numpy only)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (w * (p - y)) + penalty * beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return _Stage(mean=mean, scale=scale, coef=beta[:-1], intercept=float(beta[-1]))


@dataclass(frozen=True)
class Page:
    """A labelled page for :func:`fit`: its lines, and per line 1 (chrome), 0
    (content) or None (not scored: the title line, optional or duplicate lines).
    ``group`` is the site; the shape stage's scores that train the context stage
    are cross-fitted by site so that they look as they will on unseen sites."""

    lines: tuple[str, ...]
    labels: tuple[int | None, ...]
    group: str
    weight: float = 1.0


def _weights(page: Page, content_weight: float) -> np.ndarray:
    """Per line: chrome 1; content by its length (retention is counted in characters)."""
    out = []
    for line, label in zip(page.lines, page.labels):
        if label is None:
            out.append(0.0)
        elif label == 1:
            out.append(page.weight)
        else:
            out.append(page.weight * content_weight * (1.0 + min(len(line), 400) / 50.0))
    return np.asarray(out)


def fit(
    pages: Iterable[Page], *, l2: float = 100.0, content_weight: float = 1.0, folds: int = 5, note: str = ""
) -> LineModel:
    """Fit both stages on labelled pages.

    The context stage learns from first-stage scores that are *cross-fitted*:
    each site's scores come from a shape stage fitted without that site (in
    ``folds`` groups of sites), as they will be on a site the model never saw.
    """
    pages = list(pages)
    if not pages:
        raise ConfigError("fit needs at least one labelled page")
    local = [line_features(page.lines) for page in pages]
    labels = [np.array([-1 if v is None else v for v in page.labels], dtype=np.float64) for page in pages]
    weights = [_weights(page, content_weight) for page in pages]
    x = np.vstack(local)
    y = np.concatenate(labels)
    w = np.concatenate(weights)
    scored = y >= 0
    grow = functools.partial(_fit_logistic, l2=l2)
    shape = grow(x[scored], y[scored], w[scored])
    groups = sorted({page.group for page in pages})
    fold_of = {group: k % folds for k, group in enumerate(groups)}
    first = [np.zeros(len(page.lines)) for page in pages]
    for k in range(min(folds, len(groups))):
        inside = [i for i, page in enumerate(pages) if fold_of[page.group] != k]
        if not inside:
            inside = list(range(len(pages)))
        xi = np.vstack([local[i] for i in inside])
        yi = np.concatenate([labels[i] for i in inside])
        wi = np.concatenate([weights[i] for i in inside])
        stage = grow(xi[yi >= 0], yi[yi >= 0], wi[yi >= 0])
        for i, page in enumerate(pages):
            if fold_of[page.group] == k:
                first[i] = stage.predict(local[i])
    combined = np.vstack([np.hstack([local[i], context_features(first[i], local[i])]) for i in range(len(pages))])
    context = grow(combined[scored], y[scored], w[scored])
    return LineModel(shape=shape, context=context, note=note)


# ------------------------------------------------------------------ the step

def judge_lines(doc: Document, model: LineModel | None = None, config: BoilerplateConfig | None = None) -> Document:
    """Drop the lines ``model`` scores as chrome (``line-model``, with the score).

    The first line is not scored: it is the page's ``<title>``. Once
    :func:`drop_repeated_title` took the title, every line is scored, but the
    headline it found stays while no line before it does (it is then the page's
    first line, as ``clean()`` of the output sees it). A *good* line
    (:func:`good_lines`) is never removed. A page of at least
    ``line_model_min_lines`` lines whose every judged line is chrome is skipped
    as ``"no content"``: it is a page of nothing but site chrome.

    >>> page = Document.from_text("\\n".join(["某某新闻网", "首页", "新闻", "体育", "财经", "登录", "注册",
    ...     "今年夏天，这座城市的降雨量比往年多了三成，气象部门认为这与副热带高压的位置有关。",
    ...     "专家表示，市民在出行时应当关注预警信息，尽量避开低洼路段，同时也要注意用电安全。"]))
    >>> judged = judge_lines(page, config=BoilerplateConfig(line_model_threshold=0.5))
    >>> [r.text for r in judged.trace][:5], [len(line) > 20 for line in judged.text.split("\\n")][-2:]
    (['首页', '新闻', '体育', '财经', '登录'], [True, True])
    """
    config = config or BoilerplateConfig()
    lines = judged_lines(doc, config)
    if lines is None:
        return doc
    # The first line is the page's <title> and is not judged, unless the title rule
    # took it: then every line is judged, and the headline it found is kept only while
    # nothing before it stays — then it is the first line, as clean() of the output
    # would see it, so cleaning stays idempotent.
    titled = [r.duplicate_of for r in doc.trace if r.rule == TITLE_RULE]
    headline = next((i for i, line in enumerate(lines) if titled and line.number == titled[-1]), None)
    start = 0 if titled else 1
    texts = [line.text for line in lines]
    model = model if model is not None else (config.line_model_weights or LineModel.builtin())
    local = line_features(texts)
    scores = model.scores_of(local)
    chrome = (scores >= config.line_model_threshold) & ~good_of(local)
    gone = {i for i in range(start, len(lines)) if chrome[i] and i != headline}
    if headline is not None and chrome[headline] and any(i not in gone for i in range(start, headline)):
        gone.add(headline)
    listed = scores.tolist()  # floats, not numpy scalars, for each removal's rounded score
    removals = [
        Removal(step="boilerplate", rule=LINE_MODEL_RULE, kind="line", line=lines[i].number,
                text=short_text(texts[i]), score=round(listed[i], 3))
        for i in sorted(gone)
    ]
    if not removals:
        return doc
    judged = len(lines) - start
    if judged >= 3 and len(gone) == judged:
        return doc.with_lines([], removals).skip("no content", "only site chrome (line model)")
    return doc.with_lines([line for i, line in enumerate(lines) if i not in gone], removals)
