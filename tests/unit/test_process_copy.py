"""A process's copy of reference data: read again after its seconds, or at once after a change here."""
from __future__ import annotations

import pytest

from workorders import process_copy
from workorders.process_copy import ProcessCopy, reference_data_changed


class Reads:
    """A loader that hands out a new value each time it is asked, and counts the asking."""

    def __init__(self):
        self.count = 0

    def __call__(self, session) -> int:
        self.count += 1
        return self.count


@pytest.fixture
def seconds(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(process_copy, "monotonic", lambda: now[0])
    return now


def test_the_copy_is_used_until_its_seconds_have_passed(seconds):
    reads = Reads()
    copy = ProcessCopy(reads, ttl=5)
    assert copy.get("session") == 1
    seconds[0] += 4.9
    assert copy.get("session") == 1 and reads.count == 1
    seconds[0] += 0.1
    assert copy.get("session") == 2
    assert copy.get("session") == 2 and reads.count == 2


def test_a_change_made_in_this_process_is_read_at_once(seconds):
    reads, other = Reads(), Reads()
    copy, other_copy = ProcessCopy(reads, ttl=5), ProcessCopy(other, ttl=5)
    assert (copy.get(None), other_copy.get(None)) == (1, 1)
    reference_data_changed()
    assert (copy.get(None), other_copy.get(None)) == (2, 2)
    assert (copy.get(None), other_copy.get(None)) == (2, 2)


def test_no_seconds_means_reading_every_time(seconds):
    copy = ProcessCopy(Reads(), ttl=0)
    assert [copy.get(None) for _ in range(3)] == [1, 2, 3]


def test_forget_drops_the_copy(seconds):
    copy = ProcessCopy(Reads(), ttl=5)
    copy.get(None)
    copy.forget()
    assert copy.get(None) == 2


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError):
        ProcessCopy(Reads(), ttl=-1)
