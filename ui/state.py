"""Own every Streamlit cache wrapper, the shared connection, the sidebar filters and the URL state.

Pages call ``call(service, ...)`` to run a ``geo`` service through ``st.cache_data`` and
``sidebar_filters()`` to get the shared ``Filters``; they never open connections themselves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import duckdb
import streamlit as st

from geo import filters as flt
from geo import services
from geo.db import connect
from geo.errors import AtlasError, DatabaseMissingError
from geo.settings import Settings, get_settings

T = TypeVar("T")

#: Modules whose public functions pages may call through ``call`` (allow-list for the cache key).
SERVICE_MODULES = ("geo.services", "geo.presence", "geo.movement", "geo.capacity", "geo.placeinfo")

#: URL keys owned by the shared filters; every other key belongs to the page that set it.
FILTER_KEYS = ("start", "end", "wd", "h", "seg", "cat", "level")

#: Fallback date bounds when the database holds no visitor flows yet.
FALLBACK_BOUNDS = (date(2025, 11, 1), date(2026, 10, 31))


def app_settings() -> Settings:
    """Settings for this run (environment read once per script run is cheap)."""
    return get_settings()


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_connection(path: str, mode: str, stamp: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per database file version, shared by all sessions (thread-safe via cursors)."""
    del stamp  # part of the cache key only: a rebuilt file opens a new connection
    return connect(path, mode, read_only=True)


def _db_stamp(s: Settings) -> float:
    try:
        return s.db_path.stat().st_mtime
    except FileNotFoundError:
        msg = (
            f"No atlas database at {s.db_path}. Build it with `make build` "
            "(or set ATLAS_DB to an existing file)."
        )
        raise DatabaseMissingError(msg) from None


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the shared read-only connection for this script run."""
    s = app_settings()
    return _shared_connection(str(s.db_path), s.mode, _db_stamp(s)).cursor()


def _call_uncached(qualname: str, db_key: str, args: tuple, kwargs: tuple) -> Any:
    module_name, func_name = qualname.rsplit(".", 1)
    if module_name not in SERVICE_MODULES or func_name.startswith("_"):
        msg = f"{qualname} is not a service pages may call"
        raise AtlasError(msg)
    func = getattr(importlib.import_module(module_name), func_name)
    con = cursor()
    try:
        return func(con, *args, **dict(kwargs))
    finally:
        con.close()


#: Service results cached per (service, database version, arguments); TTL from ``ATLAS_CACHE_TTL``.
_cached_call = st.cache_data(show_spinner=False, ttl=get_settings().cache_ttl, max_entries=512)(_call_uncached)


def call(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``service(cursor, *args, **kwargs)`` through the data cache (key: service, database, arguments)."""
    s = app_settings()
    db_key = f"{s.db_path}:{_db_stamp(s)}:{s.mode}"
    qualname = f"{service.__module__}.{service.__name__}"
    return _cached_call(qualname, db_key, tuple(args), tuple(sorted(kwargs.items())))


def data_bounds() -> tuple[date, date]:
    """First and last day of visitor data (fallback bounds when flows are not built)."""
    counts = call(services.tables)
    if counts.get("visits_hourly", 0) == 0:
        return FALLBACK_BOUNDS
    row = call(services.date_bounds)
    return row


def _query_dict() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params}


def sidebar_filters(*, show_categories: bool = True, show_zone_level: bool = False) -> flt.Filters:
    """Draw the shared filters in the sidebar, synced with the URL; returns the chosen ``Filters``."""
    first, last = data_bounds()
    parsed = flt.from_query(_query_dict(), first, last)
    f = parsed.filters
    initial = {
        "f_dates": (f.start, f.end),
        "f_weekdays": [flt.WEEKDAY_NAMES[d] for d in f.weekdays],
        "f_hours": f.hours,
        "f_segments": list(f.segments),
        "f_categories": list(f.categories),
        "f_level": f.zone_level,
    }
    # Streamlit resets a keyed widget's value when the page changes (its widget id includes the page);
    # re-assigning the key before the widget is drawn carries the value across pages (the documented
    # multipage pattern). A key not seen yet is seeded from the URL, which ``sync_url`` keeps current.
    for key, value in initial.items():
        st.session_state[key] = st.session_state[key] if key in st.session_state else value
    sb = st.sidebar
    sb.header("Filters")
    dates = sb.date_input("Date range", key="f_dates", min_value=first, max_value=last, format="YYYY-MM-DD")
    weekdays = sb.multiselect("Weekdays", flt.WEEKDAY_NAMES, key="f_weekdays")
    hours = sb.slider("Hours of day", 0, 23, key="f_hours")
    segments = sb.multiselect(
        "Origin segments", flt.SEGMENT_GROUPS, key="f_segments", format_func=lambda s: s.capitalize()
    )
    categories: list[str] = st.session_state.get("f_categories", [])
    if show_categories:
        from geo.maps import CATEGORY_LABELS

        categories = sb.multiselect(
            "Place categories (empty = all)", flt.ALL_CATEGORIES, key="f_categories",
            format_func=lambda c: CATEGORY_LABELS.get(c, c),
        )
    level = st.session_state.get("f_level", "tourism_zone")
    if show_zone_level:
        level = sb.radio("Zone level", flt.ZONE_LEVELS, key="f_level", format_func=lambda z: z.replace("_", " "))
    for note in parsed.notes:
        sb.warning(note)
    start, end = (dates if isinstance(dates, tuple | list) and len(dates) == 2 else (first, last))
    base = flt.default_filters(first, last)
    chosen = flt.Filters(
        start=start,
        end=end,
        weekdays=tuple(flt.WEEKDAY_NAMES.index(w) for w in weekdays) or base.weekdays,
        hours=(int(hours[0]), int(hours[1])),
        segments=tuple(s for s in flt.SEGMENT_GROUPS if s in segments) or base.segments,
        categories=tuple(c for c in flt.ALL_CATEGORIES if c in categories),
        zone_level=level,
    )
    sync_url(flt.to_query(chosen, first, last))
    return chosen


def sync_url(params: dict[str, str]) -> None:
    """Write the shared filter parameters into the address bar, keeping page-specific keys."""
    current = _query_dict()
    wanted = {k: v for k, v in current.items() if k not in FILTER_KEYS}
    wanted.update(params)
    if current != wanted:
        st.query_params.from_dict(wanted)


def page_param(key: str, default: str, allowed: tuple[str, ...] | None = None) -> str:
    """A page-specific URL value (e.g. ``zone``); invalid values fall back to ``default`` with a note."""
    if key in FILTER_KEYS:
        msg = f"{key} is a shared filter key"
        raise AtlasError(msg)
    raw = st.query_params.get(key)
    if raw is None:
        return default
    if allowed is not None and raw not in allowed:
        st.sidebar.warning(f"Ignored URL parameter {key}={raw!r}: not a known value; using the default.")
        return default
    return raw


def set_page_param(key: str, value: str | None, default: str | None = None) -> None:
    """Store a page-specific value in the URL (removed when equal to ``default`` or None)."""
    if value is None or value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def provenance_note() -> None:
    """Show where the data comes from, with a prominent SIMULATED label when any dataset is simulated."""
    meta = call(services.provenance)
    if meta.empty:
        return
    sim = meta[meta["simulated"]]
    if not sim.empty:
        st.warning(
            "**SIMULATED visitor data.** Visitor flows on this page are simulated by the atlas from "
            "published tourism statistics; they are not real telecom records. Places are real.",
            icon="⚠️",
        )
    built = meta["built_at"].max()
    st.caption(
        "Data: " + "; ".join(f"{r['dataset']} — {'simulated' if r['simulated'] else 'real'}" for r in meta.to_dict("records"))
        + f". Built {built:%Y-%m-%d %H:%M} UTC. Sources: see the Data page."
    )


def guard(render: Callable[[], None]) -> None:
    """Run a page body; atlas errors become a readable ``st.error`` instead of a traceback."""
    try:
        render()
    except AtlasError as exc:
        st.error(str(exc))
