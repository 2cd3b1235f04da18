"""The shared view filters (dates, weekdays, hours, origin segments, categories, zone level) every service takes.

``Filters`` is plain, hashable data, so it is part of a cached result's key. Its URL form lives in
``ui/url.py``, beside the rest of the URL state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from numbers import Integral
from typing import Any

from geo.errors import FilterError
from geo.i18n import _
from geo.vocab import DEFAULT_ZONE_LEVEL, SEGMENT_GROUPS


@dataclass(frozen=True)
class Filters:
    """A view of the data: inclusive date range, ISO weekdays 0=Mon..6=Sun, inclusive hour range."""

    start: date
    end: date
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    hours: tuple[int, int] = (0, 23)
    segments: tuple[str, ...] = SEGMENT_GROUPS
    categories: tuple[str, ...] = ()
    zone_level: str = DEFAULT_ZONE_LEVEL

    @property
    def days(self) -> int:
        """Number of days in the range (inclusive)."""
        return (self.end - self.start).days + 1

    def check(self) -> Filters:
        """``self`` when every field is in range; ``FilterError`` naming the first that is not.

        Services that take filters from outside the sidebar (the public view, the URL) call this first, so
        a hand-built ``Filters`` fails with a message, never deep inside a query or a division.
        """
        problems = []
        if not isinstance(self.start, date) or not isinstance(self.end, date) or self.start > self.end:
            problems.append(_("the date range must run forward, got {start!r}..{end!r}").format(start=self.start,
                                                                                           end=self.end))
        if not self.weekdays or any(not isinstance(d, Integral) or not 0 <= d <= 6 for d in self.weekdays):
            problems.append(_("weekdays are 0 (Mon) to 6 (Sun), got {weekdays}").format(
                weekdays=f"{self.weekdays!r}"[:120]))
        lo_hi = self.hours
        if (len(lo_hi) != 2 or any(not isinstance(h, Integral) for h in lo_hi)
                or not 0 <= lo_hi[0] <= lo_hi[1] <= 23):
            problems.append(_("hours are from ≤ to within 0..23, got {hours}").format(hours=f"{lo_hi!r}"[:120]))
        if not self.segments or any(s not in SEGMENT_GROUPS for s in self.segments):
            problems.append(_("segments are some of {choices}").format(choices=", ".join(SEGMENT_GROUPS)))
        if problems:
            msg = _("Invalid filters: {problems}.").format(problems="; ".join(problems))
            raise FilterError(msg)
        return self

    def previous_period(self) -> Filters:
        """The same-length period immediately before this one (for change-against-previous KPIs)."""
        length = timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length)

    def params(self) -> dict[str, Any]:
        """Bound SQL parameters shared by the app queries ($start, $end, $weekdays, $hour_from, ...)."""
        return {
            "start": self.start,
            "end": self.end,
            "weekdays": list(self.weekdays),
            "hour_from": self.hours[0],
            "hour_to": self.hours[1],
            "segments": list(self.segments),
        }


def default_filters(first_day: date, last_day: date) -> Filters:
    """The default view: the last 90 days of data (or all of it when shorter)."""
    start = max(first_day, last_day - timedelta(days=89))
    return Filters(start=start, end=last_day)
