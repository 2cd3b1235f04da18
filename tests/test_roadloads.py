"""Road loads: every corridor routed once, trips summed per street for the page's filters, and the loads add
up to the trips routed (trips × path length, corridor by corridor and in total)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from geo.build import roads as stored
from geo.services import roads
from geo.services.filters import Filters
from tests.flow_fixtures import tiny_db
from tests.road_fixtures import grid_network

ALL = Filters(start=date(2025, 11, 1), end=date(2025, 11, 3))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roadloads")
    c = tiny_db(tmp)
    grid_network(c, tmp)
    yield c
    c.close()


def _edge_loads(con, filters: Filters, level: str) -> pd.DataFrame:
    """Trips per directed edge from the stored paths and od_daily, summed in pandas (the reference)."""
    od = con.execute("select origin, destination, sum(trips) as trips from od_daily where level = ? and day between ? "
                     "and ? and list_contains(?, segment_group) and list_contains(?, isodow(day) - 1) "
                     "and origin <> destination group by all",
                     [level, filters.start, filters.end, list(filters.segments), list(filters.weekdays)]).df()
    paths = con.execute("select origin, destination, edge_id from road_corridor_edges where level = ?", [level]).df()
    return paths.merge(od, on=["origin", "destination"]).groupby("edge_id", as_index=False)["trips"].sum()


def test_every_corridor_is_routed_between_its_anchors(con) -> None:
    table = con.execute("select level, origin, destination, routed, length_m, edges from road_corridors "
                        "order by level, origin, destination").df()
    assert table[["level", "origin", "destination"]].values.tolist() == [
        ["place", "att-night-bazaar", "att-tha-phae-gate"], ["place", "att-wat-phra-singh", "att-night-bazaar"],
        ["zone", "east", "west"], ["zone", "west", "east"]]
    assert table["routed"].all() and (table["edges"] > 0).all() and (table["length_m"] > 100).all()
    per_corridor = con.execute("select level, origin, destination, count(*) as n from road_corridor_edges "
                               "group by all").df()
    assert per_corridor.merge(table)["n"].tolist() == per_corridor.merge(table)["edges"].tolist()


@pytest.mark.parametrize("level", ["zone", "place"])
@pytest.mark.parametrize("filters", [ALL, Filters(start=ALL.start, end=ALL.end, segments=("international",)),
                                     Filters(start=ALL.start, end=ALL.end, weekdays=(0,))])
def test_loads_add_up_to_the_trips_routed(con, level: str, filters: Filters) -> None:
    edges = con.execute("select edge_id, segment_id, length_m from road_edges").df()
    reference = _edge_loads(con, filters, level).merge(edges)
    corridors = con.execute("select origin, destination, length_m from road_corridors where level = ? and routed",
                            [level]).df()
    od = con.execute("select origin, destination, trips from od_filtered(?, ?, ?, ?, ?) where origin <> destination",
                     [level, filters.start, filters.end, list(filters.weekdays), list(filters.segments)]).df()
    trip_metres = (corridors.merge(od)["trips"] * corridors.merge(od)["length_m"]).sum()
    # full edges of the path are counted whole: the partial first and last edges of place corridors make
    # the edge sum at most one edge length per end longer than trips × path length
    edge_metres = (reference["trips"] * reference["length_m"]).sum()
    if level == "zone":
        assert edge_metres == pytest.approx(trip_metres, rel=1e-9)
    else:
        assert trip_metres <= edge_metres + 1e-6
        assert edge_metres - trip_metres <= 2 * 100.0 * od["trips"].sum()
    # the service sums both directions per segment and equals the reference
    loads = roads.road_loads(con, filters, level)
    by_segment = reference.groupby("segment_id")["trips"].sum().sort_values(ascending=False)
    got = loads.set_index("segment_id")["trips"]
    assert got.sort_index().to_dict() == by_segment.sort_index().to_dict()
    assert loads["trips"].is_monotonic_decreasing and loads["rank"].tolist() == list(range(1, len(loads) + 1))
    assert json.loads(loads["geometry"].iloc[0])["type"] == "LineString"
    totals = roads.road_load_totals(con, filters, level)
    assert totals.routed_trips == totals.corridor_trips == int(od["trips"].sum())
    assert totals.routed_share == (1.0 if totals.corridor_trips else 0.0)


def test_a_street_used_by_one_corridor_carries_exactly_its_trips(con) -> None:
    paths = con.execute("select origin, destination, edge_id from road_corridor_edges where level = 'zone'").df()
    only_west_east = set(paths.loc[paths["origin"] == "west", "edge_id"]) - set(paths.loc[paths["origin"] == "east", "edge_id"])
    loads = _edge_loads(con, ALL, "zone").set_index("edge_id")["trips"]
    assert only_west_east and all(loads[e] == 18 for e in only_west_east)


def test_top_streets_and_filters(con) -> None:
    streets = roads.top_streets(con, ALL, "zone", 5)
    assert len(streets) <= 5 and streets["peak_trips"].max() <= 31
    assert set(streets.columns) >= {"rank", "street", "highway", "peak_trips", "trip_km", "loaded_km"}
    intl = roads.road_loads(con, Filters(start=ALL.start, end=ALL.end, segments=("international",)), "zone")
    assert intl["trips"].max() == 13        # only east -> west is international


def test_refresh_is_idempotent_and_none_without_network(con, tmp_path) -> None:
    before = con.execute("select * from road_corridor_edges order by all").df()
    summary = stored.refresh_road_loads(con)
    assert summary["levels"]["zone"] == {"corridors": 2, "routed": 2, "trips": 31, "trips_routed": 31}
    assert con.execute("select * from road_corridor_edges order by all").df().equals(before)
    assert "2 of 2 zone corridors (100% of their trips)" in stored.loads_line(summary)
    bare = tiny_db(tmp_path)
    try:
        assert stored.refresh_road_loads(bare) is None
        assert roads.network_info(bare) is None
    finally:
        bare.close()
