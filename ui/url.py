"""The URL form of the atlas's view: the shared filters and each page's own URL-backed widgets.

Every value read from the address bar is untrusted. This module is the only place that parses it: the
shared ``Filters`` (``from_query`` / ``to_query``, pure functions tested without Streamlit) and
``PageParam``, one declaration per page widget that seeds the widget from the URL once per session,
keeps the URL current and reports an invalid value once, in the sidebar, as plain text cut to
``geo.text.ECHO_LIMIT`` characters. A bad value never raises: it falls back to the default.

A drawn area travels as ``area=lon_lat~lon_lat~...`` (``area_to_url`` / ``area_from_url``): its corners with
5 decimals (≈1 m, what ``geo.services.area`` keeps), the ring not closed, written with characters a URL
carries unescaped (``-``, ``.``, ``_``, ``~``), at most ``MAX_AREA_URL_CHARS`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from geo import vocab
from geo.errors import FilterError
from geo.i18n import N_, _
from geo.services.area import COORD_DECIMALS, MAX_AREA_KM2, MAX_VERTICES, Ring, check_area
from geo.services.filters import Filters, default_filters
from geo.text import clip, markdown_text

#: URL keys owned by the shared filters; every other key belongs to the page that set it.
FILTER_KEYS: tuple[str, ...] = ("start", "end", "wd", "h", "seg", "cat", "level")


@dataclass(frozen=True)
class ParsedFilters:
    """Filters read from a URL plus the notes about values that were ignored (plain text, not Markdown)."""

    filters: Filters
    notes: tuple[str, ...] = field(default_factory=tuple)


def ignored_note(key: str, raw: object, why: str) -> str:
    """The one wording of an ignored URL value: key, the value cut to a readable length, the reason."""
    return _("Ignored URL parameter {key}={value}: {why}; using the default.").format(key=key, value=repr(clip(raw)),
                                                                                   why=why)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def from_query(
    query: Mapping[str, str],
    first_day: date,
    last_day: date,
    levels: Sequence[str] = (vocab.DEFAULT_ZONE_LEVEL,),
) -> ParsedFilters:
    """Parse URL parameters (``start, end, wd, h, seg, cat, level``) within the data's date bounds.

    ``levels`` are the zone levels the URL may choose (the levels loaded in the database, or fewer).
    Never raises: each invalid value falls back to its default and adds one note.
    """
    base = default_filters(first_day, last_day)
    notes: list[str] = []
    values: dict[str, Any] = {}

    def bad(key: str, raw: object, why: str) -> None:
        notes.append(ignored_note(key, raw, why))

    try:
        start = date.fromisoformat(query["start"]) if "start" in query else base.start
        end = date.fromisoformat(query["end"]) if "end" in query else base.end
        if not (first_day <= start <= end <= last_day):
            bad("start/end", f"{start}..{end}", _("dates must lie within {first}..{last} in order").format(
                first=first_day, last=last_day))
        else:
            values.update(start=start, end=end)
    except (ValueError, TypeError):
        bad("start/end", f"{query.get('start')}..{query.get('end')}", _("dates must be YYYY-MM-DD"))
    if "wd" in query:
        try:
            wd = tuple(sorted({int(x) for x in _split(query["wd"])}))
            if not wd or any(not 0 <= d <= 6 for d in wd):
                raise ValueError
            values["weekdays"] = wd
        except (ValueError, OverflowError):
            bad("wd", query["wd"], _("weekdays are numbers 0 (Mon) to 6 (Sun)"))
    if "h" in query:
        try:
            lo, hi = (int(x) for x in query["h"].split("-"))
            if not 0 <= lo <= hi <= 23:
                raise ValueError
            values["hours"] = (lo, hi)
        except (ValueError, OverflowError):
            bad("h", query["h"], _("hours look like 6-22 with 0 ≤ from ≤ to ≤ 23"))
    if "seg" in query:
        asked = _split(query["seg"])
        seg = tuple(s for s in vocab.SEGMENT_GROUPS if s in asked)
        if not seg or len(seg) != len(set(asked)):
            bad("seg", query["seg"], _("segments are {names}").format(names=", ".join(vocab.SEGMENT_GROUPS)))
        else:
            values["segments"] = seg
    if "cat" in query:
        cats = _split(query["cat"])
        if not cats or any(c not in vocab.ALL_CATEGORIES for c in cats):
            bad("cat", query["cat"], _("unknown place category"))
        else:
            values["categories"] = tuple(c for c in vocab.ALL_CATEGORIES if c in cats)
    if "level" in query:
        if query["level"] in levels:
            values["zone_level"] = query["level"]
        else:
            bad("level", query["level"], _("the zone levels offered are {names}").format(names=", ".join(levels)))
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


@dataclass(frozen=True)
class Partial:
    """What ``PageParam.parse`` returns when it keeps part of a value: the kept value and what it dropped."""

    value: Any
    dropped: str


@dataclass(frozen=True)
class PageParam:
    """A page's own widget whose value lives in the URL: declared once, used as seed → widget → store.

    ``key`` is the URL parameter; ``widget_key`` the widget's session-state key. ``allowed`` (a tuple, or a
    callable returning one for values known only at run time) restricts the raw text; ``parse`` turns the
    raw text into the widget's value and raises ``ValueError``/``TypeError``/``OverflowError`` for an
    invalid one, or returns ``Partial`` when it keeps the valid part of a list; ``to_url`` writes the value back. The value equal to ``default`` is left out of the URL.
    """

    key: str
    widget_key: str
    default: Any
    allowed: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    parse: Callable[[str], Any] = str
    to_url: Callable[[Any], str | None] = str
    #: Why a value was refused: a message marked with ``N_`` (translated when the note is written), or a function
    #: returning the translated words (for reasons with values in them).
    why: str | Callable[[], str] = N_("not a known value")
    #: Keep the value in the URL even when it is the default (a link then names it explicitly).
    keep_default: bool = False

    def __post_init__(self) -> None:
        if self.key in FILTER_KEYS:
            msg = f"{self.key} is a shared filter key"
            raise ValueError(msg)

    def read(self, query: Mapping[str, str]) -> tuple[Any, str | None]:
        """The value the URL asks for (or the default) and the note for an invalid one (None when valid)."""
        raw = query.get(self.key)
        if raw is None:
            return self.default, None
        allowed = self.allowed() if callable(self.allowed) else self.allowed
        if allowed is not None and raw not in allowed:
            return self.default, ignored_note(self.key, raw, self.reason())
        try:
            value = self.parse(raw)
        except (ValueError, TypeError, OverflowError):
            return self.default, ignored_note(self.key, raw, self.reason())
        if isinstance(value, Partial):
            note = _("Ignored part of URL parameter {key}: {value} {why}.").format(
                key=self.key, value=repr(clip(value.dropped)), why=self.reason())
            return value.value, note
        return value, None

    def reason(self) -> str:
        """``why`` in the current language."""
        return self.why() if callable(self.why) else _(self.why)

    def url_value(self, value: Any) -> str | None:
        """What the URL should hold for ``value`` (None: leave the key out)."""
        if value is None or (value == self.default and not self.keep_default):
            return None
        text = self.to_url(value)
        return text or None


#: Separators of a drawn area in a URL: corners, and longitude from latitude (both left unescaped in a URL).
AREA_CORNER_SEP = "~"
AREA_PAIR_SEP = "_"
#: Longest ``area`` URL value read: ``MAX_VERTICES`` corners of at most 22 characters (longer text is refused unread).
MAX_AREA_URL_CHARS = MAX_VERTICES * 22
_COORD = re.compile(rf"-?[0-9]{{1,3}}(?:\.[0-9]{{1,{COORD_DECIMALS}}})?")  # ASCII digits only


def _coord_text(value: float) -> str:
    text = f"{value:.{COORD_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def area_to_url(ring: Sequence[Sequence[float]]) -> str:
    """The URL form of a drawn area: ``lon_lat`` corners joined by ``~``, 5 decimals, trailing zeros dropped."""
    return AREA_CORNER_SEP.join(f"{_coord_text(float(p[0]))}{AREA_PAIR_SEP}{_coord_text(float(p[1]))}" for p in ring)


def area_from_url(raw: str) -> Ring:
    """The area a URL value names, checked by ``geo.services.area.check_area``; ``ValueError`` for anything else.

    Only plain decimal numbers are read (no exponents, ``nan`` or ``inf``), at most ``MAX_AREA_URL_CHARS``
    characters, so garbage costs nothing and never reaches shapely or SQL.
    """
    if not isinstance(raw, str) or not raw or len(raw) > MAX_AREA_URL_CHARS:
        msg = "not an area of the atlas' size"
        raise ValueError(msg)
    corners: list[tuple[float, float]] = []
    for part in raw.split(AREA_CORNER_SEP):
        pair = part.split(AREA_PAIR_SEP)
        if len(pair) != 2 or not all(_COORD.fullmatch(v) for v in pair):
            msg = f"not a lon_lat corner: {part[:30]!r}"
            raise ValueError(msg)
        corners.append((float(pair[0]), float(pair[1])))
    try:
        return check_area(tuple(corners)).ring
    except FilterError as exc:
        raise ValueError(str(exc)) from None


#: Why an ``area`` URL value was ignored (one wording for every refusal; the value is echoed cut to 80 characters).
_AREA_WHY = N_("an area is 3 to {vertices} corners written lon_lat and joined by ~, inside the province, with edges "
               "that do not cross and at most {km2} km²")


def area_why() -> str:
    """Why an ``area`` URL value was ignored, in the current language (``PageParam.why`` of the area)."""
    return _(_AREA_WHY).format(vertices=MAX_VERTICES, km2=f"{MAX_AREA_KM2:,.0f}")


#: ``area_why`` in English (the source text).
AREA_WHY = _AREA_WHY.format(vertices=MAX_VERTICES, km2=f"{MAX_AREA_KM2:,.0f}")


def note_markdown(note: str) -> str:
    """A note (which may echo URL text) escaped for Streamlit's Markdown-rendering alert boxes."""
    return markdown_text(note)


#: How many months the public view shows by default (the latest ones with data).
PUBLIC_DEFAULT_MONTHS = 3


def _month_of(raw: str) -> date:
    """The first day of the month ``raw`` names: ``YYYY-MM`` (or a full ``YYYY-MM-DD``, whose month is taken)."""
    text = raw.strip()
    if len(text) == 7:
        text += "-01"
    return date.fromisoformat(text).replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month that starts on ``month``."""
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def default_months(months: Sequence[date]) -> tuple[date, date]:
    """The public view's default month range: the last ``PUBLIC_DEFAULT_MONTHS`` months with data (all when fewer)."""
    return months[max(0, len(months) - PUBLIC_DEFAULT_MONTHS)], months[-1]


def months_from_query(query: Mapping[str, str], months: Sequence[date]) -> ParsedFilters:
    """Parse the public view's URL: ``start``/``end`` name months (``YYYY-MM``) among ``months`` (first days of
    the published months, in order, not empty); ``wd``, ``h``, ``seg``, ``cat`` and ``level`` as ``from_query``.

    The filters' dates are the first day of the first month and the last day of the last. Never raises.
    """
    first_day, last_day = months[0], month_end(months[-1])
    parsed = from_query({k: v for k, v in query.items() if k not in ("start", "end")}, first_day, last_day)
    notes = list(parsed.notes)
    start, end = default_months(months)
    if "start" in query or "end" in query:
        raw = f"{query.get('start', '')}..{query.get('end', '')}"
        try:
            asked = (_month_of(query["start"]) if "start" in query else start,
                     _month_of(query["end"]) if "end" in query else end)
            if asked[0] not in months or asked[1] not in months or asked[0] > asked[1]:
                notes.append(ignored_note("start/end", raw, _("months must lie within {first}..{last} in order").format(
                    first=f"{months[0]:%Y-%m}", last=f"{months[-1]:%Y-%m}")))
            else:
                start, end = asked
        except (ValueError, TypeError):
            notes.append(ignored_note("start/end", raw, _("months look like 2026-08")))
    return ParsedFilters(replace(parsed.filters, start=start, end=month_end(end)), tuple(notes))


def months_to_query(filters: Filters, months: Sequence[date]) -> dict[str, str]:
    """URL parameters of the public view for ``filters`` (months as ``YYYY-MM``); defaults are left out."""
    out = to_query(filters, months[0], month_end(months[-1]))
    out.pop("start", None)
    out.pop("end", None)
    chosen = (filters.start.replace(day=1), filters.end.replace(day=1))
    if chosen != default_months(months):
        out["start"], out["end"] = f"{chosen[0]:%Y-%m}", f"{chosen[1]:%Y-%m}"
    return out
