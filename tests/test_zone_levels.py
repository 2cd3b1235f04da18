"""Zone levels (issue 12): the cell -> zone lookup, the overlap and gap report, and summaries by any level.

Expected values are computed independently of the SQL under test: cells are assigned to the test
districts with shapely (centre covered, smallest zone_id on an overlap), figures are summed from the
pipeline's ``visits_hourly`` and ``places`` with pandas.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import sql, vocab
from geo.build import zonelevels
from geo.db import connect
from geo.errors import BuildError, DataNotBuiltError, FilterError
from geo.render import place_maps
from geo.services import capacity, catalog, geography, presence
from geo.services.filters import Filters
from geo.settings import ROOT
from tests.flow_fixtures import tiny_seed_db
from tests.level_fixtures import DISTRICTS, LEVEL, add_level, level_frame, levels_database
from tests.markdown_helpers import shown
from tests.presence_fixtures import flows_database

#: Three boxes over the tiny seed's two zones (98.975..99.015 x 18.775..18.800): a and b overlap by a
#: 0.004-degree strip, the strip between b and c is in no zone (a gap).
TINY = {
    "a": ("A", "ก", (98.975, 18.775, 98.992, 18.800)),
    "b": ("B", "ข", (98.988, 18.775, 99.000, 18.800)),
    "c": ("C", "ค", (99.006, 18.775, 99.015, 18.800)),
}


def _cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("select cell, lat, lon, zone_id from cells order by cell").df()


def _lookup(con: duckdb.DuckDBPyConnection, level: str) -> dict[int, str]:
    rows = con.execute("select cell, zone_id from cell_zones where level = ?", [level]).fetchall()
    return {int(c): z for c, z in rows}


def _expected_assignment(cells: pd.DataFrame, zones: dict) -> dict[int, str]:
    """Cell -> zone by shapely: the zones covering the centre, the smallest zone_id when several do."""
    points = shapely.points(cells["lon"].to_numpy(), cells["lat"].to_numpy())
    hits: dict[int, list[str]] = {}
    for zone_id, (_en, _th, box) in zones.items():
        covered = shapely.covers(shapely.box(*box), points)
        for cell in cells["cell"].to_numpy()[covered]:
            hits.setdefault(int(cell), []).append(zone_id)
    return {cell: min(ids) for cell, ids in hits.items()}


def _expected_gaps(cells: pd.DataFrame, zones: dict, assigned: dict[int, str]) -> set[int]:
    hull = shapely.convex_hull(shapely.union_all([shapely.box(*b) for _en, _th, b in zones.values()]))
    points = shapely.points(cells["lon"].to_numpy(), cells["lat"].to_numpy())
    inside = cells["cell"].to_numpy()[shapely.covers(hull, points)]
    return {int(c) for c in inside if int(c) not in assigned}


# ---------------------------------------------------------------------------------------------------------
# The lookup and the report, on the tiny two-zone seed


@pytest.fixture
def tiny(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = tiny_seed_db(tmp_path)
    yield con
    con.close()


def test_build_fills_the_tourism_zone_lookup_with_cells_zone_id(tiny) -> None:
    cells = _cells(tiny)
    assert _lookup(tiny, vocab.DEFAULT_ZONE_LEVEL) == dict(
        zip(cells["cell"].astype(int), cells["zone_id"], strict=True)
    )
    report = zonelevels.level_report(tiny, vocab.DEFAULT_ZONE_LEVEL)
    assert (report.zones, report.cells, report.assigned_cells, report.gap_cells) == (
        2,
        len(cells),
        len(cells),
        0,
    )
    assert report.overlaps == () and report.ok  # west and east touch along an edge: no area shared


def test_centres_go_to_the_covering_zone_and_an_overlap_to_the_smallest_id(tiny) -> None:
    assigned = add_level(tiny, "district", TINY)
    cells = _cells(tiny)
    expected = _expected_assignment(cells, TINY)
    assert _lookup(tiny, "district") == expected and assigned == len(expected)
    shared = [
        c
        for c in expected
        if all(shapely.box(*TINY[z][2]).covers(shapely.Point(*_lonlat(cells, c))) for z in ("a", "b"))
    ]
    assert shared and all(expected[c] == "a" for c in shared)  # in both a and b: a, the smaller id
    assert _lookup(tiny, vocab.DEFAULT_ZONE_LEVEL)  # the other level's rows are untouched


def _lonlat(cells: pd.DataFrame, cell: int) -> tuple[float, float]:
    row = cells[cells["cell"] == cell].iloc[0]
    return float(row["lon"]), float(row["lat"])


def test_report_lists_the_overlap_and_the_gap(tiny) -> None:
    add_level(tiny, "district", TINY)
    cells = _cells(tiny)
    expected = _expected_assignment(cells, TINY)
    gaps = _expected_gaps(cells, TINY, expected)
    assert gaps, "the fixture must leave a gap between b and c"
    report = zonelevels.level_report(tiny, "district")
    assert (report.level, report.zones, report.cells, report.assigned_cells) == (
        "district",
        3,
        len(cells),
        len(expected),
    )
    assert report.gap_cells == len(gaps)
    assert [g.cell for g in report.gap_examples] == sorted(gaps)[: zonelevels.GAP_EXAMPLES]
    first = report.gap_examples[0]
    assert first.cell_hex == format(first.cell, "x") and h3.is_valid_cell(first.cell_hex)
    assert first.tourism_zone_id in ("west", "east") and first.tourism_zone_name in ("West", "East")
    # the overlap: area in UTM 47N as the seed loader measures zone areas, cells whose centre is in both
    overlap = level_frame("district", {"x": ("", "", (98.988, 18.775, 98.992, 18.800))}).loc[0, "area_km2"]
    both = sum(
        1
        for c in expected
        if all(shapely.box(*TINY[z][2]).covers(shapely.Point(*_lonlat(cells, c))) for z in ("a", "b"))
    )
    assert len(report.overlaps) == 1
    pair = report.overlaps[0]
    assert (pair.zone_a, pair.zone_b, pair.shared_cells) == ("a", "b", both)
    assert pair.overlap_km2 == pytest.approx(overlap, rel=1e-6)
    assert not report.ok
    text = "\n".join(report.lines())
    assert "Overlap: a and b share" in text and f"Gaps: {len(gaps):,} cells" in text


def test_overlaps_below_the_tolerance_are_not_reported(tiny) -> None:
    add_level(tiny, "district", TINY)
    report = zonelevels.level_report(tiny, "district", tolerance_km2=5.0)
    assert report.overlaps == () and report.gap_cells > 0


def test_refresh_replaces_the_level_and_follows_its_zones(tiny) -> None:
    first = add_level(tiny, "district", TINY)
    assert zonelevels.refresh_cell_zones(tiny, "district") == first
    tiny.execute("delete from zones where zone_id = 'c'")
    fewer = zonelevels.refresh_cell_zones(tiny, "district")
    assert fewer < first and "c" not in set(_lookup(tiny, "district").values())
    n = tiny.execute("select count(*) from cell_zones where level = 'district'").fetchone()[0]
    assert n == fewer


def test_a_level_without_zones_has_no_cells_and_an_empty_report(tiny) -> None:
    assert zonelevels.refresh_cell_zones(tiny, "subdistrict") == 0
    report = zonelevels.level_report(tiny, "subdistrict")
    assert (report.zones, report.assigned_cells, report.extent_cells, report.gap_cells) == (0, 0, 0, 0)
    assert report.overlaps == () and not report.ok


def test_the_level_name_is_bound_never_interpolated(tiny) -> None:
    hostile = "x'; drop table zones; --"
    assert add_level(tiny, hostile, TINY) > 0
    assert set(_lookup(tiny, hostile).values()) == {"a", "b", "c"}
    assert zonelevels.level_report(tiny, hostile).zones == 3
    assert tiny.execute("select count(*) from zones").fetchone()[0] == 5
    with pytest.raises(BuildError, match="needs a name"):
        zonelevels.refresh_cell_zones(tiny, " ")


def test_refresh_creates_the_lookup_in_a_database_that_predates_it(tiny) -> None:
    tiny.execute("drop table cell_zones")
    assert add_level(tiny, "district", TINY) > 0
    assert zonelevels.refresh_cell_zones(tiny, vocab.DEFAULT_ZONE_LEVEL) == len(_cells(tiny))


def test_zone_level_labels() -> None:
    assert vocab.zone_level_label("tourism_zone") == "Tourism zones"
    assert vocab.zone_level_label("district") == "Districts"
    assert vocab.zone_level_label("watershed_2024") == "Watershed 2024"


def test_maps_name_the_zones_layer_after_the_level_escaped() -> None:
    import json

    feature = {
        "type": "Feature",
        "properties": {"zone_id": "w", "name_en": "W", "name_th": "ว"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[98.9, 18.7], [99, 18.7], [99, 18.8], [98.9, 18.7]]],
        },
    }
    no_places = pd.DataFrame(columns=["place_id", "layer", "category", "name_en", "name_th", "lat", "lon"])

    def drawn(level: str) -> str:
        zones = json.dumps({"type": "FeatureCollection", "level": level, "features": [feature]})
        return place_maps.places_map(no_places, zones).get_root().render()

    html = drawn("ward <img src=x>")
    # the layer control's name (HTML, JSON-escaped once more), and the level itself is not sent
    assert '"Ward \\u0026lt;img src=x\\u0026gt;"' in html
    assert "<img src=x" not in html and "\\u003cimg" not in html.lower()
    assert '"Tourism zones (approximate)"' in drawn("tourism_zone")
    empty = json.dumps({"type": "FeatureCollection", "level": "ward", "features": []})
    assert "Ward" in place_maps.places_map(no_places, empty).get_root().render()  # no zones: still draws


# ---------------------------------------------------------------------------------------------------------
# Services by level, on real pipeline output (the session database with flows) plus the test districts


@pytest.fixture(scope="module")
def levels_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("levels")
    return levels_database(flows_database(atlas_db, work), work / "levels.duckdb")


@pytest.fixture(scope="module")
def con(levels_db: Path) -> duckdb.DuckDBPyConnection:
    c = connect(levels_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def assignment(con) -> dict[int, str]:
    expected = _expected_assignment(_cells(con), DISTRICTS)
    assert _lookup(con, LEVEL) == expected
    return expected


@pytest.fixture(scope="module")
def hourly(con) -> pd.DataFrame:
    """The pipeline's presence cube with the keys the filters select on."""
    df = con.execute("select ts_hour, cell, segment, visitor_type, visitors from visits_hourly").df()
    ts = pd.to_datetime(df["ts_hour"])
    return df.assign(
        cell=df["cell"].astype("int64"),
        day=ts.dt.date,
        hour=ts.dt.hour,
        month=ts.dt.month,
        weekday=ts.dt.day_of_week,
        group=df["segment"].str.split(":").str[0],
    )


@pytest.fixture(scope="module")
def view(con) -> Filters:
    """Weekdays, daytime hours, two segment groups, most of the data's days."""
    first, last = catalog.date_bounds(con)
    return Filters(
        start=first + timedelta(days=3),
        end=last - timedelta(days=2),
        weekdays=(0, 1, 2, 3, 4),
        hours=(8, 20),
        segments=("domestic", "international"),
        zone_level=LEVEL,
    )


def _by_zone(values: pd.Series, assignment: dict[int, str]) -> dict[str, int]:
    """People-hours per cell (index: cell) summed per expected zone; '' for cells in no zone."""
    zones = values.index.map(lambda c: assignment.get(int(c), ""))
    return {str(z): int(v) for z, v in values.groupby(zones).sum().items()}


def test_zone_levels_are_discoverable_tourism_zones_first(con) -> None:
    assert geography.zone_levels(con) == ("tourism_zone", "district")
    assert geography.check_zone_level(con, LEVEL) == LEVEL


def test_an_unknown_level_names_the_loaded_ones(con, view) -> None:
    bad = Filters(start=view.start, end=view.end, zone_level="ward")
    for service in (presence.level_hours, capacity.supply_demand):
        with pytest.raises(FilterError, match="the loaded levels are tourism_zone, district"):
            service(con, bad)
    with pytest.raises(FilterError, match="Unknown zone level 'ward'"):
        presence.level_density(con, bad, floor=0)


def test_a_level_without_its_lookup_says_what_to_do(levels_db: Path, tmp_path: Path, view) -> None:
    copy = tmp_path / "nolookup.duckdb"
    copy.write_bytes(levels_db.read_bytes())
    c = connect(copy, "officials")
    try:
        add_level(c, "ward", {"w1": ("Ward 1", "แขวง", (98.96, 18.77, 99.0, 18.80))}, refresh=False)
        assert "ward" in geography.zone_levels(c)
        with pytest.raises(DataNotBuiltError, match="no cell lookup yet"):
            presence.level_hours(c, Filters(start=view.start, end=view.end, zone_level="ward"))
    finally:
        c.close()


def test_overview_level_totals_are_the_sums_of_their_cells(con, view, hourly, assignment) -> None:
    df = presence.level_hours(con, view)
    h = hourly[
        (hourly["day"] >= view.start)
        & (hourly["day"] <= view.end)
        & hourly["weekday"].isin(view.weekdays)
        & hourly["hour"].between(*view.hours)
        & hourly["group"].isin(view.segments)
    ]
    per_cell = h.groupby("cell")["visitors"].sum()
    expected = _by_zone(per_cell, assignment)
    got = dict(zip(df["zone_id"], df["visitor_hours"], strict=True))
    assert set(got) == {*DISTRICTS, ""}  # every district, and the cells in none
    assert got == {z: expected.get(z, 0) for z in got}
    assert all(got[z] > 0 for z in DISTRICTS)  # the test districts hold people
    assert sum(got.values()) == int(per_cell.sum())  # districts + outside = every cell
    outside = df[df["outside"]].iloc[0]
    assert outside["name_en"] == presence.OUTSIDE_LABEL and df["outside"].tolist()[-1]
    assert df["share"].sum() == pytest.approx(1.0)
    slots = int(df["slots"].iloc[0])
    assert slots == int(df["days_with_data"].iloc[0]) * 13 and slots > 0
    assert df["present"].tolist() == pytest.approx((df["visitor_hours"] / slots).tolist())
    cells_with_data = per_cell[per_cell > 0].index.map(lambda c: assignment.get(int(c), "")).value_counts()
    assert dict(zip(df["zone_id"], df["cells_with_data"], strict=True)) == {
        z: int(cells_with_data.get(z, 0)) for z in got
    }


def test_tourism_zone_level_agrees_with_the_zone_rollups(con, view) -> None:
    f = Filters(
        start=view.start, end=view.end, weekdays=view.weekdays, hours=view.hours, segments=view.segments
    )
    df = presence.level_hours(con, f)
    zone_hourly = con.execute(
        "select zone_id, sum(visitors)::bigint as v from presence_hourly where day between ? and ? "
        "and list_contains(?, isodow(day) - 1) and hour between ? and ? and list_contains(?, segment_group) "
        "group by zone_id",
        [f.start, f.end, list(f.weekdays), f.hours[0], f.hours[1], list(f.segments)],
    ).fetchall()
    got = {z: int(v) for z, v in zip(df["zone_id"], df["visitor_hours"], strict=True) if v}
    assert got == {z: int(v) for z, v in zone_hourly if v}
    # the cell-keyed pressure demand of the tourism zones is zone_nightly's
    p = f.params()
    cell_path = sql.fetch_df(
        con,
        "app/capacity_level_supply_demand",
        {**{k: p[k] for k in ("start", "end", "weekdays", "segments")}, "level": "tourism_zone"},
    )
    zone_path = capacity.supply_demand(con, f)
    keys = ["zone_id", "nights", "visitor_nights", "peak_overnight"]
    merged = zone_path[keys].merge(cell_path[keys], on="zone_id", suffixes=("", "_cells"))
    assert len(merged) == len(zone_path) > 0
    for key in keys[1:]:
        assert merged[key].tolist() == merged[f"{key}_cells"].tolist()


def test_density_level_totals_are_the_sums_of_their_cells(con, view, hourly, assignment) -> None:
    months = presence.season_months("range", view)
    df = presence.level_density(con, view, "range", None, floor=0)
    h = hourly[
        hourly["month"].isin(months)
        & hourly["weekday"].isin(view.weekdays)
        & hourly["hour"].between(*view.hours)
        & hourly["group"].isin(view.segments)
    ]
    per_cell = h.groupby("cell")["visitors"].sum()
    expected = _by_zone(per_cell, assignment)
    got = dict(zip(df["zone_id"], df["visitor_hours"], strict=True))
    assert got == {z: expected.get(z, 0) for z in got} and set(got) == {*DISTRICTS, ""}
    assert sum(got.values()) == int(per_cell.sum())
    # one playback hour narrows it like the map
    at_noon = presence.level_density(con, view, "range", 12, floor=0)
    assert at_noon["visitor_hours"].sum() == int(h[h["hour"] == 12]["visitors"].sum())


def test_density_level_sums_exactly_the_cells_the_map_shows_under_a_floor(con, view, assignment) -> None:
    """With a privacy floor each zone is the sum of its floored cells on the map (nothing hidden is added)."""
    cells = presence.cell_density(con, view, floor=10)
    df = presence.level_density(con, view, floor=10)
    expected = _by_zone(cells.set_index("cell")["visitor_hours"], assignment)
    got = dict(zip(df["zone_id"], df["visitor_hours"], strict=True))
    assert got == {z: expected.get(z, 0) for z in got}
    assert df["visitor_hours"].sum() == cells["visitor_hours"].sum() > 0
    assert df["present"].sum() == pytest.approx(cells["present"].sum())


def test_capacity_by_level_adds_up_to_the_city(con, view, hourly, assignment) -> None:
    df = capacity.supply_demand(con, view)
    assert list(df["zone_id"]) == [*sorted(DISTRICTS), ""] and df["outside"].tolist() == [False] * 3 + [True]
    # supply: accommodation by the cell holding it
    places = geography.list_places(con, ("accommodation",))
    cell_of = [
        int(h3.latlng_to_cell(lat, lon, 8), 16) for lat, lon in zip(places["lat"], places["lon"], strict=True)
    ]
    beds = places["capacity"].fillna(places["rooms"] * 2).fillna(0)
    expected_beds = _by_zone(pd.Series(beds.to_numpy(), index=cell_of).groupby(level=0).sum(), assignment)
    got = df.set_index("zone_id")
    assert {z: int(got.loc[z, "beds"]) for z in got.index} == {z: expected_beds.get(z, 0) for z in got.index}
    assert int(df["beds"].sum()) == int(beds.sum()) > 0
    assert int(df["accommodations"].sum()) == len(places)
    # demand: overnight visitors at 02:00, the night named after its evening
    night = (pd.to_datetime(hourly["ts_hour"]) - pd.Timedelta(days=1)).dt.date
    at_two = hourly[
        (hourly["hour"] == 2)
        & (hourly["visitor_type"] == "overnight")
        & (night >= view.start)
        & (night <= view.end)
        & pd.Series([d.weekday() for d in night], index=hourly.index).isin(view.weekdays)
        & hourly["group"].isin(view.segments)
    ]
    expected_nights = _by_zone(at_two.groupby("cell")["visitors"].sum(), assignment)
    assert {z: int(got.loc[z, "visitor_nights"]) for z in got.index} == {
        z: expected_nights.get(z, 0) for z in got.index
    }
    assert int(df["visitor_nights"].sum()) == int(at_two["visitors"].sum()) > 0
    nights = int(df["nights"].iloc[0])
    with_beds = df[df["beds"] > 0]
    assert with_beds["observed_pressure"].tolist() == pytest.approx(
        (with_beds["visitor_nights"] / nights / with_beds["beds"]).tolist()
    )
    # the pressure index proper: estimated visitors over beds on the published supply (docs/estimates.md)
    assert with_beds["pressure"].tolist() == pytest.approx(
        (with_beds["est_overnight_per_night"] / with_beds["supply_beds"]).tolist()
    )
    assert df.loc[df["outside"], "name_en"].tolist() == [capacity.OUTSIDE_LABEL]


def test_tourism_zone_capacity_is_unchanged_by_levels(con, view) -> None:
    f = Filters(start=view.start, end=view.end, segments=view.segments)
    df = capacity.supply_demand(con, f)
    assert not df["outside"].any() and len(df) == len(geography.list_zones(con))
    p = f.params()
    before = sql.fetch_df(
        con,
        "app/capacity_supply_demand",
        {**{k: p[k] for k in ("start", "end", "weekdays", "segments")}, "zone_level": "tourism_zone"},
    )
    assert df["beds"].tolist() == before["beds"].tolist()
    assert np.allclose(df["overnight_per_night"], before["overnight_per_night"])


def test_zones_geojson_carries_the_level(con) -> None:
    import json

    doc = json.loads(geography.zones_geojson(con, LEVEL))
    assert doc["level"] == LEVEL
    assert sorted(f["properties"]["zone_id"] for f in doc["features"]) == sorted(DISTRICTS)


def test_default_build_covers_every_cell_with_a_tourism_zone(con) -> None:
    cells = _cells(con)
    lookup = _lookup(con, vocab.DEFAULT_ZONE_LEVEL)
    assert lookup == dict(zip(cells["cell"].astype(int), cells["zone_id"], strict=True))


# ---------------------------------------------------------------------------------------------------------
# Pages with a second level loaded (AppTest)

APP = str(ROOT / "app.py")
LEVEL_PAGES = (
    "pages/views/atlas_map.py",
    "pages/views/overview.py",
    "pages/views/density.py",
    "pages/views/capacity.py",
)


@pytest.fixture
def levels_env(levels_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLAS_DB", str(levels_db))
    return levels_db


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _level_radio(at: AppTest):
    return at.sidebar.radio(key="f_level")


@pytest.mark.parametrize("page", LEVEL_PAGES)
def test_pages_offer_every_loaded_level_and_take_it_from_the_url(levels_env, page: str) -> None:
    at = _open(page, {"level": LEVEL})
    _ok(at)
    radio = _level_radio(at)
    assert radio.options == ["Tourism zones", "Districts"] and radio.value == LEVEL
    assert at.query_params["level"] == LEVEL
    assert not at.sidebar.warning


@pytest.mark.parametrize("page", LEVEL_PAGES)
def test_an_unknown_level_in_the_url_falls_back_with_a_plain_note(levels_env, page: str) -> None:
    at = _open(page, {"level": "ward](https://example.invalid)"})
    _ok(at)
    assert _level_radio(at).value == "tourism_zone"
    notes = [shown(w.value) for w in at.sidebar.warning]
    assert notes == [
        "Ignored URL parameter level='ward](https://example.invalid)': the zone levels offered are "
        "tourism_zone, district; using the default."
    ]


def _table(at: AppTest, having: str = "present") -> list[str]:
    """Zone names of the first table with a ``having`` column (level summary: present; capacity: beds)."""
    for frame in at.dataframe:
        if having in frame.value.columns:
            return frame.value["name"].tolist()  # one name column, in the reader's language (English here)
    return []


def test_overview_summarises_the_chosen_level(levels_env, levels_db: Path) -> None:
    at = _open("pages/views/overview.py")
    _ok(at)
    assert "Visitors by zone: Tourism zones" in [s.value for s in at.subheader]
    _level_radio(at).set_value(LEVEL).run()
    _ok(at)
    assert at.query_params["level"] == LEVEL
    assert "Visitors by zone: Districts" in [s.value for s in at.subheader]
    names = [n for n in _table(at) if n in {en for en, _th, _b in DISTRICTS.values()}]
    assert sorted(names) == sorted(en for en, _th, _b in DISTRICTS.values())
    assert presence.OUTSIDE_LABEL in _table(at)
    assert any(c.value.startswith("People-hours = ") for c in at.caption)
    assert len(at.get("vega_lite_chart")) >= 4  # seasonality, hour x weekday, origins, zones


def test_density_and_capacity_summarise_the_chosen_level(levels_env) -> None:
    at = _open("pages/views/density.py", {"level": LEVEL})
    _ok(at)
    assert "**People present by zone: Districts**" in [m.value for m in at.markdown]
    assert {en for en, _th, _b in DISTRICTS.values()} <= set(_table(at))
    assert at.selectbox(key="dens_zone").value == "old_city"  # the tourism-zone area summary stays
    at = _open("pages/views/capacity.py", {"level": LEVEL})
    _ok(at)
    assert "Supply against demand by zone: Districts" in [s.value for s in at.subheader]
    assert {en for en, _th, _b in DISTRICTS.values()} <= set(_table(at, "beds"))
    assert any(c.value.startswith("Zones of an imported level") for c in at.caption)


@pytest.fixture
def public_levels_env(levels_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Public mode on the database with districts, published (the published file keeps the tourism zones)."""
    from geo.publish.run import publish

    published = tmp_path / "public.duckdb"
    publish(published, levels_db, floor=10)
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(published))
    yield published
    st.cache_resource.clear()
    gc.collect()


def test_public_pages_show_no_more_than_before_levels(public_levels_env) -> None:
    districts = {en for en, _th, _b in DISTRICTS.values()}
    for page in ("pages/views/atlas_map.py", "pages/views/public/density.py", "pages/views/public/capacity.py"):
        at = _open(page, {"level": LEVEL})
        _ok(at)
        assert [r.key for r in at.sidebar.radio] == ["atlas_lang"], page  # no level choice in public mode
        assert [shown(w.value) for w in at.sidebar.warning] == [
            "Ignored URL parameter level='district': the zone levels offered are tourism_zone; "
            "using the default."
        ]
        assert not any("People present by zone" in m.value for m in at.markdown)
        assert not districts & {n for d in at.dataframe for column in ("name", "name_en") if column in d.value.columns
                                for n in d.value[column]}
