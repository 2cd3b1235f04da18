"""Say what an export holds: file names built from the page, the part and the filters, and the filter caption.

``file_name("density", filters, "csv", part="cells")`` gives
``density_cells_2026-08-03_2026-10-31_all-hours.csv``: page, part, the dates, the hours, then only the
filters that narrow the view (weekdays, origin segments, place categories) and the page's own choices
(``extra``: season, playback hour, flow level, ...). Names are lower-case ASCII (letters, digits, ``-``,
``+``, ``_``) so they survive every file system and e-mail client; ``fields`` says which shared filters
apply to the page (the Atlas map, for one, ignores dates and hours).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from geo.i18n import format_date, get_language, using_language, weekday_name
from geo.render.report_text import text
from geo.services.filters import Filters
from geo.vocab import ALL_CATEGORIES, SEGMENT_GROUPS, WEEKDAY_NAMES

#: The shared filters a page can depend on, in the order they appear in names and captions.
FILTER_FIELDS: tuple[str, ...] = ("dates", "weekdays", "hours", "segments", "categories")
#: Longest file name produced (characters, extension included).
MAX_NAME = 150

_UNSAFE = re.compile(r"[^a-z0-9+\-]+")


def slug(value: object) -> str:
    """Lower-case ASCII words joined by ``-`` (accents folded, other scripts dropped); may be empty."""
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").lower()
    return _UNSAFE.sub("-", folded).strip("-")


def filter_parts(filters: Filters | None, fields: Sequence[str] = FILTER_FIELDS,
                 extra: Mapping[str, object] | None = None) -> list[str]:
    """The name parts describing ``filters`` (only ``fields``) and the page's ``extra`` choices."""
    parts: list[str] = []
    if filters is not None:
        if "dates" in fields:
            parts.append(f"{filters.start:%Y-%m-%d}_{filters.end:%Y-%m-%d}")
        if "weekdays" in fields and tuple(filters.weekdays) != tuple(range(7)):
            parts.append("wd-" + "-".join(WEEKDAY_NAMES[d].lower() for d in filters.weekdays))
        if "hours" in fields:
            lo, hi = filters.hours
            parts.append("all-hours" if (lo, hi) == (0, 23) else f"h{lo:02d}-{hi:02d}")
        if "segments" in fields and tuple(filters.segments) != SEGMENT_GROUPS:
            parts.append("+".join(filters.segments))
        if "categories" in fields and filters.categories:
            cats = filters.categories
            parts.append("cat-" + ("+".join(cats) if len(cats) <= 3 else f"{len(cats)}"))
    for key, value in (extra or {}).items():
        if value is None or value == "":
            continue
        word = slug(value)
        if word:
            parts.append(f"{slug(key)}-{word}" if key else word)
    return parts


def file_name(page: str, filters: Filters | None, ext: str, *, part: str = "",
              fields: Sequence[str] = FILTER_FIELDS, extra: Mapping[str, object] | None = None) -> str:
    """``page_part_filters.ext`` (see the module docstring), cut to ``MAX_NAME`` characters."""
    words = [slug(page) or "atlas"] + ([slug(part)] if slug(part) else []) + filter_parts(filters, fields, extra)
    stem = "_".join(words)
    ext = slug(ext) or "bin"
    stem = stem[: MAX_NAME - len(ext) - 1].rstrip("-_+")
    return f"{stem}.{ext}"


def _list(values: Iterable[str]) -> str:
    return ", ".join(values)


def day_text(day: date, lang: str | None = None) -> str:
    """A date in captions and the report: ISO ``2026-08-03`` in English (as the pages show it), the language's
    own medium form elsewhere (``3 ส.ค. 2569``, ``2026年8月3日``; ``geo.i18n.format_date``)."""
    lang = lang or get_language()
    if lang == "en":
        return f"{day:%Y-%m-%d}"
    with using_language(lang):
        return format_date(day, lang, "medium")


def filter_caption(filters: Filters | None, fields: Sequence[str] = FILTER_FIELDS,
                   extra: Mapping[str, object] | None = None, lang: str | None = None) -> str:
    """The filters in words for a chart caption or a report, in ``lang`` (the current language when None):
    ``2026-08-03 – 2026-10-31 (90 days) · all hours ...`` (Thai: ``3 ส.ค. 2569 – ...``)."""
    lang = lang or get_language()
    parts: list[str] = []
    if filters is not None:
        if "dates" in fields:
            parts.append(text("filters_dates", lang, start=day_text(filters.start, lang),
                              end=day_text(filters.end, lang), days=filters.days))
        if "weekdays" in fields:
            parts.append(text("filters_all_weekdays", lang) if tuple(filters.weekdays) == tuple(range(7))
                         else text("filters_weekdays", lang,
                                   value=_list(weekday_name(d, lang) for d in filters.weekdays)))
        if "hours" in fields:
            lo, hi = filters.hours
            parts.append(text("filters_all_hours", lang) if (lo, hi) == (0, 23)
                         else text("filters_hours", lang, start=lo, end=hi))
        if "segments" in fields:
            parts.append(text("filters_all_segments", lang) if tuple(filters.segments) == SEGMENT_GROUPS
                         else text("filters_segments", lang, value=_list(filters.segments)))
        if "categories" in fields and filters.categories and tuple(filters.categories) != ALL_CATEGORIES:
            parts.append(text("filters_categories", lang, value=_list(filters.categories)))
    for key, value in (extra or {}).items():
        if value is not None and value != "":
            parts.append(f"{key}: {value}" if key else str(value))
    return " · ".join(parts)
