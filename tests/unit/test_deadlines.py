import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workorders.calendar import WorkingCalendar, chinesecalendar_days
from workorders.deadlines import (
    due,
    due_epoch_function,
    end_of_day,
    extend,
    light,
    local_date,
    return_window_end,
    severe_end,
    start_of_day,
    thresholds,
    thresholds_for_day,
    yellow_start,
)

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar(chinesecalendar_days())


def at(text):
    return datetime.fromisoformat(text)


# -- local days ------------------------------------------------------------------------------


def test_an_order_received_just_after_beijing_midnight_belongs_to_the_beijing_day():
    received = at("2025-09-30T00:30+08:00")
    assert received == at("2025-09-29T16:30+00:00")
    assert local_date(received, BEIJING) == date(2025, 9, 30)


def test_day_boundaries_are_local_and_returned_in_utc():
    assert end_of_day(date(2026, 5, 11), BEIJING) == at("2026-05-11T23:59:59+08:00")
    assert start_of_day(date(2026, 5, 11), BEIJING) == at("2026-05-11T00:00+08:00")
    assert end_of_day(date(2026, 5, 11), BEIJING).tzinfo is UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 5, 1, 10), BEIJING)


# -- due dates -------------------------------------------------------------------------------


def test_five_working_days_from_the_eve_of_labour_day_2026_end_on_monday_may_11(cal):
    deadline = due(at("2026-04-30T10:00+08:00"), 5, "working", cal, BEIJING)
    assert deadline.at == at("2026-05-11T23:59:59+08:00")
    assert deadline.at.tzinfo is UTC
    assert deadline.day == date(2026, 5, 11)
    assert deadline.provisional is False


def test_a_receipt_on_a_holiday_makes_the_first_working_day_after_it_day_one(cal):
    assert due(at("2025-10-03T10:00+08:00"), 1, "working", cal, BEIJING).at == at("2025-10-09T23:59:59+08:00")


def test_a_receipt_on_an_ordinary_saturday_makes_monday_day_one(cal):
    assert due(at("2026-03-07T10:00+08:00"), 1, "working", cal, BEIJING).at == at("2026-03-09T23:59:59+08:00")


def test_a_receipt_the_day_before_an_adjusted_working_sunday_counts_that_sunday_as_day_one(cal):
    # Saturday 2025-09-27 is a rest day; Sunday 2025-09-28 is worked in exchange for National Day.
    assert due(at("2025-09-27T10:00+08:00"), 1, "working", cal, BEIJING).day == date(2025, 9, 28)


def test_a_receipt_on_an_adjusted_working_day_does_not_count_that_day(cal):
    received = at("2025-09-28T10:00+08:00")  # Sunday, worked
    assert due(received, 1, "working", cal, BEIJING).day == date(2025, 9, 29)
    assert due(received, 3, "working", cal, BEIJING).day == date(2025, 10, 9)


def test_a_receipt_just_after_local_midnight_counts_from_the_beijing_date_not_the_utc_date(cal):
    # 16:30 UTC on 29 September is already 30 September in Beijing; counting from the UTC date
    # would make 30 September day one.
    deadline = due(at("2025-09-30T00:30+08:00"), 1, "working", cal, BEIJING)
    assert deadline.at == at("2025-10-09T23:59:59+08:00")


def test_a_receipt_late_in_the_evening_still_belongs_to_that_day(cal):
    deadline = due(at("2025-09-29T23:30+08:00"), 1, "working", cal, BEIJING)
    assert deadline.day == date(2025, 9, 30)


def test_a_deadline_beyond_the_calendar_is_counted_monday_to_friday_and_provisional(cal):
    assert cal.last == date(2026, 12, 31)
    deadline = due(at("2026-12-30T10:00+08:00"), 5, "working", cal, BEIJING)
    # Thu 31 Dec, then (unknown yet) Fri 1 Jan 2027, Mon 4, Tue 5, Wed 6 January.
    assert deadline.at == at("2027-01-06T23:59:59+08:00")
    assert deadline.provisional is True


def test_a_deadline_on_the_last_covered_day_is_not_provisional(cal):
    deadline = due(at("2026-12-28T10:00+08:00"), 3, "working", cal, BEIJING)
    assert deadline.day == date(2026, 12, 31)
    assert deadline.provisional is False


def test_every_deadline_of_an_empty_calendar_is_provisional():
    deadline = due(at("2026-04-30T10:00+08:00"), 5, "working", WorkingCalendar.empty(), BEIJING)
    assert deadline.day == date(2026, 5, 7)  # Monday to Friday, Labour Day unknown
    assert deadline.provisional is True


def test_natural_day_limits_count_calendar_days_and_ignore_holidays(cal):
    deadline = due(at("2026-04-30T10:00+08:00"), 3, "natural", cal, BEIJING)
    assert deadline.at == at("2026-05-03T23:59:59+08:00")
    assert deadline.provisional is False


def test_natural_day_limits_also_start_from_the_beijing_date(cal):
    deadline = due(at("2026-04-30T00:10+08:00"), 3, "natural", cal, BEIJING)
    assert deadline.day == date(2026, 5, 3)


def test_a_limit_needs_a_known_unit_and_at_least_one_day(cal):
    with pytest.raises(ValueError, match="unit"):
        due(at("2026-04-30T10:00+08:00"), 3, "hours", cal, BEIJING)
    with pytest.raises(ValueError, match="at least 1"):
        due(at("2026-04-30T10:00+08:00"), 0, "working", cal, BEIJING)


# -- return window ---------------------------------------------------------------------------


def test_a_same_day_return_window_on_a_working_day_ends_that_evening(cal):
    window = return_window_end(at("2025-09-30T15:00+08:00"), 0, cal, BEIJING)
    assert window.at == at("2025-09-30T23:59:59+08:00")


def test_a_same_day_return_window_on_a_rest_day_ends_on_the_next_working_day(cal):
    window = return_window_end(at("2025-10-01T10:00+08:00"), 0, cal, BEIJING)
    assert window.at == at("2025-10-09T23:59:59+08:00")


def test_a_same_day_return_window_on_an_adjusted_working_sunday_ends_that_sunday(cal):
    window = return_window_end(at("2025-09-28T10:00+08:00"), 0, cal, BEIJING)
    assert window.at == at("2025-09-28T23:59:59+08:00")


def test_a_three_day_return_window_counts_working_days_after_the_dispatch_date(cal):
    window = return_window_end(at("2025-09-30T15:00+08:00"), 3, cal, BEIJING)
    # Thu 9 Oct, Fri 10 Oct, Sat 11 Oct (adjusted working day).
    assert window.at == at("2025-10-11T23:59:59+08:00")
    assert window.provisional is False


# -- traffic-light thresholds around National Day 2025 ----------------------------------------
# A complaint dispatched on Tue 30 Sep 2025 with 5 working days. Oct 1–8 are rest days and
# Sat 11 Oct is worked: day 1 Thu 9, 2 Fri 10, 3 Sat 11, (Sun 12 rest), 4 Mon 13, 5 Tue 14.


def test_a_complaint_dispatched_before_national_day_is_due_on_october_14(cal):
    limits = thresholds(at("2025-09-30T10:00+08:00"), 5, "working", 2, 5, cal, BEIJING)
    assert limits.due_day == date(2025, 10, 14)
    assert limits.due_at == at("2025-10-14T23:59:59+08:00")


def test_it_turns_yellow_at_the_start_of_the_working_day_before_the_due_day(cal):
    limits = thresholds(at("2025-09-30T10:00+08:00"), 5, "working", 2, 5, cal, BEIJING)
    assert limits.yellow_at == at("2025-10-13T00:00+08:00")


def test_it_is_severely_overdue_after_five_more_working_days(cal):
    limits = thresholds(at("2025-09-30T10:00+08:00"), 5, "working", 2, 5, cal, BEIJING)
    # Wed 15, Thu 16, Fri 17, (weekend), Mon 20, Tue 21.
    assert limits.severe_at == at("2025-10-21T23:59:59+08:00")
    assert limits.provisional is False


def test_a_longer_yellow_period_counts_back_over_the_adjusted_saturday_and_the_holiday(cal):
    due_day = date(2025, 10, 14)
    assert yellow_start(due_day, 1, "working", cal, BEIJING) == at("2025-10-14T00:00+08:00")
    assert yellow_start(due_day, 3, "working", cal, BEIJING) == at("2025-10-11T00:00+08:00")
    assert yellow_start(due_day, 4, "working", cal, BEIJING) == at("2025-10-10T00:00+08:00")
    assert yellow_start(due_day, 6, "working", cal, BEIJING) == at("2025-09-30T00:00+08:00")


def test_natural_day_yellow_periods_count_calendar_days(cal):
    assert yellow_start(date(2025, 10, 14), 3, "natural", cal, BEIJING) == at("2025-10-12T00:00+08:00")


def test_no_yellow_period_means_yellow_begins_only_when_red_does(cal):
    due_day = date(2025, 10, 14)
    yellow_at = yellow_start(due_day, 0, "working", cal, BEIJING)
    due_at = end_of_day(due_day, BEIJING)
    assert yellow_at == due_at + timedelta(seconds=1)
    assert light(due_at, due_at, yellow_at) == "green"
    assert light(yellow_at, due_at, yellow_at) == "red"


def test_severe_overdue_counts_working_days_after_the_due_day(cal):
    assert severe_end(date(2025, 9, 30), 1, cal, BEIJING).at == at("2025-10-09T23:59:59+08:00")
    assert severe_end(date(2025, 9, 30), 0, cal, BEIJING).at == at("2025-09-30T23:59:59+08:00")


def test_a_committed_date_on_a_rest_day_is_due_that_day_and_yellow_from_the_working_day_before(cal):
    limits = thresholds_for_day(date(2025, 10, 5), 2, "working", 5, cal, BEIJING)
    assert limits.due_at == at("2025-10-05T23:59:59+08:00")
    assert limits.yellow_at == at("2025-09-30T00:00+08:00")
    # Thu 9, Fri 10, Sat 11, Mon 13, Tue 14.
    assert limits.severe_at == at("2025-10-14T23:59:59+08:00")


def test_thresholds_are_provisional_when_severe_overdue_lies_beyond_the_calendar(cal):
    limits = thresholds_for_day(date(2026, 12, 29), 2, "working", 5, cal, BEIJING)
    assert limits.provisional is True
    limits = thresholds_for_day(date(2026, 12, 21), 2, "working", 5, cal, BEIJING)
    assert limits.provisional is False


def test_an_extension_moves_the_deadline_by_working_days(cal):
    moved = extend(date(2025, 9, 30), 3, cal, BEIJING)
    assert moved.at == at("2025-10-11T23:59:59+08:00")
    with pytest.raises(ValueError):
        extend(date(2025, 9, 30), -1, cal, BEIJING)


# -- lights ----------------------------------------------------------------------------------


def test_the_light_is_green_then_yellow_then_red_on_time_through_the_last_second():
    due_at = at("2025-10-14T23:59:59+08:00")
    yellow_at = at("2025-10-13T00:00+08:00")
    assert light(at("2025-10-12T23:59:59+08:00"), due_at, yellow_at) == "green"
    assert light(at("2025-10-13T00:00+08:00"), due_at, yellow_at) == "yellow"
    assert light(at("2025-10-14T23:59:59.900+08:00"), due_at, yellow_at) == "yellow"
    assert light(at("2025-10-15T00:00+08:00"), due_at, yellow_at) == "red"


# -- the fast path -----------------------------------------------------------------------------


def test_the_fast_path_equals_the_datetime_path_on_random_starts_2024_to_2030(cal):
    fast = due_epoch_function(cal, BEIJING)
    rng = random.Random(12345)
    lo = int(at("2024-01-01T00:00+08:00").timestamp())
    hi = int(at("2030-12-31T00:00+08:00").timestamp())
    for _ in range(20_000):
        start, n = rng.randrange(lo, hi), rng.randint(1, 60)
        expected = due(datetime.fromtimestamp(start, UTC), n, "working", cal, BEIJING).at
        assert fast(start, n) == expected.timestamp(), (start, n)


def test_the_fast_path_handles_starts_exactly_at_local_midnight(cal):
    fast = due_epoch_function(cal, BEIJING)
    midnight = int(at("2025-09-30T00:00+08:00").timestamp())
    assert fast(midnight, 1) == at("2025-10-09T23:59:59+08:00").timestamp()
    assert fast(midnight - 1, 1) == at("2025-09-30T23:59:59+08:00").timestamp()


def test_the_fast_path_refuses_what_it_cannot_answer_instead_of_wrapping_around(cal):
    fast = due_epoch_function(cal, BEIJING)
    with pytest.raises(ValueError):
        fast(int(at("2025-09-30T10:00+08:00").timestamp()), 0)
    with pytest.raises(ValueError):
        fast(int(at("1950-01-01T10:00+08:00").timestamp()), 1)
    with pytest.raises(ValueError):
        fast(int(at("2200-01-01T10:00+08:00").timestamp()), 1)


def test_a_zone_with_daylight_saving_time_falls_back_to_the_datetime_path():
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkingCalendar(chinesecalendar_days(2025, 2026))
    slow = due_epoch_function(cal, berlin)
    start = int(datetime(2026, 3, 27, 23, 30, tzinfo=berlin).timestamp())  # Friday, before the change
    # Monday 30 March ends at 23:59:59 CEST, an hour earlier in UTC than in winter.
    assert slow(start, 1) == datetime(2026, 3, 30, 23, 59, 59, tzinfo=berlin).timestamp()
    assert slow(start, 1) == due(datetime.fromtimestamp(start, UTC), 1, "working", cal, berlin).at.timestamp()
