"""The learner: TF-IDF of words and character n-grams, the title again apart, linear models.

Pure scikit-learn, no database and no clock: `fit` on examples, `suggest` on a text. One model per
target (category, department, type); a target with a single value seen is a constant, one never
seen is left out. Scores of a linear SVM, a modified-Huber linear model (SGD) and complement naive
Bayes are standardised per text and added, weighted (an ensemble of differently-biased linear
models beats each alone; see docs/suggestions.md); a softmax of the sum is the confidence the desk
shows.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from .features import message, words

TARGETS = ("category", "department", "type")


@dataclass(frozen=True)
class Example:
    title: str
    body: str
    category: str
    department: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Settings:
    chars: tuple[int, int] = (1, 2)
    title_weight: float = 0.7
    svm_c: float = 1.0
    huber_alpha: float = 1e-4
    huber_weight: float = 0.5
    bayes_alpha: float = 0.3
    bayes_weight: float = 0.5
    # Sharpness of the softmax that turns combined scores into confidences.
    temperature: float = 2.0


@dataclass(frozen=True)
class Choice:
    code: str
    confidence: float


@dataclass(frozen=True)
class Suggestion:
    """A category with the department that usually goes with it and the likeliest type. The
    department is None when no example with that category had one (the routing table decides)."""

    category: Choice
    department: Choice | None
    type: Choice | None


def _identity(tokens):
    return tokens


class Features:
    """Four TF-IDF blocks (sublinear term frequencies): the words and the characters of the whole
    message, and again of its title alone, so that the title counts apart from a long body."""

    def __init__(self, settings: Settings):
        self.settings = settings

        def vectorizer(kind: str) -> TfidfVectorizer:
            if kind == "words":
                return TfidfVectorizer(analyzer=_identity, lowercase=False, sublinear_tf=True, dtype=np.float32)
            return TfidfVectorizer(analyzer="char", ngram_range=settings.chars, lowercase=False, sublinear_tf=True,
                                   dtype=np.float32)

        self.blocks = [(vectorizer(kind), part, kind, weight)
                       for part, weight in (("whole", 1.0), ("title", settings.title_weight))
                       for kind in ("words", "chars")]

    @staticmethod
    def _views(texts: Sequence[tuple[str, str]]) -> dict:
        titles = [t for t, _ in texts]
        title_words = [words(t) for t in titles]
        wholes, whole_words = [], []
        for (title, body), tokens in zip(texts, title_words, strict=True):
            wholes.append(f"{title} {body}" if body else title)
            whole_words.append(tokens + words(body) if body else tokens)
        return {("title", "chars"): titles, ("title", "words"): title_words,
                ("whole", "chars"): wholes, ("whole", "words"): whole_words}

    def fit_transform(self, texts: Sequence[tuple[str, str]]) -> csr_matrix:
        views = self._views(texts)
        return hstack([weight * v.fit_transform(views[(part, kind)]) for v, part, kind, weight in self.blocks]).tocsr()

    def transform(self, texts: Sequence[tuple[str, str]]) -> csr_matrix:
        views = self._views(texts)
        return hstack([weight * v.transform(views[(part, kind)]) for v, part, kind, weight in self.blocks]).tocsr()


class TargetModel:
    """One target's classes from the features; `scores` rows sum to 1.

    Each member model is kept as its weight matrix (features × classes, contiguous single
    precision) and bias: one sparse product per member and text, with no copy of the weights
    (scikit-learn's decision functions transpose, and so copy, the whole matrix on every call)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.classes: np.ndarray = np.array([])
        self.members: list[tuple[np.ndarray, np.ndarray, float]] = []

    def fit(self, X: csr_matrix, labels: Sequence[str]) -> TargetModel:
        y = np.asarray(labels)
        self.classes = np.unique(y)
        if len(self.classes) > 1:
            s = self.settings
            svm = LinearSVC(C=s.svm_c).fit(X, y)
            self.members = [_linear(svm.coef_, svm.intercept_, 1.0)]
            if s.huber_weight:
                # A bounded number of epochs: a member of an ensemble needs no exact optimum, and
                # training time must stay bounded on a large history.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    huber = SGDClassifier(loss="modified_huber", alpha=s.huber_alpha, max_iter=50,
                                          random_state=0).fit(X, y)
                self.members.append(_linear(huber.coef_, huber.intercept_, s.huber_weight))
            if s.bayes_weight:
                bayes = ComplementNB(alpha=s.bayes_alpha).fit(X, y)
                self.members.append(_linear(bayes.feature_log_prob_, np.zeros(len(self.classes)), s.bayes_weight))
        return self

    def scores(self, X: csr_matrix) -> np.ndarray:
        if not self.members:
            return np.ones((X.shape[0], 1))
        combined = np.zeros((X.shape[0], len(self.classes)))
        for weights, bias, weight in self.members:
            combined += weight * _standard(np.asarray(X @ weights) + bias)
        exp = np.exp(self.settings.temperature * (combined - combined.max(axis=1, keepdims=True)))
        return exp / exp.sum(axis=1, keepdims=True)


def _linear(coef: np.ndarray, intercept: np.ndarray, weight: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(features × classes weights, bias, member weight); a binary model's one margin becomes two columns."""
    if coef.shape[0] == 1:
        coef, intercept = np.vstack((-coef, coef)), np.concatenate((-intercept, intercept))
    return np.ascontiguousarray(coef.T, dtype=np.float32), np.asarray(intercept, dtype=np.float64), weight


def _standard(scores: np.ndarray) -> np.ndarray:
    spread = scores.std(axis=1, keepdims=True)
    return (scores - scores.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1.0)


class Learner:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.features = Features(self.settings)
        self.targets: dict[str, TargetModel] = {}
        self.train_seconds = 0.0
        self.counts: dict[str, int] = {}
        # The departments seen with each category: a suggestion pairs a category with one of them.
        self.routes: dict[str, set[str]] = {}

    def fit(self, examples: Sequence[Example]) -> Learner:
        if not examples:
            raise ValueError("no examples to learn from")
        began = time.perf_counter()
        texts = [message(e.title, e.body) for e in examples]
        X = self.features.fit_transform(texts)
        for e in examples:
            if e.department:
                self.routes.setdefault(e.category, set()).add(e.department)
        for target in TARGETS:
            rows = [i for i, e in enumerate(examples) if getattr(e, target)]
            self.counts[target] = len(rows)
            if rows:
                self.targets[target] = TargetModel(self.settings).fit(
                    X[rows], [getattr(examples[i], target) for i in rows])
        self.train_seconds = time.perf_counter() - began
        return self

    def suggest(self, title: str, body: str, limit: int = 3) -> list[Suggestion]:
        """The `limit` likeliest categories, each with its likeliest department; nothing at all
        for a text with no letters or digits or none the learner knows."""
        text = message(title, body)
        if not any(ch.isalnum() for part in text for ch in part):
            return []
        X = self.features.transform([text])
        if X.nnz == 0:  # not one word or character the learner has seen
            return []
        scores = {target: dict(zip(model.classes, model.scores(X)[0], strict=True)) for target, model in self.targets.items()}
        categories = sorted(scores["category"].items(), key=lambda item: -item[1])[:limit]
        departments = scores.get("department", {})
        types = scores.get("type", {})
        best_type = max(types.items(), key=lambda item: item[1]) if types else None
        out = []
        for code, confidence in categories:
            routes = [(d, departments[d]) for d in self.routes.get(code, ()) if d in departments]
            department = max(routes, key=lambda item: item[1]) if routes else None
            out.append(Suggestion(Choice(str(code), float(confidence)),
                                  Choice(str(department[0]), float(department[1])) if department else None,
                                  Choice(str(best_type[0]), float(best_type[1])) if best_type else None))
        return out

    def predict(self, texts: Sequence[tuple[str, str]], target: str = "category") -> list[str]:
        """The best code of `target` for many texts at once (evaluation)."""
        model = self.targets[target]
        X = self.features.transform([message(t, b) for t, b in texts])
        return [str(model.classes[i]) for i in model.scores(X).argmax(axis=1)]
