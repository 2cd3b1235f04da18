"""Property tests (Hypothesis): any URL gives a valid view and short notes; public services fail only with FilterError.

The public view reads its whole state from the address bar (``ui/url.py``) and hands it to the presence and
geography services. Whatever a URL holds — wrong types, huge numbers, control characters, markup, other
scripts' digits — the parser returns valid ``Filters`` and at most one short note per ignored parameter,
and the services either answer or raise ``geo.errors.FilterError`` (which pages show as a message).
"""

from __future__ import annotations

import math
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo import vocab
from geo.errors import FilterError
from geo.services import geography, presence
from geo.services.filters import Filters, default_filters
from ui import url

#: Values a hostile or careless link might carry, besides arbitrary text.
GARBAGE = ["", " ", "-1", "24", "6-22-1", "22-6", "0,,1", ",", "99999999999999999999999999", "1e3", "nan", "inf",
           "０,１", "٣", "2025-02-30", "2025-13-01", "0000-01-01", "9999-12-31", "<script>alert(1)</script>",
           "[x](javascript:alert(1))", "\x00", "\u202e", "' or 1=1 --", "%2e%2e/", "a" * 5000, "domestic,domestic",
           "temple,casino", "tourism_zone\n", "8864828a9ffffff", "-8864828a9ffffff", "ffffffffffffffff"]
KEYS = st.sampled_from([*url.FILTER_KEYS, "d_view", "d_season", "d_hour", "d_cell", "d_zone", "map_layers", "x"])
VALUES = st.one_of(st.sampled_from(GARBAGE), st.text(max_size=60), st.from_regex(r"-?\d{1,3}(-\d{1,3})?", fullmatch=True),
                   st.dates(min_value=date(1, 1, 1)).map(date.isoformat))
QUERIES = st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), VALUES, max_size=9)
BOUNDS = st.tuples(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
                   st.integers(min_value=0, max_value=3000)).map(lambda t: (t[0], t[0] + timedelta(days=t[1])))

PROPERTY = settings(max_examples=300, deadline=None)


def _valid(f: Filters, first: date, last: date) -> None:
    assert f.check() is f
    assert first <= f.start <= f.end <= last
    assert f.weekdays == tuple(sorted(set(f.weekdays)))
    assert set(f.categories) <= set(vocab.ALL_CATEGORIES) and f.zone_level in vocab.ZONE_LEVELS


@PROPERTY
@given(query=QUERIES, bounds=BOUNDS)
def test_any_url_gives_valid_filters_and_short_notes(query: dict[str, str], bounds: tuple[date, date]) -> None:
    first, last = bounds
    parsed = url.from_query(query, first, last)
    _valid(parsed.filters, first, last)
    asked = {k for k in query if k in url.FILTER_KEYS}
    assert len(parsed.notes) <= len(asked)  # at most one note per parameter (start and end share one)
    for note in parsed.notes:
        assert note.startswith("Ignored URL parameter ") and len(note) <= 300
        assert "\n" not in url.note_markdown(note) or "\n" in note


@PROPERTY
@given(query=QUERIES, bounds=BOUNDS)
def test_the_parsed_view_round_trips_through_its_url(query: dict[str, str], bounds: tuple[date, date]) -> None:
    first, last = bounds
    view = url.from_query(query, first, last).filters
    again = url.from_query(url.to_query(view, first, last), first, last)
    assert again.filters == view and again.notes == ()


@PROPERTY
@given(key=st.sampled_from(url.FILTER_KEYS), raw=st.sampled_from(GARBAGE) | st.text(max_size=40))
def test_one_bad_parameter_gives_the_default_for_it_and_at_most_one_note(key: str, raw: str) -> None:
    first, last = date(2025, 11, 1), date(2026, 10, 31)
    parsed = url.from_query({key: raw}, first, last)
    base = default_filters(first, last)
    assert len(parsed.notes) <= 1
    if parsed.notes:
        assert parsed.filters == base  # the ignored value fell back to the default view


@PROPERTY
@given(raw=st.sampled_from(GARBAGE) | st.text(max_size=80))
def test_page_params_never_raise(raw: str) -> None:
    params = [
        url.PageParam("d_view", "w1", "heat", ("heat", "hex")),
        url.PageParam("d_hour", "w2", None, tuple(str(h) for h in range(24)), parse=int),
        url.PageParam("d_cell", "w3", None, parse=lambda r: presence.cell_centre(r) or int("x")),
        url.PageParam("d_n", "w4", 5, parse=int),
    ]
    for param in params:
        value, note = param.read({param.key: raw})
        assert note is None or (note.startswith("Ignored") and len(note) <= 300)
        if note is not None:
            assert value == param.default
    assert presence.cell_centre(raw) is None or len(raw) == 15


# -- public services on a public-mode connection ------------------------------------------------------

@pytest.fixture(scope="module")
def public_con(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A public-mode connection (read-only, no external access) to a copy of the session database."""
    from geo.db import connect

    path = tmp_path_factory.mktemp("hostile-input") / "atlas.duckdb"
    shutil.copy(atlas_db, path)
    con = connect(path, "public")
    yield con
    con.close()


ANY_TEXT = st.sampled_from(GARBAGE) | st.text(max_size=20)
FILTERS = st.builds(
    Filters,
    start=st.dates(min_value=date(1, 1, 1)), end=st.dates(min_value=date(1, 1, 1)),
    weekdays=st.lists(st.integers(min_value=-10, max_value=10) | st.integers(), max_size=8).map(tuple),
    hours=st.tuples(st.integers(min_value=-5, max_value=30) | st.integers(), st.integers(min_value=-5, max_value=30)),
    segments=st.lists(st.sampled_from(vocab.SEGMENT_GROUPS) | ANY_TEXT, max_size=4).map(tuple),
    categories=st.lists(st.sampled_from(vocab.ALL_CATEGORIES) | ANY_TEXT, max_size=4).map(tuple),
    zone_level=st.sampled_from(vocab.ZONE_LEVELS) | ANY_TEXT,
)
#: Half the filters a parsed URL could give (valid, so the queries run), half anything at all.
ANY_FILTERS = st.one_of(QUERIES.map(lambda q: url.from_query(q, date(2025, 11, 1), date(2025, 12, 31)).filters), FILTERS)
SEASON = st.sampled_from(list(vocab.SEASONS)) | ANY_TEXT
HOUR = st.none() | st.integers(min_value=-3, max_value=30) | st.integers()
COORD = st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=18.5, max_value=19.1)
SERVICE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SERVICE
@given(f=ANY_FILTERS, season=SEASON, hour=HOUR)
def test_cell_density_answers_or_raises_filter_error(public_con, f: Filters, season: str, hour: int | None) -> None:
    cur = public_con.cursor()
    try:
        result = presence.cell_density(cur, f, season, hour, floor=10)
    except FilterError:
        return
    finally:
        cur.close()
    assert isinstance(result, pd.DataFrame) and (result["visitor_hours"] >= 10).all()


@SERVICE
@given(lat=COORD, lon=st.floats(allow_nan=True) | st.floats(min_value=98.7, max_value=99.2), f=ANY_FILTERS,
       season=SEASON, hour=HOUR)
@example(lat=18.7883, lon=98.9853, f=Filters(date(2025, 11, 1), date(2025, 11, 7), hours=(5, 4)), season="range",
         hour=None)  # from > to once divided by zero (an hour count of 0)
def test_cell_detail_answers_or_raises_filter_error(public_con, lat, lon, f, season, hour) -> None:
    cur = public_con.cursor()
    try:
        detail = presence.cell_detail(cur, lat, lon, f, season, hour, floor=10)
    except FilterError:
        return
    finally:
        cur.close()
    assert detail is None or (math.isfinite(detail.present) and detail.present >= 0)


@SERVICE
@given(layers=st.lists(ANY_TEXT, max_size=3), categories=st.lists(ANY_TEXT | st.sampled_from(vocab.ALL_CATEGORIES),
                                                                   max_size=4), level=ANY_TEXT)
def test_geography_answers_any_layer_category_and_level(public_con, layers, categories, level) -> None:
    cur = public_con.cursor()
    try:
        places = geography.list_places(cur, tuple(layers), tuple(categories))
        assert set(places["category"]) <= set(categories) or not categories
        assert geography.zones_geojson(cur, level).startswith("{")
    finally:
        cur.close()


# -- the public view's own services on a published file ---------------------------------------------------

@pytest.fixture(scope="module")
def published_con(public_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A public-mode connection to a copy of the session's published file (what ATLAS_MODE=public serves)."""
    from geo.db import connect

    path = tmp_path_factory.mktemp("hostile-published") / "public.duckdb"
    shutil.copy(public_db, path)
    con = connect(path, "public")
    yield con
    con.close()


def _public_calls():
    from geo.services import public

    return {
        "kpis": lambda cur, f, text, hour: public.kpis(cur, f),
        "seasonality": lambda cur, f, text, hour: public.seasonality(cur, f),
        "hour_weekday": lambda cur, f, text, hour: public.hour_weekday(cur, f),
        "origin_mix": lambda cur, f, text, hour: public.origin_mix(cur, f),
        "top_places": lambda cur, f, text, hour: public.top_places(cur, f),
        "zone_days": lambda cur, f, text, hour: public.zone_days(cur, f),
        "cell_density": lambda cur, f, text, hour: public.cell_density(cur, f, hour),
        "cell_detail": lambda cur, f, text, hour: public.cell_detail(cur, 18.79, 98.99, f, hour),
        "zone_presence": lambda cur, f, text, hour: public.zone_presence(cur, f, hour),
        "area_summary": lambda cur, f, text, hour: public.area_summary(cur, f, text, hour),
        "flow_totals": lambda cur, f, text, hour: public.flow_totals(cur, f),
        "top_corridors": lambda cur, f, text, hour: public.top_corridors(cur, f),
        "supply_demand": lambda cur, f, text, hour: public.supply_demand(cur, f),
        "place_visits": lambda cur, f, text, hour: public.place_visits(cur, text, f),
    }


AREA_TEXT = ANY_TEXT | st.sampled_from(["98.95_18.75~99.0_18.75~99.0_18.8~98.95_18.8",
                                        "98.95_18.75~99.0_18.75", "1e999_2~3_4~5_6"])


@pytest.mark.parametrize("name", sorted(_public_calls()))
def test_every_public_service_answers_any_input_or_raises_filter_error(published_con, name: str) -> None:
    """Every function the public pages call, with filters a URL could give or anything at all."""
    call = _public_calls()[name]

    @SERVICE
    @given(f=ANY_FILTERS, text=AREA_TEXT, hour=HOUR)
    def check(f: Filters, text: str, hour: int | None) -> None:
        cur = published_con.cursor()
        try:
            call(cur, f, text, hour)
        except FilterError:
            return
        finally:
            cur.close()

    check()
