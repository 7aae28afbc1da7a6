"""The one clock everything asks for the time (SPEC §4).

Training, demos and acceptance tests need the hotline to live on another day: HOTLINE_NOW
freezes the clock at a given time, HOTLINE_CLOCK_OFFSET shifts the real time by a fixed amount.
Both may be set; the frozen time is then shifted too. The UI shows `describe()` in a banner
whenever `is_real` is False, so nobody mistakes a demo's dates for real ones.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

_OFFSET = re.compile(r"([+-]?)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_OFFSET_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def _real_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """Real, frozen or shifted time; `now()` is always an aware UTC datetime."""

    def __init__(self, *, frozen_at: datetime | None = None, offset: timedelta = timedelta(0),
                 tz: tzinfo = UTC, source: Callable[[], datetime] = _real_now) -> None:
        if frozen_at is not None and frozen_at.utcoffset() is None:
            raise ValueError(f"a frozen time must be timezone-aware, got {frozen_at.isoformat()}")
        self._frozen_at = None if frozen_at is None else frozen_at.astimezone(UTC)
        self._offset = offset
        self._tz = tz
        self._source = source

    @classmethod
    def from_settings(cls, now: str | None, offset: str | None, tz: tzinfo) -> Clock:
        """The clock configured by HOTLINE_NOW and HOTLINE_CLOCK_OFFSET; unset or blank means real."""
        frozen_at = parse_now(now, tz) if now and now.strip() else None
        shift = parse_offset(offset) if offset and offset.strip() else timedelta(0)
        return cls(frozen_at=frozen_at, offset=shift, tz=tz)

    @classmethod
    def frozen(cls, at: datetime, tz: tzinfo = UTC) -> Clock:
        """A clock standing still at `at` (for tests); move it with `advance`."""
        return cls(frozen_at=at, tz=tz)

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else self._source()
        return base + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move the clock by `delta` (a frozen clock stays frozen, at the later time)."""
        self._offset += delta

    @property
    def is_real(self) -> bool:
        return self._frozen_at is None and not self._offset

    @property
    def is_frozen(self) -> bool:
        return self._frozen_at is not None

    @property
    def offset(self) -> timedelta:
        return self._offset

    def describe(self) -> str:
        """One line for the banner shown while the clock is not the real one."""
        if self._frozen_at is not None:
            local = self.now().astimezone(self._tz)
            return f"Clock frozen at {local:%Y-%m-%d %H:%M} {_format_utc_offset(local)}"
        if self._offset:
            return f"Clock shifted by {format_offset(self._offset)}"
        return "Real clock"

    def __repr__(self) -> str:
        return f"<Clock: {self.describe()}>"


def parse_now(text: str, tz: tzinfo) -> datetime:
    """HOTLINE_NOW: an ISO 8601 time; without an offset it is a local time in `tz`."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"HOTLINE_NOW must be an ISO 8601 time such as 2025-10-09T10:00+08:00, "
                         f"got {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def parse_offset(text: str) -> timedelta:
    """HOTLINE_CLOCK_OFFSET: an optional sign and days/hours/minutes/seconds in that order,
    such as 3d, -2h, 90m, 1d12h, -30s."""
    match = _OFFSET.fullmatch(text.strip().lower())
    if match is None or not any(match.groups()[1:]):
        raise ValueError(f"HOTLINE_CLOCK_OFFSET must look like 3d, -2h, 90m, 1d12h or -30s "
                         f"(days, hours, minutes, seconds in that order), got {text!r}")
    sign, *amounts = match.groups()
    seconds = sum(int(amount) * size for amount, (_, size) in zip(amounts, _OFFSET_UNITS, strict=True)
                  if amount)
    try:
        return timedelta(seconds=-seconds if sign == "-" else seconds)
    except OverflowError:
        raise ValueError(f"HOTLINE_CLOCK_OFFSET {text!r} is too large") from None


def format_offset(offset: timedelta) -> str:
    """The inverse of `parse_offset`, always signed: +3d, -1h30m."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    parts = []
    for unit, size in _OFFSET_UNITS:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return sign + ("".join(parts) or "0s")


def _format_utc_offset(t: datetime) -> str:
    minutes = int(t.utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"
