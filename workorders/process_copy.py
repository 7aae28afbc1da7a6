"""Reference data a hot path reads on every request, kept by each process for a few seconds.

The staffing schedule and the calendar change a few times a year, yet /ivr/voice needs them for
every call, and reading them cost more than logging the call. A `ProcessCopy` keeps what its
loader read for at most `ttl` seconds (a monotonic clock: moving the app's clock changes nothing).

How a change reaches the copies:
- in the process that made it, at once: every writer of such data calls `reference_data_changed()`
  (schedule.save, the calendar's imports), which makes every copy in the process read again;
- in every other process (the other web workers, the scheduler), within `ttl` seconds.

A copy belongs to one app (app.extensions), so a new app — each test makes one — starts empty.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from time import monotonic
from typing import Generic, TypeVar

T = TypeVar("T")
Source = TypeVar("Source")  # what the loader reads from: a session, a connection

_generation = 0
_generation_lock = threading.Lock()


def reference_data_changed() -> None:
    """Called by every writer of cached reference data: this process's copies read again."""
    global _generation
    with _generation_lock:
        _generation += 1


class ProcessCopy(Generic[Source, T]):
    def __init__(self, load: Callable[[Source], T], ttl: float):
        if ttl < 0:
            raise ValueError("ttl must not be negative")
        self._load, self.ttl = load, ttl
        # (generation, read at, value), replaced as a whole so that threads never see half of it.
        self._held: tuple[int, float, T] | None = None

    def get(self, source: Source) -> T:
        held, now = self._held, monotonic()
        if held is not None and held[0] == _generation and now - held[1] < self.ttl:
            return held[2]
        generation = _generation  # read before loading: a change during the load is not missed
        value = self._load(source)
        self._held = (generation, now, value)
        return value

    def forget(self) -> None:
        self._held = None
