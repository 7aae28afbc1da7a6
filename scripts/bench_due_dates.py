"""Benchmark: working-day due dates per second, ours against a day-by-day chinesecalendar loop.

Both sides answer the same question: given a receipt time (epoch seconds) and a limit of N
working days, the epoch of 23:59:59 Beijing time on the N-th working day after the receipt's
Beijing date. Ours uses the calendar's precomputed tables; the baseline walks day by day asking
`chinese_calendar.is_workday`, which is what one writes without a calendar structure. The two are
checked against each other on every pair the baseline computes.

Run: python scripts/bench_due_dates.py [N]   (or python -m scripts.bench_due_dates)
"""
from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workorders.calendar import WorkingCalendar, chinesecalendar_days  # noqa: E402
from workorders.deadlines import due_epoch_function  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
SEED = 12345
# chinesecalendar re-scans its holiday table on every is_workday call (about 1 ms per due date
# here), so the baseline runs on a sample and is scaled to a rate.
SLOW_PAIRS = 2_000


def run(n: int = 1_000_000, slow_n: int = SLOW_PAIRS) -> dict:
    starts, limits = _random_pairs(n, SEED)

    built = time.perf_counter()
    calendar = WorkingCalendar(chinesecalendar_days())
    due_epoch = due_epoch_function(calendar, TZ)
    build_seconds = time.perf_counter() - built

    began = time.perf_counter()
    fast = [due_epoch(s, k) for s, k in zip(starts, limits, strict=True)]
    fast_seconds = time.perf_counter() - began

    slow_n = min(slow_n, n)
    began = time.perf_counter()
    slow = [_chinesecalendar_loop(s, k) for s, k in zip(starts[:slow_n], limits[:slow_n], strict=True)]
    slow_seconds = time.perf_counter() - began

    fast_rate = n / fast_seconds
    slow_rate = slow_n / slow_seconds
    return {
        "due_dates_per_second": round(fast_rate),
        "chinesecalendar_loop_per_second": round(slow_rate),
        "speedup": round(fast_rate / slow_rate, 1),
        "checked_equal": sum(a == b for a, b in zip(fast[:slow_n], slow, strict=True)),
        "checked_pairs": slow_n,
        "n": n,
        "limits": "3..60 working days, receipts 2024-01-01..2026-12-31 Asia/Shanghai",
        "calendar_build_seconds": round(build_seconds, 3),
    }


def _random_pairs(n: int, seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    first = int(datetime(2024, 1, 1, tzinfo=TZ).timestamp())
    last = int(datetime(2027, 1, 1, tzinfo=TZ).timestamp())
    return ([rng.randrange(first, last) for _ in range(n)], [rng.randint(3, 60) for _ in range(n)])


def _chinesecalendar_loop(start_epoch: int, n: int) -> int:
    import chinese_calendar

    day = datetime.fromtimestamp(start_epoch, TZ).date()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if _is_workday(chinese_calendar, day):
            counted += 1
    return int(datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=TZ).timestamp())


def _is_workday(chinese_calendar, day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Late-2026 receipts run into 2027, which the package does not know yet; both sides then
        # assume Monday to Friday.
        return day.weekday() < 5



def add_arguments(parser) -> None:
    parser.add_argument("--n", type=int, default=1_000_000, help="due dates to compute (fast path)")
    parser.add_argument("--slow-n", type=int, default=SLOW_PAIRS, help="pairs for the chinesecalendar loop")


def main(args) -> dict:
    return run(args.n, args.slow_n)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)))
