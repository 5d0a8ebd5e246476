"""Routing suggestion: which service board an appeal text belongs to.

Character n-gram TF-IDF (1–3, Chinese needs no word segmentation for this) and a linear model
(logistic regression), trained on the reference corpus (corpus.py) plus past appeals whose board
staff confirmed. `zqt appeals_retrain` retrains, reports accuracy on a held-out split and saves
the model to ZQT_VAR_DIR/appeals/router.pkl; without a saved model the first process to need one
trains it from the corpus (a second or two) and saves it for the others. Server workers load it
when they start (apps.AppealsConfig.ready → warm), not on their first request. Staff always
confirm or change the suggestion.
"""

from __future__ import annotations

import os
import pickle
import sys
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
    _save(model)
    with _lock:
        _model = model
    return TrainReport(
        samples=len(rows),
        held_out=held_out,
        accuracy=accuracy,
        boards=len({r[1] for r in rows}),
        path=str(path),
    )


def _save(model: Any) -> None:
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(model, fh)
    tmp.replace(path)  # atomic: a concurrent reader sees the old file or the new one


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            path = model_path()
            if path.exists():
                try:
                    # Our own file, written by _save(); never a user upload.
                    with path.open("rb") as fh:
                        _model = pickle.load(fh)  # noqa: S301
                except Exception:
                    _model = None
            if _model is None:
                rows = corpus.read_csv()
                _model = _pipeline().fit([r[0] for r in rows], [r[1] for r in rows])
                # Saved so that the other server workers and the next start load it instead
                # of each training again (bench/appeals.py: a second of CPU per worker).
                try:
                    _save(_model)
                except OSError:
                    pass
        return _model


def warm() -> None:
    """Load (or train once and save) the model now, e.g. when a server worker starts, so that
    the first request does not pay for it."""
    _load()


def serving_process() -> bool:
    """True in a WSGI server worker (gunicorn/uwsgi) or when ZQT_WARM_MODELS=1."""
    if os.environ.get("ZQT_WARM_MODELS") == "1":
        return True
    return Path(sys.argv[0] if sys.argv else "").name in {"gunicorn", "uwsgi"}


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
