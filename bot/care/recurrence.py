"""Local-time rules: when the next check-in is, and when quiet hours are.

Everything is worked out on the young person's wall clock (Europe/London by default) with
zoneinfo, then turned into UTC for the `jobs` table, so "18:00 every day" stays 18:00 across the
clock changes. A time that does not exist on the day the clocks go forward (01:30 on the last
Sunday of March) happens an hour later, at the same instant as it would have in winter; a time
that happens twice when they go back is taken the first time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from content.loader import Content
from flows.clock_words import hhmm, parse_time

PATTERNS = ("daily", "weekdays", "weekly", "custom")
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def day_names(content: Content) -> list[str]:
    """The days of the week as staff read them, Monday first (`staff.checkins.day_names`)."""
    return content.text("staff.checkins.day_names").split()


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone`, as UTC (nonexistent times move forward, repeated ones first)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class Recurrence:
    """A check-in pattern: which days, and which local times on those days."""

    pattern: str
    times: tuple[time, ...]
    days: frozenset[int] = frozenset()  # ISO weekdays, for "weekly"

    @classmethod
    def build(cls, pattern: str, times: Iterable[str], days: Iterable[int] = ()) -> Recurrence:
        if pattern not in PATTERNS:
            raise ValueError(f"unknown pattern {pattern!r}")
        parsed = sorted({t for t in (parse_time(x) for x in times) if t is not None})
        if not parsed:
            raise ValueError("at least one time is needed")
        chosen = frozenset(int(d) for d in days if 1 <= int(d) <= 7)
        if pattern == "weekly" and not chosen:
            raise ValueError("weekly check-ins need at least one day")
        return cls(pattern, tuple(parsed), chosen if pattern == "weekly" else frozenset())

    def on(self, day: date) -> bool:
        if self.pattern == "weekdays":
            return day.isoweekday() in WEEKDAYS
        if self.pattern == "weekly":
            return day.isoweekday() in self.days
        return True  # daily, custom

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first occurrence strictly after `moment`, in UTC."""
        start = moment.astimezone(zone).date() - timedelta(days=1)
        for offset in range(9):
            day = start + timedelta(days=offset)
            if not self.on(day):
                continue
            for at in self.times:
                when = local_instant(day, at, zone)
                if when > moment:
                    return when
        raise AssertionError("a recurrence always occurs within a week")

    def describe(self, content: Content) -> str:
        """For workers: "weekdays at 18:00", "every Mon, Thu at 08:00, 18:00"."""
        times = ", ".join(hhmm(t) for t in self.times)
        if self.pattern == "weekly":
            names = day_names(content)
            return content.text("staff.recurrence.weekly", times=times,
                                days=", ".join(names[d - 1] for d in sorted(self.days)))
        if self.pattern == "weekdays":
            return content.text("staff.recurrence.weekdays", times=times)
        return content.text("staff.recurrence.daily", times=times)


@dataclass(frozen=True)
class QuietHours:
    """Local hours when nothing scheduled is sent; start == end means none."""

    start: time
    end: time

    @classmethod
    def of(cls, start: str, end: str) -> QuietHours:
        parsed_start, parsed_end = parse_time(start), parse_time(end)
        if parsed_start is None or parsed_end is None:
            return cls(time(22), time(7))
        return cls(parsed_start, parsed_end)

    def contains(self, local: time) -> bool:
        local = local.replace(second=0, microsecond=0, tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def is_quiet(self, moment: datetime, zone: ZoneInfo) -> bool:
        return self.contains(moment.astimezone(zone).time())

    def move_out(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` if it is outside quiet hours, else the end of them (UTC)."""
        local = moment.astimezone(zone)
        if not self.contains(local.time()):
            return moment
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)
        return local_instant(day, self.end, zone)

    def describe(self, content: Content) -> str:
        """For workers: "22:00–07:00", or that there are none."""
        if self.start == self.end:
            return content.text("staff.recurrence.quiet_none")
        return content.text("staff.recurrence.quiet", start=hhmm(self.start), end=hhmm(self.end))
