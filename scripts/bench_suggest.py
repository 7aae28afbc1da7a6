"""Learned suggestions: 5-fold macro-F1 of the product's learner beside a TF-IDF + LinearSVC baseline.

`scripts/bench suggest [--folds 5] [--data PATH]` splits ../shared/data/citizen_messages.csv into
stratified folds (fixed seed), trains the product's learner (`workorders.suggest.learner`, the
code `hotline suggest evaluate` runs) and the baseline on each training part and judges both on
the held-out part, three ways:
- title_and_body: learned from the whole messages, asked with title and body;
- titles_alone: learned from the whole messages, asked with the titles alone, as the desk asks
  while the agent has typed only the gist (the model serving the desk learns from whole orders);
- titles_alone_learned_from_titles: learned and asked with the titles alone (the published
  reference setting for titles).
Nothing is tuned on a test fold: the learner's settings are fixed in its code. The baseline is the
published reference: TF-IDF of jieba words plus character 1–3-grams, LinearSVC with defaults.

Also: the time to train on 10,000 messages (the data set, topped up by repeating its first rows),
for the category alone and for the three targets of a real order (category, department, type),
and the load average of the machine before and after, since timings on a shared machine vary.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.sparse import hstack  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from workorders.suggest.evaluation import Labelled, judge, learn, read_labelled  # noqa: E402
from workorders.suggest.features import _jieba, normalize  # noqa: E402
from workorders.suggest.learner import Example, Learner  # noqa: E402

TYPES = ("consultation", "help", "complaint", "report", "suggestion", "praise", "other")
# Each mode: (learn from the titles alone, ask with the titles alone).
MODES = {"title_and_body": (False, False), "titles_alone": (False, True), "titles_alone_learned_from_titles": (True, True)}
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "citizen_messages.csv"


def add_arguments(parser) -> None:
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DATA)


def _jieba_words(text: str) -> list[str]:
    return [w for w in _jieba().cut(text) if w.strip()]


def baseline(train: list[Labelled], test: list[Labelled], learn_titles: bool, ask_titles: bool) -> float:
    def text(row: Labelled, title_only: bool) -> str:
        return normalize(row.title if title_only else f"{row.title} {row.body}")

    words = TfidfVectorizer(analyzer=_jieba_words)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    train_texts, test_texts = [text(r, learn_titles) for r in train], [text(r, ask_titles) for r in test]
    X = hstack([words.fit_transform(train_texts), chars.fit_transform(train_texts)]).tocsr()
    T = hstack([words.transform(test_texts), chars.transform(test_texts)]).tocsr()
    predicted = LinearSVC().fit(X, [r.label for r in train]).predict(T)
    return float(f1_score([r.label for r in test], predicted, average="macro"))


def main(args) -> dict:
    if not args.data.exists():
        return {"skipped": f"no data set at {args.data} (it lives in ../shared/data, never in the repository)"}
    rows = read_labelled(args.data)
    labels = [r.label for r in rows]
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(np.zeros(len(rows)), labels))
    load_before = os.getloadavg()
    began = time.perf_counter()
    figures: dict = {"rows": len(rows), "folds": args.folds, "cpus": os.cpu_count()}
    # Three ways of judging, on the same folds (MODES). The desk's learner learns from whole
    # messages and is asked with the title and body, or with the title alone (what the agent has
    # typed first); the reference setting for titles, as published, learns from the titles alone.
    runs: dict[str, dict[str, list]] = {mode: {"product": [], "baseline": []} for mode in MODES}
    for train_index, test_index in folds:
        train, test = [rows[i] for i in train_index], [rows[i] for i in test_index]
        learners = {learn_titles: learn(train, titles_only=learn_titles) for learn_titles in (False, True)}
        for mode, (learn_titles, ask_titles) in MODES.items():
            runs[mode]["product"].append(judge(learners[learn_titles], test, titles_only=ask_titles))
            runs[mode]["baseline"].append(baseline(train, test, learn_titles, ask_titles))
    for mode, run in runs.items():
        product, reference = run["product"], run["baseline"]
        figures[mode] = {
            "product_macro_f1": round(float(np.mean([p["macro_f1"] for p in product])), 4),
            "product_macro_f1_per_fold": [p["macro_f1"] for p in product],
            "product_accuracy": round(float(np.mean([p["accuracy"] for p in product])), 4),
            "product_ms_per_suggestion_p95": round(float(np.max([p["ms_per_suggestion_p95"] for p in product])), 2),
            "product_train_seconds": round(float(np.mean([p["train_seconds"] for p in product])), 2),
            "baseline_macro_f1": round(float(np.mean(reference)), 4),
            "baseline_macro_f1_per_fold": [round(f, 4) for f in reference],
        }
    ten_thousand = (rows * (10_000 // len(rows) + 1))[:10_000]
    learner = Learner().fit([Example(r.title, r.body, r.label) for r in ten_thousand])
    figures["train_seconds_10000"] = round(learner.train_seconds, 2)
    # Real orders teach three targets. The messages have no department or type: give each category
    # two departments and spread the seven types, so the timing covers all three models.
    learner = Learner().fit([Example(r.title, r.body, r.label, f"{r.label}-{i % 2}", TYPES[i % len(TYPES)])
                             for i, r in enumerate(ten_thousand)])
    figures["train_seconds_10000_three_targets"] = round(learner.train_seconds, 2)
    figures["seconds"] = round(time.perf_counter() - began, 1)
    figures["load_average_before"] = [round(x, 2) for x in load_before]
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return figures
