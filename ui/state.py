"""Own every Streamlit cache wrapper, the shared connection, the sidebar filters and the URL state.

Pages call ``call(service, ...)`` to run a ``geo.services`` function through ``st.cache_data`` (the cache key
is the function, the database file's version and the arguments, nothing else: every input a service depends
on, such as the privacy floor, is an argument),
``folium_map(builder, ...)`` / ``altair_chart(builder, ...)`` to draw a map or chart whose rendered form
is cached per builder and inputs, ``sidebar_filters()`` to get the shared ``Filters`` and ``seed`` /
``store`` for their own URL-backed widgets (``ui.url.PageParam``); they never open connections themselves.
Text shown in Streamlit's Markdown elements that may come from data or the URL goes through
``geo.text.markdown_text`` first.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import threading
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from geo import vocab
from geo.db import connect, connect_console, console_cursor, require_published
from geo.errors import AtlasError, DatabaseMissingError
from geo.i18n import N_, _, get_language
from geo.render.export import chart_title
from geo.services import catalog, geography, sqlconsole
from geo.services.filters import Filters, default_filters
from geo.settings import Settings, get_settings
from geo.text import markdown_text
from ui import elements, lang, url

T = TypeVar("T")

#: Modules whose public functions pages may call through ``call``.
SERVICE_MODULES = (
    "geo.services.catalog",
    "geo.services.geography",
    "geo.services.presence",
    "geo.services.movement",
    "geo.services.capacity",
    "geo.services.placeinfo",
    "geo.services.area",
    "geo.services.public",
    "geo.services.events",
    "geo.services.forecast",
    "geo.services.roads",
    "geo.services.calibration",
)


#: Fallback date bounds when the database holds no visitor flows yet.
FALLBACK_BOUNDS = (date(2025, 11, 1), date(2026, 10, 31))


def app_settings() -> Settings:
    """Settings for this run (environment read once per script run is cheap)."""
    return get_settings()


@st.cache_resource(show_spinner=False)
def _registry() -> tuple[dict[tuple[str, str], tuple[float, duckdb.DuckDBPyConnection]], threading.Lock]:
    """The shared connections by (file, mode) with the file's modification time, and their lock (a cached
    resource, so ``st.cache_resource.clear()`` drops them like any other cached resource)."""
    return {}, threading.Lock()


def _shared_connection(path: str, mode: str, stamp: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per database file and mode, shared by all sessions (thread-safe via cursors).

    When the file's modification time changes (a build or an import renamed a new file over it), the old
    connection is closed before the new one opens: DuckDB keeps one database instance per path in a process
    and would otherwise hand the new connection the replaced file's instance, still showing the old data.
    """
    connections, lock = _registry()
    with lock:
        held = connections.get((path, mode))
        if held is not None and held[0] == stamp:
            return held[1]
        if held is not None:
            held[1].close()
        con = connect(path, mode, read_only=True)
        if mode == "public":  # only a published file, floored at least as this server requires (geo/db.py)
            try:
                require_published(con, floor=app_settings().privacy_floor, path=path)
            except AtlasError:
                con.close()
                raise
        connections[(path, mode)] = (stamp, con)
        return con


def release_connections() -> None:
    """Close the shared connections (after this process replaced the database file, e.g. an upload import)."""
    connections, lock = _registry()
    with lock:
        for _, con in connections.values():
            con.close()
        connections.clear()


def _db_stamp(s: Settings) -> float:
    try:
        return s.served_db.stat().st_mtime
    except FileNotFoundError:
        msg = (
            _("No published file at {path}. Publish one with `make run-public` (or `python -m geo publish "
              "--out FILE`), or set ATLAS_PUBLIC_DB to an existing one.").format(path=s.served_db) if s.is_public else
            _("No atlas database at {path}. Build it with `make build` (or set ATLAS_DB to an existing "
              "file).").format(path=s.db_path)
        )
        raise DatabaseMissingError(msg) from None


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the shared read-only connection for this script run."""
    s = app_settings()
    return _shared_connection(str(s.served_db), s.mode, _db_stamp(s)).cursor()


@st.cache_resource(show_spinner=False, max_entries=2)
def _console_connection(path: str, stamp: float) -> duckdb.DuckDBPyConnection:
    """The officials' SQL connection (``geo.db.connect_console``) per database file version, shared by sessions."""
    del stamp  # part of the cache key only
    return connect_console(path)


def run_sql(query: str, *, row_limit: int) -> sqlconsole.SqlResult:
    """Run an official's read-only query (the SQL page): never cached, on a cursor of its own.

    At most ``ATLAS_SQL_ROW_LIMIT`` rows and ``ATLAS_SQL_TIMEOUT`` seconds; refused in public mode.
    """
    s = app_settings()
    if s.is_public:
        msg = _("SQL is for officials only; the public view does not run queries.")
        raise AtlasError(msg)
    cur = console_cursor(_console_connection(str(s.db_path), _db_stamp(s)))
    try:
        return sqlconsole.run_readonly(cur, query, row_limit=max(1, min(row_limit, s.sql_row_limit)),
                                       timeout_s=s.sql_timeout_s)
    finally:
        cur.close()


def _frame_digest(df: pd.DataFrame) -> bytes:
    """Content hash of a whole DataFrame: its pickled form (index, column names, dtypes and every value).

    The cache key of service arguments and of map and chart inputs. Pickling is ~6× faster than
    Streamlit's default (``hash_pandas_object``, slow on Arrow-backed strings), covers every row
    (Streamlit samples frames of 50,000 rows or more) and takes cells holding lists (route paths).
    Equal frames built the same way pickle the same; at worst an equal frame laid out differently
    misses the cache, never the other way round.
    """
    return hashlib.blake2b(pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL), digest_size=20).digest()


def _filters_digest(f: Filters) -> str:
    """Cache key of the shared filters: their repr (a frozen dataclass of dates, ints and strings)."""
    return repr(f)


def _path_digest(path: Path) -> tuple[str, float]:
    """Cache key of a file argument (e.g. the festival calendar): its path and modification time."""
    try:
        return str(path), path.stat().st_mtime
    except OSError:
        return str(path), -1.0


def _function_digest(func: types.FunctionType) -> str:
    """Cache key of a function argument (a service or builder): its module and name."""
    return f"{func.__module__}.{func.__qualname__}"


#: Cheaper, complete cache keys for the argument types pages pass around.
_HASH_FUNCS: dict[Any, Callable[[Any], Any]] = {
    pd.DataFrame: _frame_digest,
    Filters: _filters_digest,
    Path: _path_digest,
    types.FunctionType: _function_digest,
}


def _check_service(func: Callable[..., Any]) -> None:
    if func.__module__ not in SERVICE_MODULES or func.__name__.startswith("_"):
        msg = f"{func.__module__}.{func.__name__} is not a service pages may call"
        raise AtlasError(msg)


def _call_uncached(func: Callable[..., Any], db_key: str, args: tuple, kwargs: tuple) -> Any:
    del db_key  # part of the cache key only: a rebuilt database file has a new key
    _check_service(func)
    con = cursor()
    try:
        result = func(con, *args, **dict(kwargs))
    finally:
        con.close()
    # Return what later cache hits return (an unpickled copy), not the fresh object: a fresh DataFrame
    # can pickle differently from its copies (Arrow buffers, memo sharing), and the map and chart caches
    # key their inputs by the pickled form, so the first rerun after a miss would miss them again.
    return pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


#: Service results cached per (service, database version, arguments); TTL from ``ATLAS_CACHE_TTL``.
_cached_call = st.cache_data(
    show_spinner=False, ttl=get_settings().cache_ttl, max_entries=512, hash_funcs=_HASH_FUNCS
)(_call_uncached)


def call(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``service(cursor, *args, **kwargs)`` through the data cache (key: service, database file, arguments).

    The database key is the file and its version (a rebuild opens a new one) and the mode (public and
    officials connections differ); everything else a result depends on is among the arguments.
    """
    _check_service(service)
    s = app_settings()
    db_key = f"{s.served_db}:{_db_stamp(s)}:{s.mode}"
    return _cached_call(service, db_key, tuple(args), tuple(sorted(kwargs.items())))


def privacy_floor() -> int:
    """The privacy floor services must apply in this mode: the configured floor in public mode, 0 for officials."""
    s = app_settings()
    return s.privacy_floor if s.is_public else 0


#: Modules whose map builders pages may draw through ``folium_map`` (allow-list for the cache key).
MAP_MODULES = ("geo.render.place_maps", "geo.render.flow_maps", "geo.render.capacity_maps", "geo.render.presence_maps",
               "geo.render.event_maps")
#: Modules whose chart builders pages may draw through ``altair_chart``.
CHART_MODULES = ("geo.render.charts", "geo.render.event_charts")
#: Rendered maps kept (each is what the browser receives: up to ~0.5 MB; 48 maps ≈ 25 MB at most).
MAP_CACHE_ENTRIES = 48
#: Chart specs kept (a few kB each: the chart's data as Arrow bytes plus the spec).
CHART_CACHE_ENTRIES = 256


def _builder(func: Callable[..., Any], allowed: tuple[str, ...]) -> Callable[..., Any]:
    """``func`` itself when it is a public builder of one of the ``allowed`` modules; else ``AtlasError``."""
    if func.__module__ not in allowed or func.__name__.startswith("_"):
        msg = f"{func.__module__}.{func.__name__} is not a builder pages may draw"
        raise AtlasError(msg)
    return func


def _map_payload_uncached(
    builder: Callable[..., Any], map_settings: tuple[str, str, str], key: str | None, args: tuple, kwargs: tuple
) -> dict[str, Any]:
    del map_settings  # part of the cache key only: tiles, asset URLs and language are read by the builders
    m = _builder(builder, MAP_MODULES)(*args, **dict(kwargs))
    return elements.folium_payload(m, key)


#: What ``st_folium`` sends for a map, cached per (builder, tiles/asset settings, key, inputs).
_cached_map_payload = st.cache_data(
    show_spinner=False, ttl=get_settings().cache_ttl, max_entries=MAP_CACHE_ENTRIES, hash_funcs=_HASH_FUNCS
)(_map_payload_uncached)


#: Session-state key of the maps and charts drawn in the current script run (read by ``ui.export``).
DRAWN_KEY = "_atlas_drawn"


@dataclass(frozen=True)
class Drawn:
    """A map or chart the page drew in this run: its builder and inputs, so an export can draw it again.

    ``kind`` is ``map`` or ``chart``; ``key`` the map's widget key (maps) or ``""``; ``title`` the chart's
    title (charts) or ``""``.
    """

    kind: str
    key: str
    builder: Callable[..., Any]
    args: tuple
    kwargs: dict[str, Any]
    title: str = ""


def drawn() -> list[Drawn]:
    """The maps and charts drawn so far in this script run, in order (``guard`` starts a new list per run)."""
    items = st.session_state.get(DRAWN_KEY)
    if not isinstance(items, list):
        items = []
        st.session_state[DRAWN_KEY] = items
    return items


def _record(item: Drawn) -> None:
    drawn().append(item)


def connection_key() -> tuple[str, str, float]:
    """What names this run's shared connection (file, mode, file version), for ``connection``."""
    s = app_settings()
    return str(s.served_db), s.mode, _db_stamp(s)


def connection(key: tuple[str, str, float]) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection named by ``key``, for work outside the script run: a download being
    prepared on its own thread keeps only the key (never the connection, which a rebuild replaces), takes a
    ``.cursor()`` there and closes it."""
    return _shared_connection(*key)


def folium_map(
    builder: Callable[..., Any],
    *args: Any,
    key: str,
    height: int,
    returned_objects: Iterable[str] = (),
    **kwargs: Any,
) -> Any:
    """Draw ``builder(*args, **kwargs)`` (a ``geo`` map builder) full-width with ``st_folium``; returns its value.

    The map is built and rendered once per distinct input and the result reused on later reruns (the
    browser receives the same component arguments ``st_folium`` would send). ``returned_objects`` are the
    interactions that rerun the page (none by default).
    """
    returned = list(returned_objects)
    _record(Drawn("map", key, _builder(builder, MAP_MODULES), tuple(args), dict(kwargs)))
    if not elements.HAVE_FOLIUM_INTERNALS:  # pragma: no cover - incompatible streamlit-folium
        from streamlit_folium import st_folium

        m = _builder(builder, MAP_MODULES)(*args, **kwargs)
        return st_folium(m, key=key, height=height, use_container_width=True, returned_objects=returned)
    s = app_settings()
    payload = _cached_map_payload(  # the language is part of the key: builders write legends with geo.i18n._
        _builder(builder, MAP_MODULES), (s.tiles, s.static_url, get_language()), key, tuple(args), tuple(sorted(kwargs.items()))
    )
    return elements.show_folium(payload, key=key, height=height, width=None, returned_objects=returned)


def _chart_spec_uncached(builder: Callable[..., Any], lang: str, args: tuple, kwargs: tuple) -> dict[str, Any]:
    del lang  # part of the cache key only: builders write titles and axes with geo.i18n._
    chart = _builder(builder, CHART_MODULES)(*args, **dict(kwargs))
    return elements.vega_lite_spec(chart)


#: Vega-Lite specs of ``geo.charts`` builders, cached per (builder, inputs).
_cached_chart_spec = st.cache_data(
    show_spinner=False, ttl=get_settings().cache_ttl, max_entries=CHART_CACHE_ENTRIES, hash_funcs=_HASH_FUNCS
)(_chart_spec_uncached)


def altair_chart(builder: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Draw ``builder(*args, **kwargs)`` (a ``geo.charts`` builder) full-width, as ``st.altair_chart`` would.

    The chart's Vega-Lite spec is computed once per distinct input (Altair's ``to_dict`` validates the
    whole schema: 10–80 ms a chart) and sent with ``st.vega_lite_chart``, which produces the same element.
    """
    if not elements.HAVE_ALTAIR_INTERNALS:  # pragma: no cover - incompatible Streamlit
        chart = _builder(builder, CHART_MODULES)(*args, **kwargs)
        _record(Drawn("chart", "", builder, tuple(args), dict(kwargs), chart_title(chart.to_dict())))
        st.altair_chart(chart, width="stretch")
        return
    spec = _cached_chart_spec(_builder(builder, CHART_MODULES), get_language(), tuple(args),
                              tuple(sorted(kwargs.items())))
    _record(Drawn("chart", "", builder, tuple(args), dict(kwargs), chart_title(spec)))
    st.vega_lite_chart(spec=spec, width="stretch")


def data_bounds() -> tuple[date, date]:
    """First and last day of visitor data (fallback bounds when flows are not built)."""
    counts = call(catalog.tables)
    if counts.get("visits_hourly", 0) == 0 and counts.get("trips", 0) == 0:  # trips alone: an imported OD table
        return FALLBACK_BOUNDS
    row = call(catalog.date_bounds)
    return row


def _query_dict() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params}


def zone_levels() -> tuple[str, ...]:
    """The zone levels pages may offer: every level loaded in the database (tourism zones first) for
    officials; only the tourism zones in public mode, whose pages show no more than before zone levels
    existed (imported boundaries and summaries by level are not part of the public view yet)."""
    if app_settings().is_public:
        return (vocab.DEFAULT_ZONE_LEVEL,)
    return call(geography.zone_levels) or (vocab.DEFAULT_ZONE_LEVEL,)


def sidebar_filters(*, show_categories: bool = True, show_zone_level: bool = False) -> Filters:
    """Draw the shared filters in the sidebar, synced with the URL; returns the chosen ``Filters``.

    With ``show_zone_level`` the sidebar offers every zone level ``zone_levels`` allows (a radio, drawn
    when there is more than one); the chosen level is ``Filters.zone_level`` on every page and in the URL.
    Public mode draws the published file's month range instead (``ui.public.sidebar_filters``).
    """
    if app_settings().is_public:
        from ui import public  # imports this module

        return public.sidebar_filters(show_categories=show_categories)
    first, last = data_bounds()
    levels = zone_levels()
    parsed = url.from_query(_query_dict(), first, last, levels)
    f = parsed.filters
    initial = {
        "f_dates": (f.start, f.end),
        "f_weekdays": [vocab.WEEKDAY_NAMES[d] for d in f.weekdays],
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
    if st.session_state["f_level"] not in levels:  # a level dropped from the database since it was chosen
        st.session_state["f_level"] = levels[0]  # the tourism zones when loaded (zone_levels puts them first)
    sb = st.sidebar
    sb.header(_("Filters"))
    dates = sb.date_input(_("Date range"), key="f_dates", min_value=first, max_value=last, format="YYYY-MM-DD")
    weekdays = sb.multiselect(_("Weekdays"), vocab.WEEKDAY_NAMES, key="f_weekdays", format_func=lang.weekday_label)
    hours = sb.slider(_("Hours of day"), 0, 23, key="f_hours")
    segments = sb.multiselect(
        _("Origin segments"), vocab.SEGMENT_GROUPS, key="f_segments", format_func=lang.segment_label
    )
    categories: list[str] = st.session_state.get("f_categories", [])
    if show_categories:
        categories = sb.multiselect(
            _("Place categories (empty = all)"), vocab.ALL_CATEGORIES, key="f_categories",
            format_func=lang.category_label,
        )
    level = st.session_state["f_level"]
    if show_zone_level and len(levels) > 1:
        # option labels are Markdown and a level's name may come from an imported file: escape it
        level = sb.radio(_("Zone level"), levels, key="f_level",
                         format_func=lambda z: markdown_text(_(vocab.zone_level_label(z))),
                         help=_("Summaries and maps by the zones of this level (tourism zones or imported "
                                "boundaries)."))
    for note in parsed.notes:
        sb.warning(url.note_markdown(note))
    start, end = (dates if isinstance(dates, tuple | list) and len(dates) == 2 else (first, last))
    base = default_filters(first, last)
    chosen = Filters(
        start=start,
        end=end,
        weekdays=tuple(vocab.WEEKDAY_NAMES.index(w) for w in weekdays) or base.weekdays,
        hours=(int(hours[0]), int(hours[1])),
        segments=tuple(s for s in vocab.SEGMENT_GROUPS if s in segments) or base.segments,
        categories=tuple(c for c in vocab.ALL_CATEGORIES if c in categories),
        zone_level=level,
    )
    sync_url(url.to_query(chosen, first, last))
    st.session_state[FILTERS_KEY] = chosen
    return chosen


#: Session-state key of the shared filters chosen in this run (the report pack of a page that ignores them).
FILTERS_KEY = "_atlas_filters"


def chosen_filters() -> Filters | None:
    """The shared filters ``sidebar_filters`` returned in this session's latest run (None before any)."""
    value = st.session_state.get(FILTERS_KEY)
    return value if isinstance(value, Filters) else None


def sync_url(params: dict[str, str]) -> None:
    """Write the shared filter parameters into the address bar, keeping page-specific keys."""
    current = _query_dict()
    wanted = {k: v for k, v in current.items() if k not in url.FILTER_KEYS}
    wanted.update(params)
    if current != wanted:
        st.query_params.from_dict(wanted)


def seed(param: url.PageParam) -> str:
    """Seed ``param``'s widget from the URL once per session; an invalid value falls back with one sidebar note.

    Returns the widget's session-state key, to pass as the widget's ``key``.
    """
    if param.widget_key not in st.session_state:
        value, note = param.read(_query_dict())
        if note:
            st.sidebar.warning(url.note_markdown(note))
        st.session_state[param.widget_key] = value
    return param.widget_key


def store(param: url.PageParam, value: Any) -> None:
    """Keep ``param``'s value in the URL (left out when it equals the default)."""
    wanted = param.url_value(value)
    if wanted is None:
        if param.key in st.query_params:
            del st.query_params[param.key]
    elif st.query_params.get(param.key) != wanted:
        st.query_params[param.key] = wanted


#: What each approximation of an aggregated presence feed means, as pages state it
#: (keys: ``geo.ingest.aggregates.APPROXIMATIONS`` and ``zone_spread``, stored in ``meta``).
APPROXIMATION_NOTES: dict[str, str] = {
    "people_days": N_("people per day are estimated as the busiest hour's unique devices that day"),
    "place_visits": N_("place visits are estimated as arrivals in the place's H3 cell, shared by the places in it"),
    "visitor_type": N_("rows without a visitor type count non-residents as overnight visitors"),
    "zone_spread": N_("presence delivered per zone is spread evenly over the zone's cells (approximate inside "
                      "each zone; zone totals exact)"),
}


def provenance_note() -> None:
    """Where the data comes from in three kinds (real with sources, approximate, simulated) plus estimates,
    with a prominent SIMULATED label when any dataset is simulated."""
    meta = call(catalog.provenance)
    if meta.empty:
        return
    kinds = call(catalog.data_kinds)
    sim = meta[meta["simulated"]]
    if not sim.empty:
        st.warning(
            _("**SIMULATED visitor data.** Visitor flows on this page are simulated by the atlas from "
              "published tourism statistics; they are not real telecom records. Places are real; the tourism "
              "zones and the province outline are approximate (drawn by the project)."),
            icon="⚠️",
        )
    labels = {"real": _("real"), "approximate": _("approximate"), "simulated": _("simulated"),
              "estimate": _("estimate")}
    parts = []
    for kind in catalog.DATA_KINDS:
        rows = kinds[kinds["kind"] == kind]
        if not rows.empty:
            names = ", ".join(
                markdown_text(vocab.dataset_text(part))
                + (f" ({markdown_text(vocab.outline_text(detail.replace('drawn by the project: ', '')))})"
                   if part == "province outline" else "")
                for part, detail in zip(rows["part"], rows["detail"], strict=True))
            parts.append(f"**{labels[kind]}**: {names}")
    feeds = call(catalog.aggregated_feeds)
    if feeds.presence:
        notes = [_(APPROXIMATION_NOTES[k]) for k in feeds.approximations if k in APPROXIMATION_NOTES]
        text = _("**Visitor presence from an operator's aggregated feed** (hourly unique devices per {unit}), "
                 "with no device-level data.").format(unit=_("H3 cell") if feeds.presence_by == "cell" else _("zone"))
        if notes:
            text += " " + _("Approximations: {notes}.").format(notes="; ".join(notes))
        st.info(text, icon="ℹ️")  # trusted-text: the atlas's own words (APPROXIMATION_NOTES), no data
    built = meta["built_at"].max()
    st.caption(
        _("Data") + " — " + "; ".join(parts)  # trusted-text: parts are the atlas labels and escaped part names
        + ". " + _("Built {when} UTC. Sources: ").format(when=f"{built:%Y-%m-%d %H:%M}")
        + (_("data/README.md of the Tourism Atlas project.") if app_settings().is_public else _("see the Data page."))
    )


_frozen_after: set[str] = set()
_freeze_lock = threading.Lock()


def _freeze_startup_heap(page: str) -> None:
    """After the first run of each page in this process: move every live object out of the cyclic GC's reach.

    A warm process holds Streamlit, pandas, Altair's JSON schema, Folium's templates, H3 and the DuckDB
    connection — millions of long-lived objects, several of them loaded lazily by the first run of the
    page that needs them. Every full (generation 2) collection walked them all again: 30–95 ms, landing on
    whichever rerun happened to trigger it. ``gc.freeze`` leaves them to reference counting only
    (Python's documented tool for long-lived startup heaps); objects created later are collected as
    before. Garbage is collected first so none of it is kept. At most once per page script.
    """
    with _freeze_lock:
        if page in _frozen_after:
            return
        _frozen_after.add(page)
    gc.collect()
    gc.freeze()


def guard(render: Callable[[], None]) -> None:
    """Run a page body; atlas errors become a readable ``st.error`` instead of a traceback."""
    st.session_state[DRAWN_KEY] = []  # the maps and charts of this run (ui.export offers them)
    try:
        render()
    except AtlasError as exc:
        st.error(markdown_text(exc))
    _freeze_startup_heap(getattr(getattr(render, "__code__", None), "co_filename", "page"))
