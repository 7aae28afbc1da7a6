"""Measuring the learner on labelled messages: train on one set, judge on another.

Macro-F1 and accuracy over the whole test set; the time of one suggestion (as the desk asks for
it: one text, top 3) over up to `TIMED` test texts spread through the set.
"""
from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from ..errors import Invalid
from .learner import Example, Learner, Settings

TIMED = 1000


@dataclass(frozen=True)
class Labelled:
    title: str
    body: str
    label: str


def read_labelled(path: Path) -> list[Labelled]:
    """A CSV with `title`, `body` (may be empty) and `label` columns."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("title", "body", "label") if c not in (reader.fieldnames or [])]
        if missing:
            raise Invalid("%(file)s has no column(s) %(columns)s", file=str(path), columns=missing)
        rows = [Labelled(r["title"] or "", r["body"] or "", (r["label"] or "").strip()) for r in reader]
    for line, row in enumerate(rows, start=2):
        if not row.label:
            raise Invalid("%(file)s line %(line)s: no label", file=str(path), line=line)
    if not rows:
        raise Invalid("%(file)s has no rows", file=str(path))
    return rows


def evaluate(train: Sequence[Labelled], test: Sequence[Labelled], titles_only: bool = False,
             settings: Settings | None = None) -> dict:
    """Learn from `train` and judge on `test`; `titles_only`: both without their bodies."""
    return judge(learn(train, titles_only, settings), test, titles_only)


def learn(train: Sequence[Labelled], titles_only: bool = False, settings: Settings | None = None) -> Learner:
    return Learner(settings).fit([Example(r.title, "" if titles_only else r.body, r.label) for r in train])


def judge(learner: Learner, test: Sequence[Labelled], titles_only: bool = False) -> dict:
    """The learner's figures on `test`; `titles_only`: asked with the titles alone, as the desk
    asks while the agent has typed only the gist."""
    def body(row: Labelled) -> str:
        return "" if titles_only else row.body

    predicted = learner.predict([(r.title, body(r)) for r in test])
    truth = [r.label for r in test]
    step = max(1, len(test) // TIMED)
    timings = []
    for row in test[::step]:
        began = time.perf_counter()
        learner.suggest(row.title, body(row))
        timings.append((time.perf_counter() - began) * 1000)
    return {
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "ms_per_suggestion_p95": round(float(np.percentile(timings, 95)), 2),
        "train_seconds": round(learner.train_seconds, 2),
        "train_rows": learner.counts.get("category", 0),
        "test_rows": len(test),
    }
