"""Training as the app runs it: the nightly job and `hotline suggest train`."""
from __future__ import annotations

from flask import Flask

from workorders.suggest.training import Trained, retrain

from ..db import database
from ..jobs import JobRun, Outcome, real_now
from ..runtime import clock


def retrain_job(run: JobRun) -> Outcome:
    from ..jobs import process_name

    trained = retrain(run.transaction, process_name("job"), run.now, real_now,
                      min_news=run.app.config["SUGGEST_RETRAIN_MIN_NEW"])
    return Outcome(trained.examples if trained.version else 0, trained.note)


def train_now(app: Flask, owner: str) -> Trained:
    """Train whatever is new or not (the operator asked), still one process at a time."""
    return retrain(lambda: database(app).transaction(), owner, clock(app).now(), real_now, min_news=0)
