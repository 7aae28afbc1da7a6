import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from workorders.calendar import WorkingCalendar, chinesecalendar_days, official_year_map_to_days

OFFICIAL_HOLIDAYS = Path(__file__).parents[3] / "shared/data/official_holidays.json"


@pytest.fixture(scope="module")
def official_years():
    if not OFFICIAL_HOLIDAYS.exists():
        pytest.skip(f"{OFFICIAL_HOLIDAYS} is not there (it lives in ../shared beside the repository)")
    return json.loads(OFFICIAL_HOLIDAYS.read_text(encoding="utf-8"))["years"]


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar(chinesecalendar_days())


def days_of(year_from, year_to, workday=lambda d: d.weekday() < 5):
    d, last, out = date(year_from, 1, 1), date(year_to, 12, 31), {}
    while d <= last:
        out[d] = workday(d)
        d += timedelta(days=1)
    return out


# -- the sources agree -------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_chinesecalendar_agrees_with_the_official_notices_on_every_date(official_years, year):
    official = official_year_map_to_days({str(year): official_years[str(year)]})
    package = chinesecalendar_days(year, year)
    assert len(official) == len(package) >= 365
    differing = {d: (official[d], package[d]) for d in official if official[d] != package[d]}
    assert differing == {}


def test_the_official_file_converts_to_whole_years(official_years):
    days = official_year_map_to_days(official_years)
    assert min(days) == date(2024, 1, 1) and max(days) == date(2026, 12, 31)
    assert len(days) == 366 + 365 + 365
    assert days[date(2026, 5, 9)] is True  # Saturday, adjusted working day
    assert days[date(2026, 5, 4)] is False  # Monday inside the Labour Day holiday
    assert days[date(2026, 5, 16)] is False  # an ordinary Saturday


def test_chinesecalendar_coverage_is_whole_contiguous_years():
    days = chinesecalendar_days()
    assert min(days).timetuple()[1:3] == (1, 1) and max(days).timetuple()[1:3] == (12, 31)
    assert max(days).year >= 2026
    WorkingCalendar(days)  # raises on a gap


def test_asking_chinesecalendar_for_a_year_it_does_not_know_is_refused():
    with pytest.raises(ValueError, match="covers"):
        chinesecalendar_days(2026, 2099)


# -- validation of an admin's year file ----------------------------------------------------------


@pytest.mark.parametrize(("years", "message"), [
    ({}, "non-empty"),
    ({"26": {"holidays": [], "workdays": []}}, "four digits"),
    ({"2027": {"holidays": ["2027-02-30"], "workdays": []}}, "not a real date"),
    ({"2027": {"holidays": ["2027/02/01"], "workdays": []}}, "not a YYYY-MM-DD date"),
    ({"2027": {"holidays": [20270201], "workdays": []}}, "not a YYYY-MM-DD date"),
    ({"2027": {"holidays": ["2028-01-01"], "workdays": []}}, "belongs to 2028"),
    ({"2027": {"holidays": ["2027-10-01", "2027-10-01"], "workdays": []}}, "listed twice"),
    ({"2027": {"holidays": ["2027-10-09"], "workdays": ["2027-10-09"]}}, "both as holiday and as working"),
    ({"2027": {"holidays": [], "workdays": ["2027-10-08"]}}, "2027-10-08 is a weekday"),
    ({"2027": {"holiday": ["2027-10-01"], "workdays": []}}, "unknown key"),
    ({"2027": {"holidays": "2027-10-01", "workdays": []}}, "must be a list"),
    ({"2027": ["2027-10-01"]}, "expected an object"),
])
def test_a_malformed_year_map_is_refused_with_a_clear_message(years, message):
    with pytest.raises(ValueError, match=message):
        official_year_map_to_days(years)


def test_a_year_without_adjusted_working_days_may_omit_the_list():
    days = official_year_map_to_days({"2027": {"holidays": ["2027-01-01"]}})
    assert days[date(2027, 1, 1)] is False and days[date(2027, 1, 4)] is True


# -- building a calendar -------------------------------------------------------------------------


def test_a_calendar_with_a_gap_is_refused():
    days = days_of(2026, 2026)
    del days[date(2026, 3, 3)]
    with pytest.raises(ValueError, match="2026-03-03 is missing"):
        WorkingCalendar(days)


def test_a_calendar_refuses_datetime_keys_and_non_bool_values():
    from datetime import datetime

    with pytest.raises(TypeError):
        WorkingCalendar({datetime(2026, 1, 1): True})
    with pytest.raises(TypeError):
        WorkingCalendar({date(2026, 1, 1): "yes"})


def test_covered_days_follow_the_calendar_and_others_are_provisional_monday_to_friday(cal):
    assert cal.first == date(2004, 1, 1) and cal.last >= date(2026, 12, 31)
    assert cal.covers(date(2025, 10, 1)) and not cal.is_provisional(date(2025, 10, 1))
    assert cal.is_workday(date(2025, 10, 1)) is False  # National Day, a Wednesday
    assert cal.is_workday(date(2025, 9, 28)) is True  # Sunday, adjusted working day
    beyond = cal.last + timedelta(days=1)
    assert not cal.covers(beyond) and cal.is_provisional(beyond)
    assert cal.is_provisional(date(2003, 12, 31))
    week = [beyond + timedelta(days=i) for i in range(7)]
    assert [cal.is_workday(d) for d in week] == [d.weekday() < 5 for d in week]


def test_an_empty_calendar_is_monday_to_friday_and_entirely_provisional():
    cal = WorkingCalendar.empty()
    assert cal.first is None and cal.last is None
    assert not cal.covers(date(2026, 10, 1)) and cal.is_provisional(date(2026, 10, 1))
    assert cal.is_workday(date(2026, 10, 1)) is True
    assert cal.nth_workday_after(date(2026, 10, 2), 1) == date(2026, 10, 5)  # Friday -> Monday


# -- counting ------------------------------------------------------------------------------------


def test_the_nth_working_day_after_skips_holidays_and_counts_adjusted_saturdays(cal):
    # Labour Day 2026: May 1–5 rest, Saturday May 9 worked.
    assert cal.nth_workday_after(date(2026, 4, 30), 1) == date(2026, 5, 6)
    assert cal.nth_workday_after(date(2026, 4, 30), 4) == date(2026, 5, 9)
    assert cal.nth_workday_after(date(2026, 4, 30), 5) == date(2026, 5, 11)


def test_the_start_day_never_counts_even_when_it_is_a_working_day(cal):
    assert cal.nth_workday_after(date(2026, 5, 6), 1) == date(2026, 5, 7)


def test_the_nth_working_day_after_refuses_zero(cal):
    with pytest.raises(ValueError):
        cal.nth_workday_after(date(2026, 5, 6), 0)


def test_the_working_day_on_or_after_a_holiday_is_the_first_one_after_it(cal):
    assert cal.workday_on_or_after(date(2025, 10, 1)) == date(2025, 10, 9)
    assert cal.workday_on_or_after(date(2025, 9, 28)) == date(2025, 9, 28)


def test_counting_back_over_national_day_lands_on_the_adjusted_saturday(cal):
    assert cal.nth_workday_before(date(2025, 10, 14), 0) == date(2025, 10, 14)
    assert cal.nth_workday_before(date(2025, 10, 14), 1) == date(2025, 10, 13)
    assert cal.nth_workday_before(date(2025, 10, 14), 2) == date(2025, 10, 11)
    assert cal.nth_workday_before(date(2025, 10, 9), 1) == date(2025, 9, 30)
    assert cal.nth_workday_before(date(2025, 10, 5), 1) == date(2025, 9, 30)


def test_working_days_between_counts_the_half_open_interval(cal):
    assert cal.workdays_between(date(2025, 9, 30), date(2025, 10, 14)) == 5
    assert cal.workdays_between(date(2025, 10, 14), date(2025, 9, 30)) == -5
    assert cal.workdays_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    # 1 January 2024 is a holiday, so leaving it out of (Jan 1, Dec 31] loses no working day.
    assert cal.workdays_between(date(2024, 1, 1), date(2024, 12, 31)) == sum(
        chinesecalendar_days(2024, 2024).values())


def test_counting_agrees_with_a_day_by_day_walk_across_the_edge_of_coverage(cal):
    start = cal.last - timedelta(days=40)
    walk, d = [], start
    while len(walk) < 60:
        d += timedelta(days=1)
        if cal.is_workday(d):
            walk.append(d)
    assert [cal.nth_workday_after(start, n) for n in range(1, 61)] == walk


def test_dates_beyond_the_supported_span_are_refused_not_miscounted(cal):
    _, span_last = cal.supported_span
    assert span_last.year >= cal.last.year + 20
    with pytest.raises(ValueError, match="outside"):
        cal.nth_workday_after(span_last + timedelta(days=1), 1)
    with pytest.raises(ValueError, match="outside"):
        cal.nth_workday_after(span_last - timedelta(days=3), 10)
