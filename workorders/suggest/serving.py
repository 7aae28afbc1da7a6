"""Each process serves the newest committed model: a cheap look at the newest version id at most
every `refresh_seconds`, and a load (unpickling) only when it changed. Until a new version is
committed the old one keeps serving, whatever training is going on elsewhere."""
from __future__ import annotations

import logging
import pickle
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .learner import Learner
from .models import SuggestModel

log = logging.getLogger("workorders.suggest")


@dataclass(frozen=True)
class Served:
    version: int
    trained_at: datetime
    learner: Learner


class ModelCache:
    def __init__(self, refresh_seconds: float = 10.0):
        self.refresh_seconds = refresh_seconds
        self._served: Served | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._unloadable: int | None = None

    def current(self, session: Session) -> Served | None:
        if time.monotonic() - self._checked < self.refresh_seconds:
            return self._served
        newest = session.execute(select(SuggestModel.id, SuggestModel.trained_at)
                                 .order_by(SuggestModel.id.desc()).limit(1)).first()
        with self._lock:
            if newest is None:
                self._served = None
            elif newest.id == self._unloadable:
                pass  # already tried: keep serving what we had
            elif self._served is None or self._served.version != newest.id:
                payload = session.scalar(select(SuggestModel.payload).where(SuggestModel.id == newest.id))
                try:
                    self._served = Served(newest.id, newest.trained_at, pickle.loads(payload))
                except Exception:  # e.g. pickled by another scikit-learn version: the desk goes on without
                    log.exception("suggestion model version %s cannot be loaded; retrain it", newest.id)
                    self._unloadable = newest.id
            self._checked = time.monotonic()
            return self._served
