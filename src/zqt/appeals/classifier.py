"""Routing suggestion: which service board an appeal text belongs to.

Character n-gram TF-IDF (1–3, Chinese needs no word segmentation for this) and a linear model
(logistic regression), trained on the reference corpus (corpus.py) plus past appeals whose board
staff confirmed. `zqt appeals_retrain` retrains, reports accuracy on a held-out split and saves
the model to ZQT_VAR_DIR/appeals/router.pkl; without a saved model the process trains one from
the corpus on first use (under a second). Staff always confirm or change the suggestion.
"""

from __future__ import annotations

import pickle
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from zqt.appeals import corpus

_lock = threading.Lock()
_model: Any = None


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "appeals" / "router.pkl"


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
            ),
            # modified_huber: a linear SVM-like loss that still gives probabilities.
            ("clf", SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=2026)),
        ]
    )


@dataclass(frozen=True)
class TrainReport:
    samples: int
    held_out: int
    accuracy: float
    boards: int
    path: str


def train(
    rows: list[tuple[str, str, str]], *, test_size: float = 0.2, seed: int = 2026
) -> tuple[Any, float, int]:
    """Fit on a split, score on the held-out part, then refit on everything.
    Rows are (text, board, group); the split keeps whole groups (one phrasing of the synthetic
    corpus, or one past appeal) on one side, so the accuracy is on unseen phrasings.
    Returns (model, held-out accuracy, held-out size)."""
    from sklearn.model_selection import GroupShuffleSplit

    texts = [r[0] for r in rows]
    labels = [r[1] for r in rows]
    groups = [r[2] for r in rows]
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_idx, test_idx = next(splitter.split(texts, labels, groups))
    probe = _pipeline().fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
    accuracy = float(probe.score([texts[i] for i in test_idx], [labels[i] for i in test_idx]))
    x_test = test_idx
    model = _pipeline().fit(texts, labels)
    return model, accuracy, len(x_test)


def retrain(extra_rows: list[tuple[str, str, str]] | None = None) -> TrainReport:
    global _model
    rows = corpus.read_csv() + list(extra_rows or [])
    model, accuracy, held_out = train(rows)
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(model, fh)
    tmp.replace(path)
    with _lock:
        _model = model
    return TrainReport(
        samples=len(rows),
        held_out=held_out,
        accuracy=accuracy,
        boards=len({r[1] for r in rows}),
        path=str(path),
    )


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            path = model_path()
            if path.exists():
                # Our own file, written by retrain() above; never a user upload.
                with path.open("rb") as fh:
                    _model = pickle.load(fh)  # noqa: S301
            else:
                rows = corpus.read_csv()
                _model = _pipeline().fit([r[0] for r in rows], [r[1] for r in rows])
        return _model


@dataclass(frozen=True)
class Suggestion:
    board_code: str
    confidence: float


def suggest(text: str) -> Suggestion | None:
    text = (text or "").strip()
    if not text:
        return None
    model = _load()
    probabilities = model.predict_proba([text])[0]
    best = int(probabilities.argmax())
    return Suggestion(board_code=str(model.classes_[best]), confidence=float(probabilities[best]))
