from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workorders.clock import Clock, format_offset, parse_offset

BEIJING = ZoneInfo("Asia/Shanghai")
REAL_NOW = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)


def fake_source():
    return REAL_NOW


def test_an_unconfigured_clock_is_the_real_one():
    clock = Clock.from_settings(None, None, BEIJING)
    assert clock.is_real
    assert clock.describe() == "Real clock"
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert clock.now().tzinfo is UTC


def test_blank_settings_count_as_unset():
    assert Clock.from_settings("", "  ", BEIJING).is_real


def test_hotline_now_without_an_offset_is_a_beijing_time():
    clock = Clock.from_settings("2025-10-09T10:00", None, BEIJING)
    assert clock.now() == datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert not clock.is_real
    assert clock.describe() == "Clock frozen at 2025-10-09 10:00 +08:00"


def test_hotline_now_with_an_offset_keeps_it():
    clock = Clock.from_settings("2025-10-09T10:00Z", None, BEIJING)
    assert clock.now() == datetime(2025, 10, 9, 10, 0, tzinfo=UTC)
    assert clock.describe() == "Clock frozen at 2025-10-09 18:00 +08:00"


def test_a_frozen_clock_stands_still():
    clock = Clock.from_settings("2025-10-09T10:00+08:00", None, BEIJING)
    assert clock.now() == clock.now()


def test_a_bad_hotline_now_is_refused_with_an_example():
    with pytest.raises(ValueError, match="HOTLINE_NOW must be an ISO 8601 time"):
        Clock.from_settings("next tuesday", None, BEIJING)


@pytest.mark.parametrize(("text", "expected"), [
    ("3d", timedelta(days=3)),
    ("+3d", timedelta(days=3)),
    ("-2h", timedelta(hours=-2)),
    ("90m", timedelta(minutes=90)),
    ("1d12h", timedelta(days=1, hours=12)),
    ("-30s", timedelta(seconds=-30)),
    ("-1d2h3m4s", -timedelta(days=1, hours=2, minutes=3, seconds=4)),
    (" 2H ", timedelta(hours=2)),
])
def test_clock_offsets_are_read_as_days_hours_minutes_seconds(text, expected):
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["3", "d", "-", "3x", "1h1d", "--3d", "3 d", "1.5h", "3d-2h", "9999999999d"])
def test_a_malformed_clock_offset_is_refused_with_a_clear_message(text):
    with pytest.raises(ValueError, match="HOTLINE_CLOCK_OFFSET"):
        parse_offset(text)


def test_a_shifted_clock_runs_ahead_of_real_time_and_says_so():
    clock = Clock(offset=parse_offset("3d"), tz=BEIJING, source=fake_source)
    assert clock.now() == REAL_NOW + timedelta(days=3)
    assert not clock.is_real
    assert clock.describe() == "Clock shifted by +3d"


def test_a_shift_set_by_configuration_moves_the_real_time():
    clock = Clock.from_settings(None, "-2h", BEIJING)
    assert abs(clock.now() - (datetime.now(UTC) - timedelta(hours=2))) < timedelta(seconds=5)
    assert clock.describe() == "Clock shifted by -2h"


def test_a_frozen_and_shifted_clock_is_frozen_at_the_shifted_time():
    clock = Clock.from_settings("2025-10-09T10:00+08:00", "3d", BEIJING)
    assert clock.now() == datetime(2025, 10, 12, 2, 0, tzinfo=UTC)
    assert clock.describe() == "Clock frozen at 2025-10-12 10:00 +08:00"


def test_a_zero_offset_is_the_real_clock():
    assert Clock.from_settings(None, "0s", BEIJING).is_real


def test_tests_can_freeze_the_clock_and_move_it_forward():
    clock = Clock.frozen(datetime(2025, 10, 9, 10, 0, tzinfo=BEIJING))
    assert clock.now() == datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
    clock.advance(timedelta(days=1, hours=1))
    assert clock.now() == datetime(2025, 10, 10, 3, 0, tzinfo=UTC)


def test_freezing_at_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock.frozen(datetime(2025, 10, 9, 10, 0))


def test_offsets_format_back_to_the_short_notation():
    assert format_offset(timedelta(minutes=90)) == "+1h30m"
    assert format_offset(timedelta(days=-1, hours=-12)) == "-1d12h"
    assert format_offset(timedelta(0)) == "+0s"
