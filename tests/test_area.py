"""Numbers for a drawn area: the area check, its URL form, the summary against a direct sum over the cells, the map tool."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geo.db import connect
from geo.errors import FilterError
from geo.render import assets, presence_maps
from geo.render.area_draw import AreaDrawTool
from geo.services import area, catalog, presence
from geo.services.filters import default_filters
from tests.presence_fixtures import flows_database
from ui import url

#: The old city and a little around it (lon, lat corners).
OLD_CITY: area.Ring = ((98.975, 18.78), (99.0, 18.78), (99.0, 18.8), (98.975, 18.8))
SQUARE_WKT = "POLYGON((98.975 18.78, 99 18.78, 99 18.8, 98.975 18.8, 98.975 18.78))"


# --- the area check --------------------------------------------------------------------------------------------


def test_a_rectangle_is_accepted_rounded_and_measured() -> None:
    checked = area.check_area(SQUARE_WKT)
    assert checked.ring == OLD_CITY
    assert checked.wkt == ("POLYGON((98.97500 18.78000, 99.00000 18.78000, 99.00000 18.80000, 98.97500 18.80000, "
                           "98.97500 18.78000))")
    # 0.025° × 0.02° at 18.8°N: 2.64 km × 2.21 km
    assert 5.7 < checked.area_km2 < 5.95
    assert area.check_area(OLD_CITY).wkt == checked.wkt  # a ring and its WKT are the same area
    fine = area.check_area(((98.9750049, 18.7800001), (99.0000001, 18.78), (99.0, 18.8), (98.975, 18.8)))
    assert fine.ring == OLD_CITY  # 5 decimals, as a link keeps them


def test_repeated_and_closing_corners_are_dropped() -> None:
    ring = ((98.975, 18.78), (98.975, 18.78), (99.0, 18.78), (99.0, 18.8), (98.975, 18.8), (98.975, 18.78))
    assert area.check_area(ring).ring == OLD_CITY


@pytest.mark.parametrize(("shape", "reason"), [
    ("not wkt", "not a readable polygon"),
    ("POINT(98.98 18.79)", "one polygon"),
    ("LINESTRING(98.97 18.78, 99 18.8)", "one polygon"),
    ("MULTIPOLYGON(((98.97 18.78, 98.98 18.78, 98.98 18.79, 98.97 18.78)),"
     "((98.99 18.78, 99 18.78, 99 18.79, 98.99 18.78)))", "one polygon"),
    ("POLYGON((98.9 18.7, 99.1 18.7, 99.1 18.9, 98.9 18.9, 98.9 18.7),"
     "(98.95 18.75, 99 18.75, 99 18.8, 98.95 18.75))", "without holes"),
    ("POLYGON((98.97 18.78, 99 18.8, 99 18.78, 98.97 18.8, 98.97 18.78))", "edges cross"),
    ("POLYGON((100.5 13.7, 100.6 13.7, 100.6 13.8, 100.5 13.7))", "outside the province"),
    ("POLYGON((98.1 17.3, 99.5 17.3, 99.5 20.1, 98.1 20.1, 98.1 17.3))", "at most 5,000 km²"),
    ("POLYGON((98.97 18.78, 98.98 18.78, 98.97 18.78))", "three distinct corners"),
    ("POLYGON((98.97 18.78, 98.98 18.78, 98.99 18.78, 98.97 18.78))", "empty"),
    ("POLYGON EMPTY", "one polygon"),
    ("POLYGON((98.97 18.78, 98.98 18.78, 98.98 18.79')); drop table places; --", "not a readable polygon"),
])
def test_refused_areas_say_what_to_fix(shape: str, reason: str) -> None:
    with pytest.raises(FilterError, match=reason):
        area.check_area(shape)


def test_too_many_corners_or_characters_are_refused_before_parsing() -> None:
    import math

    ring = tuple((98.98 + 0.01 * math.cos(2 * math.pi * i / 600), 18.79 + 0.01 * math.sin(2 * math.pi * i / 600))
                 for i in range(600))
    with pytest.raises(FilterError, match="at most 500 points"):
        area.check_area(ring)
    with pytest.raises(FilterError, match="too many corners"):
        area.check_area("POLYGON((" + "98.98 18.79, " * 20_000 + "98.98 18.79))")
    ok = ring[::2]  # 300 corners
    assert len(area.check_area(ok).ring) == 300


def test_non_finite_or_non_numeric_corners_are_refused() -> None:
    with pytest.raises(FilterError, match="finite"):
        area.check_area(((98.97, 18.78), (float("nan"), 18.78), (99.0, 18.8)))
    with pytest.raises(FilterError, match="corners"):
        area.check_area((("a", "b"), (1, 2), (3, 4)))  # type: ignore[arg-type]


def test_a_drawn_geojson_shape_becomes_a_ring() -> None:
    feature = {"type": "Feature", "properties": {},
               "geometry": {"type": "Polygon", "coordinates": [[[98.975, 18.78], [99.0, 18.78], [99.0, 18.8],
                                                                 [98.975, 18.8], [98.975, 18.78]]]}}
    assert area.check_area(area.ring_from_geojson(feature)).ring == OLD_CITY
    assert area.ring_from_geojson(feature["geometry"])[:2] == ((98.975, 18.78), (99.0, 18.78))
    for bad in (None, [], "x", {"type": "Feature", "geometry": {"type": "Point", "coordinates": [98.9, 18.7]}},
                {"type": "Polygon", "coordinates": []},
                {"type": "Polygon", "coordinates": [[[98.9, 18.7]], [[98.9, 18.7]]]},
                {"type": "Polygon", "coordinates": [[["98.9", 18.7], [99, 18.7], [99, 18.8]]]},
                {"type": "Polygon", "coordinates": [[[True, 18.7], [99, 18.7], [99, 18.8]]]},
                {"type": "Polygon", "coordinates": [[[98.9 + i * 1e-4, 18.7] for i in range(600)]]}):
        with pytest.raises(FilterError):
            area.ring_from_geojson(bad)


# --- the URL form ----------------------------------------------------------------------------------------------


def test_area_url_round_trip_is_compact_and_exact() -> None:
    text = url.area_to_url(OLD_CITY)
    assert text == "98.975_18.78~99_18.78~99_18.8~98.975_18.8"
    assert re.fullmatch(r"[0-9._~-]+", text)  # nothing a URL escapes
    assert url.area_from_url(text) == OLD_CITY
    ring = area.check_area(((98.123456, 18.654321), (98.2, 18.65), (98.2, 18.7), (98.12, 18.7))).ring
    assert url.area_from_url(url.area_to_url(ring)) == ring


@pytest.mark.parametrize("raw", [
    "", "x", "98.975_18.78", "98.975_18.78~99_18.78", "98.975;18.78~99_18.78~99_18.8",
    "nan_18.78~99_18.78~99_18.8", "inf_1~2_3~4_5", "1e2_18.78~99_18.78~99_18.8", "98.9751234_18.78~99_18.78~99_18.8",
    "98.975_18.78_1~99_18.78~99_18.8", "100.5_13.7~100.6_13.7~100.6_13.8",  # outside the province
    "98.97_18.78~99_18.8~99_18.78~98.97_18.8",  # crossing edges
    "98.975_18.78~" * 2000,  # longer than any area
    "<script>alert(1)</script>", "98.975_18.78~99_18.78~99_18.8~%00", "98.975_18.78~99_18.78~99_18.8\n",
    " 98.975_18.78~99_18.78~99_18.8", "+98.975_18.78~99_18.78~99_18.8", "٩٨.975_18.78~99_18.78~99_18.8",
])
def test_garbage_area_in_a_url_is_refused_with_a_plain_note(raw: str) -> None:
    with pytest.raises(ValueError):
        url.area_from_url(raw)
    param = url.PageParam("area", "drawn_area", None, parse=url.area_from_url, to_url=url.area_to_url,
                          why=url.AREA_WHY)
    value, note = param.read({"area": raw})
    assert value is None
    assert note is not None and note.startswith("Ignored URL parameter area=") and len(note) < 400


def test_no_area_leaves_the_url_alone() -> None:
    param = url.PageParam("area", "drawn_area", None, parse=url.area_from_url, to_url=url.area_to_url)
    assert param.read({}) == (None, None)
    assert param.url_value(None) is None
    assert param.url_value(OLD_CITY) == "98.975_18.78~99_18.78~99_18.8~98.975_18.8"


# --- the summary against a direct sum over the cells -----------------------------------------------------------


@pytest.fixture(scope="module")
def flows_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flows_database(atlas_db, tmp_path_factory.mktemp("area"))


@pytest.fixture
def con(flows_db: Path):
    c = connect(flows_db, read_only=True)
    yield c
    c.close()


def _inside(frame: pd.DataFrame, ring: area.Ring) -> pd.Series:
    poly = Polygon(ring)
    return pd.Series([poly.contains(Point(lon, lat)) for lon, lat in zip(frame["lon"], frame["lat"], strict=True)],
                     index=frame.index, dtype=bool)


def _direct(con, filters, ring: area.Ring, hour: int | None = None, floor: int = 0) -> dict:
    """The figures of an area computed straight from the cells table, shapely and the presence tables."""
    cells = con.execute("select cell, lon, lat from cells").df()
    inside = set(cells.loc[_inside(cells, ring), "cell"].astype("uint64"))
    months = presence.season_months("range", filters)
    lo, hi = (hour, hour) if hour is not None else filters.hours
    profile = con.execute("select * from presence_cell_profile").df()
    profile = profile[profile["cell"].astype("uint64").isin(inside) & profile["month"].isin(months)
                      & profile["weekday"].isin(filters.weekdays) & profile["segment_group"].isin(filters.segments)
                      & (profile["devices"] >= floor)]
    days = con.execute("select * from presence_days").df()
    n_days = int((days["month"].isin(months) & days["weekday"].isin(filters.weekdays)).sum())
    by_hour = profile.groupby("hour")["visitors"].sum()
    people_hours = int(by_hour[(by_hour.index >= lo) & (by_hour.index <= hi)].sum())
    hourly = con.execute("select * from visits_hourly").df()
    ts = pd.to_datetime(hourly["ts_hour"])
    hourly = hourly[hourly["cell"].astype("uint64").isin(inside) & ts.dt.month.isin(months)
                    & ts.dt.day_of_week.isin(filters.weekdays) & ts.dt.hour.between(lo, hi)
                    & hourly["segment"].str.split(":").str[0].isin(filters.segments)]
    places = con.execute("select * from places").df()
    places = places[_inside(places, ring)]
    acc = places[places["layer"] == "accommodation"]
    beds = acc["capacity"].astype("Float64").fillna(acc["rooms"].astype("Float64") * 2).fillna(0)
    return {"cells": len(inside), "people_hours": people_hours, "days": n_days, "by_hour": by_hour,
            "present": people_hours / (n_days * (hi - lo + 1)) if n_days else 0.0,
            "mix_total": int(hourly["visitors"].sum()),
            "overnight": int(hourly.loc[hourly["visitor_type"] == "overnight", "visitors"].sum()),
            "place_ids": set(places["place_id"]), "beds": int(beds.sum()),
            "rooms": int(acc["rooms"].fillna(0).sum()), "accommodations": len(acc)}


def _filters(con):
    first, last = catalog.date_bounds(con)
    return default_filters(first, last)


def test_area_totals_equal_a_direct_sum_over_the_cells_inside(con) -> None:
    f = _filters(con)
    s = area.area_summary(con, f, OLD_CITY, floor=0)
    want = _direct(con, f, OLD_CITY)
    assert s.cells == want["cells"] > 0
    assert s.people_hours == want["people_hours"] > 0
    assert s.days_with_data == want["days"] > 0
    assert s.present == pytest.approx(want["present"])
    assert dict(zip(s.hours["hour"], s.hours["visitor_hours"], strict=True)) == {
        int(h): int(v) for h, v in want["by_hour"].items() if v > 0}
    # the mix covers the same people-hours (the presence cube sums to the cell profile)
    assert want["mix_total"] == s.people_hours
    assert int(s.origins["people_hours"].sum()) == s.people_hours
    assert int(s.visitor_types["people_hours"].sum()) == s.people_hours
    assert s.overnight_share == pytest.approx(want["overnight"] / want["mix_total"])
    assert s.origins["share"].sum() == pytest.approx(1.0)
    assert len(s.origins) <= area.TOP_ORIGINS + 1
    # places and beds: the places whose point is inside
    assert set(s.places["place_id"]) == want["place_ids"] and len(want["place_ids"]) > 10
    assert (s.beds, s.rooms, s.accommodations) == (want["beds"], want["rooms"], want["accommodations"])
    assert int(s.by_category["places"].sum()) == len(s.places)
    assert int(s.by_category["beds"].sum()) == s.beds
    assert not s.mix_withheld and s.area.ring == OLD_CITY


def test_area_totals_equal_the_density_map_cells_inside(con) -> None:
    """An area's figure is the sum of the density map's cells whose centre is inside, for officials and public."""
    f = replace(_filters(con), hours=(8, 20), segments=("domestic", "international"))
    for floor in (0, 3):
        for hour in (None, 11):
            s = area.area_summary(con, f, OLD_CITY, hour=hour, floor=floor)
            cells = presence.cell_density(con, f, hour=hour, floor=floor)
            inside = cells[_inside(cells, OLD_CITY)]
            assert s.people_hours == int(inside["visitor_hours"].sum()), (floor, hour)
            assert s.present == pytest.approx(float(inside["present"].sum())), (floor, hour)
            assert s.people_hours == _direct(con, f, OLD_CITY, hour=hour, floor=floor)["people_hours"]
            assert (s.hour_from, s.hour_to) == ((hour, hour) if hour is not None else (8, 20))


def test_public_floor_withholds_the_mix_and_keeps_only_floored_units(con) -> None:
    f = _filters(con)
    officials = area.area_summary(con, f, OLD_CITY, floor=0)
    public = area.area_summary(con, f, OLD_CITY, floor=5)
    assert public.mix_withheld and public.overnight_share is None
    assert public.origins.empty and public.visitor_types.empty
    assert public.people_hours <= officials.people_hours
    assert public.people_hours == _direct(con, f, OLD_CITY, floor=5)["people_hours"]
    assert set(public.places["place_id"]) == set(officials.places["place_id"])  # places are public facts


def test_an_area_without_cell_centres_has_no_visitor_figures(con) -> None:
    tiny = ((98.98601, 18.79001), (98.98611, 18.79001), (98.98611, 18.79011))
    s = area.area_summary(con, _filters(con), tiny, floor=0)
    assert s.cells == 0 and s.people_hours == 0 and s.present == 0.0 and s.hours.empty
    assert s.peak_hour is None and s.overnight_share is None and s.origins.empty


def test_a_refused_area_never_reaches_sql(con) -> None:
    with pytest.raises(FilterError, match="readable"):
        area.area_summary(con, _filters(con), "POLYGON((1 2')); drop table cells; --", floor=0)
    with pytest.raises(FilterError, match="Hour of day"):
        area.area_summary(con, _filters(con), OLD_CITY, hour=24, floor=0)
    assert con.execute("select count(*) from cells").fetchone()[0] > 0


def test_area_summary_pickles_for_the_cache(con) -> None:
    import pickle

    s = area.area_summary(con, _filters(con), OLD_CITY, floor=0)
    back = pickle.loads(pickle.dumps(s))
    assert back.people_hours == s.people_hours and back.area == s.area


# --- the map tool and its offline assets -----------------------------------------------------------------------


def test_install_assets_writes_leaflet_draw_from_folium_offline(tmp_path: Path) -> None:
    names = {p.relative_to(tmp_path).as_posix() for p in assets.install_assets(tmp_path)}
    assert {"draw/leaflet.draw.js", "draw/leaflet.draw.css"} <= names
    js = (tmp_path / "draw/leaflet.draw.js").read_text(encoding="utf-8")
    css = (tmp_path / "draw/leaflet.draw.css").read_text(encoding="utf-8")
    assert "Leaflet.draw 1.0.2" in js and "L.Draw.Rectangle" in js
    assert ".leaflet-draw-toolbar" in css
    # the toolbar sprite is inline (data: URIs): nothing else to fetch, no image file missing offline
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
    assert urls and all(u.startswith("data:image/") for u in urls), [u[:40] for u in urls]


def test_the_draw_tool_offers_only_polygon_and_rectangle_and_loads_locally() -> None:
    cells = pd.DataFrame({"cell": pd.Series(dtype="uint64"), "lat": [], "lon": [], "present": []})
    m = presence_maps.heat_map(cells, draw_tool=True, area=OLD_CITY)
    html = m.get_root().render()
    assert "/app/static/draw/leaflet.draw.js" in html and "/app/static/draw/leaflet.draw.css" in html
    assert not re.search(r"cdnjs|cdn\.jsdelivr", html)
    assert "polyline: false, circle: false, circlemarker: false, marker: false" in html
    assert "window.drawnItems = items" in html
    ring = json.loads(re.search(r"var ring = (\[.*?\]\]);", html).group(1))
    assert ring == [[18.78, 98.975], [18.78, 99.0], [18.8, 99.0], [18.8, 98.975]]  # [lat, lon] for Leaflet
    plain = presence_maps.heat_map(cells).get_root().render()
    assert "leaflet.draw" not in plain  # maps without the tool do not load it


def test_the_draw_tool_embeds_only_numbers() -> None:
    tool = AreaDrawTool([(98.9, 18.7), ("98.95", 18.7), (98.95, 18.75)])
    assert tool.ring == [[18.7, 98.9], [18.7, 98.95], [18.75, 98.95]]
    assert AreaDrawTool([(float("nan"), 18.7), (98.9, 18.7), (98.9, 18.8)]).ring == []
    with pytest.raises((TypeError, ValueError)):
        AreaDrawTool([("</script><script>alert(1)//", 1), (2, 3), (4, 5)])
