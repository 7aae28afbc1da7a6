"""The learner: TF-IDF of words and character n-grams, the title again apart, linear models.

Pure scikit-learn, no database and no clock: `fit` on examples, `suggest` on a text. One model per
target (category, department, type); a target with a single value seen is a constant, one never
seen is left out. Every example with a body also teaches its title alone, at a lower weight (the
desk asks while the agent types, and many messages are a title only). Scores of a linear SVM, a
modified-Huber linear model (SGD) and complement naive Bayes are standardised per text and added,
weighted, plus a bias per class (an ensemble of differently-biased linear models beats each alone;
see docs/suggestions.md); a softmax of the sum is the confidence the desk shows. On enough examples
the weights and biases are learned from the members' scores on inner folds of the training
examples (each member judged on examples it was not fitted on), otherwise fixed ones serve.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.sparse import csr_matrix, hstack
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
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
    # Sharpness of the softmax that turns combined scores into confidences (fixed weights only:
    # learned weights carry their own scale).
    temperature: float = 2.0
    # Weight of an example's title taught alone, for every example that has a title and a body (0: none).
    title_copy_weight: float = 0.5
    # Inner folds whose held-out scores teach the member weights and class biases; fewer examples
    # than `combine_min_examples`, or a class with fewer examples than folds, keeps the fixed weights.
    inner_folds: int = 3
    combine_min_examples: int = 300
    # The inner folds cost each target three more fits: only the category (what the desk shows
    # first) learns its combination, so that training 10,000 orders stays well under a minute.
    combined_targets: tuple[str, ...] = ("category",)


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

    # Learned by `fit` on enough examples; these class-level defaults (no class biases, the fixed
    # temperature) keep models pickled before they existed loading and serving as they did.
    offsets: np.ndarray | None = None
    sharpness: float | None = None

    def __init__(self, settings: Settings):
        self.settings = settings
        self.classes: np.ndarray = np.array([])
        self.members: list[tuple[np.ndarray, np.ndarray, float]] = []

    def fit(self, X: csr_matrix, labels: Sequence[str], sample_weight: np.ndarray | None = None,
            groups: np.ndarray | None = None, combine: bool = True) -> TargetModel:
        """`groups`: the example each row comes from (a title taught alone shares its example's
        group), so that inner folds never judge a row by a model fitted on its own example.
        `combine`: learn the member weights and class biases (else the fixed weights serve)."""
        y = np.asarray(labels)
        self.classes = np.unique(y)
        if len(self.classes) > 1:
            self.members = self._fit_members(X, y, sample_weight)
            if combine and self._can_combine(y, groups):
                self._learn_combination(X, y, sample_weight, groups)
        return self

    def _fit_members(self, X: csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None) -> list:
        s = self.settings
        svm = LinearSVC(C=s.svm_c).fit(X, y, sample_weight=sample_weight)
        members = [_linear(svm.coef_, svm.intercept_, 1.0)]
        if s.huber_weight:
            # A bounded number of epochs: a member of an ensemble needs no exact optimum, and
            # training time must stay bounded on a large history.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                huber = SGDClassifier(loss="modified_huber", alpha=s.huber_alpha, max_iter=50,
                                      random_state=0).fit(X, y, sample_weight=sample_weight)
            members.append(_linear(huber.coef_, huber.intercept_, s.huber_weight))
        if s.bayes_weight:
            bayes = ComplementNB(alpha=s.bayes_alpha).fit(X, y, sample_weight=sample_weight)
            members.append(_linear(bayes.feature_log_prob_, np.zeros(len(self.classes)), s.bayes_weight))
        return members

    def _can_combine(self, y: np.ndarray, groups: np.ndarray | None) -> bool:
        s = self.settings
        if s.inner_folds < 2 or len(y) < s.combine_min_examples:
            return False
        firsts = y if groups is None else y[np.unique(groups, return_index=True)[1]]
        return bool(np.unique(firsts, return_counts=True)[1].min() >= s.inner_folds)

    def _learn_combination(self, X: csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None,
                           groups: np.ndarray | None) -> None:
        """Member weights and class biases that best predict (log-likelihood of the softmax) the
        classes of held-out rows from the members' standardised scores on inner folds."""
        groups = np.arange(len(y)) if groups is None else groups
        first_rows = np.unique(groups, return_index=True)[1]
        held_out = np.zeros((len(y), len(self.members), len(self.classes)))
        inner = StratifiedKFold(self.settings.inner_folds, shuffle=True, random_state=0)
        for fit_part, _ in inner.split(first_rows, y[first_rows]):
            fitted = np.isin(groups, groups[first_rows[fit_part]])
            members = self._fit_members(X[fitted], y[fitted], None if sample_weight is None else sample_weight[fitted])
            held_out[~fitted] = _member_scores(members, X[~fitted])
        weights, self.offsets = _fit_combination(held_out, np.searchsorted(self.classes, y))
        self.members = [(matrix, bias, float(weight)) for (matrix, bias, _), weight in zip(self.members, weights, strict=True)]
        self.sharpness = 1.0

    def scores(self, X: csr_matrix) -> np.ndarray:
        if not self.members:
            return np.ones((X.shape[0], 1))
        combined = np.einsum("nmc,m->nc", _member_scores(self.members, X), [w for _, _, w in self.members])
        if self.offsets is not None:
            combined += self.offsets
        sharpness = self.settings.temperature if self.sharpness is None else self.sharpness
        exp = np.exp(sharpness * (combined - combined.max(axis=1, keepdims=True)))
        return exp / exp.sum(axis=1, keepdims=True)


def _member_scores(members: list, X: csr_matrix) -> np.ndarray:
    """texts × members × classes: each member's scores, standardised per text."""
    return np.stack([_standard(np.asarray(X @ matrix) + bias) for matrix, bias, _ in members], axis=1)


def _fit_combination(scores: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(member weights, class biases) of the softmax of sum(weight × scores) + bias that best
    predicts `truth` (rows × members × classes scores, class indices); a little ridge on the biases."""
    rows, members, classes = scores.shape

    def loss(params: np.ndarray) -> float:
        combined = np.einsum("nmc,m->nc", scores, params[:members]) + params[members:]
        combined -= combined.max(axis=1, keepdims=True)
        log_p = combined[np.arange(rows), truth] - np.log(np.exp(combined).sum(axis=1))
        return float(-log_p.mean() + 1e-3 * (params[members:] ** 2).sum())

    found = minimize(loss, np.r_[np.ones(members), np.zeros(classes)], method="L-BFGS-B").x
    return found[:members], found[members:]


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
        # Row i of X is example origin[i]: all examples, then the titles taught alone.
        origin = list(range(len(examples)))
        if self.settings.title_copy_weight:
            origin += [i for i, (title, body) in enumerate(texts) if title and body]
        copies = [(texts[i][0], "") for i in origin[len(examples):]]
        X = self.features.fit_transform(texts + copies)
        row_weights = np.r_[np.ones(len(examples)), np.full(len(copies), self.settings.title_copy_weight)]
        for e in examples:
            if e.department:
                self.routes.setdefault(e.category, set()).add(e.department)
        for target in TARGETS:
            rows = [r for r, i in enumerate(origin) if getattr(examples[i], target)]
            self.counts[target] = sum(1 for e in examples if getattr(e, target))
            if rows:
                self.targets[target] = TargetModel(self.settings).fit(
                    X[rows], [getattr(examples[origin[r]], target) for r in rows],
                    sample_weight=row_weights[rows] if copies else None, groups=np.asarray(origin)[rows],
                    combine=target in self.settings.combined_targets)
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
