"""The shared view filters (dates, weekdays, hours, origin segments, categories, zone level) and their URL form.

``Filters`` is plain data used by every service; ``from_query`` / ``to_query`` convert it to and from
URL query parameters so a copied address reproduces the view. Invalid URL values fall back to the
default and are reported in ``ParsedFilters.notes`` (the UI shows them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from geo.vocab import ALL_CATEGORIES, DEFAULT_ZONE_LEVEL, SEGMENT_GROUPS, ZONE_LEVELS


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


@dataclass(frozen=True)
class ParsedFilters:
    """Filters read from a URL plus the notes about values that were ignored."""

    filters: Filters
    notes: tuple[str, ...] = field(default_factory=tuple)


def default_filters(first_day: date, last_day: date) -> Filters:
    """The default view: the last 90 days of data (or all of it when shorter)."""
    start = max(first_day, last_day - timedelta(days=89))
    return Filters(start=start, end=last_day)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def from_query(query: dict[str, str], first_day: date, last_day: date) -> ParsedFilters:
    """Parse URL parameters (``start, end, wd, h, seg, cat, level``) within the data's date bounds."""
    base = default_filters(first_day, last_day)
    notes: list[str] = []
    values: dict[str, Any] = {}

    def bad(key: str, raw: str, why: str) -> None:
        notes.append(f"Ignored URL parameter {key}={raw!r}: {why}; using the default.")

    try:
        start = date.fromisoformat(query["start"]) if "start" in query else base.start
        end = date.fromisoformat(query["end"]) if "end" in query else base.end
        if not (first_day <= start <= end <= last_day):
            bad("start/end", f"{start}..{end}", f"dates must lie within {first_day}..{last_day} in order")
        else:
            values.update(start=start, end=end)
    except ValueError:
        bad("start/end", f"{query.get('start')}..{query.get('end')}", "dates must be YYYY-MM-DD")
    if "wd" in query:
        try:
            wd = tuple(sorted({int(x) for x in _split(query["wd"])}))
            if not wd or any(not 0 <= d <= 6 for d in wd):
                raise ValueError
            values["weekdays"] = wd
        except ValueError:
            bad("wd", query["wd"], "weekdays are numbers 0 (Mon) to 6 (Sun)")
    if "h" in query:
        try:
            lo, hi = (int(x) for x in query["h"].split("-"))
            if not 0 <= lo <= hi <= 23:
                raise ValueError
            values["hours"] = (lo, hi)
        except ValueError:
            bad("h", query["h"], "hours look like 6-22 with 0 ≤ from ≤ to ≤ 23")
    if "seg" in query:
        seg = tuple(s for s in SEGMENT_GROUPS if s in _split(query["seg"]))
        if not seg or len(seg) != len(set(_split(query["seg"]))):
            bad("seg", query["seg"], f"segments are {', '.join(SEGMENT_GROUPS)}")
        else:
            values["segments"] = seg
    if "cat" in query:
        cats = _split(query["cat"])
        if not cats or any(c not in ALL_CATEGORIES for c in cats):
            bad("cat", query["cat"], "unknown place category")
        else:
            values["categories"] = tuple(c for c in ALL_CATEGORIES if c in cats)
    if "level" in query:
        if query["level"] in ZONE_LEVELS:
            values["zone_level"] = query["level"]
        else:
            bad("level", query["level"], f"zone level is one of {', '.join(ZONE_LEVELS)}")
    return ParsedFilters(replace(base, **values), tuple(notes))


def to_query(filters: Filters, first_day: date, last_day: date) -> dict[str, str]:
    """URL parameters for ``filters``; values equal to the default are left out to keep links short."""
    base = default_filters(first_day, last_day)
    out: dict[str, str] = {}
    if (filters.start, filters.end) != (base.start, base.end):
        out["start"], out["end"] = filters.start.isoformat(), filters.end.isoformat()
    if filters.weekdays != base.weekdays:
        out["wd"] = ",".join(str(d) for d in filters.weekdays)
    if filters.hours != base.hours:
        out["h"] = f"{filters.hours[0]}-{filters.hours[1]}"
    if filters.segments != base.segments:
        out["seg"] = ",".join(filters.segments)
    if filters.categories != base.categories:
        out["cat"] = ",".join(filters.categories)
    if filters.zone_level != base.zone_level:
        out["level"] = filters.zone_level
    return out
