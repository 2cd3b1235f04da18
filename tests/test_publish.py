"""The published file (``python -m geo publish``, docs/privacy.md): what it holds, its floor, its suppression, and
that differencing two public views gives back nothing hidden."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo import sql
from geo.__main__ import main
from geo.db import PRIVATE_TABLES, PUBLISHED_TABLES, connect, require_published
from geo.errors import ConfigError, NotPublishedError, PublishError
from geo.publish import estimates, suppress
from geo.publish.run import GRAINS, METHOD, publish
from geo.services import public
from geo.services.filters import Filters
from geo.vocab import SEGMENT_GROUPS, VISITOR_TYPES
from tests.conftest import PUBLIC_FLOOR
from tests.publish_fixtures import CELL_A, CELL_A2, CELL_A3, CELL_B, tiny_atlas

#: The session database's months (SESSION_BUILD: 42 days from 2025-11-01).
NOV, DEC = date(2025, 11, 1), date(2025, 12, 1)


def _months(first: date, last: date, **kw) -> Filters:
    end = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return Filters(start=first, end=date.fromordinal(end.toordinal() - 1), **kw)


@pytest.fixture(scope="module")
def pub(public_db: Path):
    con = connect(public_db, "public")
    yield con
    con.close()


@pytest.fixture(scope="module")
def public_k1(atlas_db: Path, tmp_path_factory) -> Path:
    """The session database published with a floor of 1 person: every unit is published."""
    path = tmp_path_factory.mktemp("public_k1") / "public_k1.duckdb"
    publish(path, atlas_db, floor=1)
    return path


def _tables(con) -> dict[str, list[str]]:
    found = sql.fetch_df(con, "publish/table_names")
    return {r["name"]: con.table(r["name"]).columns for r in found.to_dict("records")}


# ---------------------------------------------------------------------------------------------------------------
# what the file holds


def test_published_file_holds_only_the_published_tables_and_no_private_one(pub) -> None:
    tables = _tables(pub)
    assert set(tables) == set(PUBLISHED_TABLES)
    for private in ("pings", "stays", "stays_data", "place_visits", "place_visits_data", "visits_hourly",
                    "visits_hourly_data", "trips", "trips_data", "labels", "device_segments",
                    "presence_cell_profile", "presence_daily", "presence_zone_daily", "od_daily", "place_profile",
                    "place_origins", "zone_nightly", "cell_nightly", *PRIVATE_TABLES):
        assert private not in tables, private
    assert not [(t, c) for t, cols in tables.items() for c in cols if "device" in c.lower()]
    assert sql.fetch_df(pub, "publish/table_names")["kind"].eq("table").all()  # no views
    assert set(pub.execute("select distinct level from zones").fetchone()) == {"tourism_zone"}


def test_every_count_of_people_in_every_published_table_is_at_least_the_floor(pub) -> None:
    """Generic: every table with a people (or devices) column, every row, at least K."""
    tables = _tables(pub)
    counted = {t for t, cols in tables.items() if {"people", "devices"} & set(cols)}
    assert counted == {t for t in PUBLISHED_TABLES if t.startswith("pub_") and t != "pub_calendar"}
    for table in counted:
        column = "people" if "people" in tables[table] else "devices"
        low, n = pub.table(table).aggregate(f'min("{column}"), count(*)').fetchone()
        assert n > 0, table
        assert low >= PUBLIC_FLOOR, (table, low)


def test_no_total_is_published_every_row_is_a_unit_of_the_grain(pub) -> None:
    """No 'all' rows: each table's units are distinct and every dimension holds a value of the fine grain, so
    every total a page shows is a sum of published parts (complementary suppression then has nothing to protect
    against within the file; see test_zone_days_hidden_units_hold_no_one_or_at_least_the_floor for the families
    whose totals could be estimated from outside)."""
    zones = set(pub.execute("select zone_id from zones").df()["zone_id"]) | {None}
    cells = set(pub.execute("select cell from cells").df()["cell"].astype("uint64"))
    presence = pub.execute("select * from pub_presence").df()
    key = ["month_start", "weekday", "hour", "segment_group", "zone_id", "cell"]
    assert not presence.duplicated(key).any()
    assert set(presence["segment_group"]) <= set(SEGMENT_GROUPS)
    assert presence["weekday"].between(0, 6).all() and presence["hour"].between(0, 23).all()
    assert set(presence["zone_id"].replace({float("nan"): None})) <= zones
    assert set(presence["cell"].dropna().astype("uint64")) <= cells
    assert (pd.to_datetime(presence["month_start"]).dt.day == 1).all()
    zone_days = pub.execute("select * from pub_zone_days").df()
    assert not zone_days.duplicated(["month_start", "zone_id", "segment_group", "visitor_type"]).any()
    assert set(zone_days["visitor_type"]) <= set(VISITOR_TYPES)
    origins = pub.execute("select * from pub_origins").df()
    assert not origins.duplicated(["month_start", "origin"]).any()
    assert all(o.split(":")[0] == g for o, g in zip(origins["origin"], origins["segment_group"], strict=True))
    corridors = pub.execute("select * from pub_corridors").df()
    assert not corridors.duplicated(["month_start", "origin", "destination"]).any()
    assert (corridors["origin"] != corridors["destination"]).all()
    assert set(corridors["origin"]) | set(corridors["destination"]) <= zones
    visits = pub.execute("select * from pub_place_visits").df()
    assert not visits.duplicated(["month_start", "place_id"]).any()


def test_meta_records_when_from_what_floor_and_method(pub, atlas_db: Path) -> None:
    record = sql.fetch_one(pub, "publish/publication")
    params = json.loads(record["params"])
    assert params["floor"] == PUBLIC_FLOOR
    assert params["method"] == METHOD and "complementary" in params["method"].lower()
    assert params["grains"] == GRAINS
    assert params["source"]["file"] == atlas_db.name and len(params["source"]["sha256"]) == 64
    assert set(params["source"]["datasets"]) >= {"places", "zones", "cells", "flows"}
    assert params["published_at"].endswith("Z") and record["built_at"] is not None
    assert params["months"] == ["2025-11-01", "2025-12-01"]
    assert record["simulated"] is True  # the flows were simulated: the public banner says so
    assert f"at least {PUBLIC_FLOOR} distinct people" in record["sources"]
    kept = pub.execute("select dataset, params from meta where dataset <> 'publication'").df()
    assert set(kept["dataset"]) == {"places", "zones", "cells", "flows"} and kept["params"].isna().all()
    assert str(atlas_db.parent) not in record["params"]  # the file name, not where it lives


def test_floor_one_publishes_every_unit_and_ten_holds_back_the_small_ones(pub, public_k1: Path, atlas_db: Path):
    k1 = connect(public_k1, "public")
    src = connect(atlas_db, "officials", read_only=True)
    try:
        for table in ("pub_presence", "pub_zone_days", "pub_origins", "pub_corridors", "pub_place_visits"):
            n1 = k1.table(table).aggregate("count(*)").fetchone()[0]
            n10 = pub.table(table).aggregate("count(*)").fetchone()[0]
            assert n1 > n10 > 0, table
        # with K = 1 nothing is held back: each published measure adds up to the officials' own figure
        people_hours = k1.execute("select sum(people_hours) from pub_presence where cell is not null").fetchone()[0]
        assert people_hours == src.execute("select sum(visitors) from visits_hourly").fetchone()[0]
        assert k1.execute("select count(*) from pub_presence where cell is null").fetchone()[0] == 0
        trips = k1.execute("select sum(trips) from pub_corridors").fetchone()[0]
        assert trips == src.execute("select sum(trips) from trips where level = 'zone'").fetchone()[0]
        visits = k1.execute("select sum(visits) from pub_place_visits").fetchone()[0]
        assert visits == src.execute("select count(*) from place_visits").fetchone()[0]
        person_days = k1.execute("select sum(people_days) from pub_zone_days").fetchone()[0]
        assert person_days == src.execute("select sum(visitors) from presence_daily").fetchone()[0]
        per_month = k1.execute("select month_start, sum(people) from pub_origins group by 1 order by 1").fetchall()
        assert [m for m, _ in per_month] == [NOV, DEC]
        # and with K = 10, the same pages show less, never more
        f = _months(NOV, DEC)
        assert public.kpis(pub, f).current.visitors < public.kpis(k1, f).current.visitors
        assert public.flow_totals(pub, f).corridor_trips < public.flow_totals(k1, f).corridor_trips
    finally:
        k1.close()
        src.close()


# ---------------------------------------------------------------------------------------------------------------
# suppression


def test_zone_days_hidden_units_hold_no_one_or_at_least_the_floor(pub, atlas_db: Path) -> None:
    """Complementary suppression: in each family (month, segment group) the zones and visitor types not published
    together hold 0 or at least K distinct people, so the family's total (the origin table's people of the group)
    minus the published units is an aggregate of K people or more, whatever the overlap. A group below the floor
    altogether is published nowhere."""
    src = connect(atlas_db, "officials", read_only=True)
    try:
        person_days = sql.fetch_df(src, "publish/person_days")
    finally:
        src.close()
    person_days["zone_id"] = person_days["zone_id"].replace("", None)
    shown = pub.execute("select month_start, zone_id, segment_group, visitor_type from pub_zone_days").df()
    origin_groups = {(pd.Timestamp(m).date(), g) for m, g in
                     pub.execute("select distinct month_start, segment_group from pub_origins").fetchall()}
    shown_keys = {(pd.Timestamp(r["month_start"]).date(), r["zone_id"], r["segment_group"], r["visitor_type"])
                  for r in shown.to_dict("records")}
    families = 0
    for (month, group), rows in person_days.groupby(["month_start", "segment_group"]):
        hidden = rows[[(pd.Timestamp(month).date(), z, group, t) not in shown_keys
                       for z, t in zip(rows["zone_id"], rows["visitor_type"], strict=True)]]
        people = hidden["device"].nunique()
        if 0 < people < PUBLIC_FLOOR:
            # only when the whole group is below the floor: then nothing of it is published, its total neither
            assert len(hidden) == len(rows) and (pd.Timestamp(month).date(), group) not in origin_groups
        families += 1
    assert families >= 4


def test_complementary_suppression_hides_the_next_smallest_unit() -> None:
    """Three zones in one family (K = 5): z1 has 2 people (hidden), z2 6 and z3 12. Hiding z1 alone would let the
    family's total minus z2 and z3 give z1's 2 people, so z2 is hidden too (8 people together)."""

    def frame(zones: dict[str, list[int]]) -> pd.DataFrame:
        rows = [(d, z) for z, devices in zones.items() for d in devices]
        return pd.DataFrame({"month_start": date(2026, 1, 1), "device": [d for d, _ in rows],
                             "zone_id": [z for _, z in rows], "segment": "domestic:Bangkok",
                             "segment_group": "domestic", "visitor_type": "overnight", "people_days": 1})

    big = list(range(100, 112))
    out, stats = suppress.zone_days(frame({"z1": [1, 2], "z2": list(range(10, 16)), "z3": big}), 5)
    assert list(out["zone_id"]) == ["z3"] and (stats.primary, stats.complementary) == (1, 1)
    # people are counted once across the hidden units: z1 and z2 (3 each, 6 together) share two people, so
    # together they hold 4 and z3 must go as well
    out, stats = suppress.zone_days(frame({"z1": [1, 2, 3], "z2": [2, 3, 4], "z3": big}), 5)
    assert out.empty and (stats.primary, stats.complementary) == (2, 1)
    # nothing hidden: nothing more to protect
    out, stats = suppress.zone_days(frame({"z2": list(range(10, 16)), "z3": big}), 5)
    assert list(out["zone_id"]) == ["z2", "z3"] and stats.complementary == 0


def test_small_origin_markets_merge_into_other_until_it_reaches_the_floor() -> None:
    def frame(markets: dict[str, int]) -> pd.DataFrame:
        devices = [(seg, i) for seg, n in markets.items() for i in range(n)]
        return pd.DataFrame({"month_start": date(2026, 1, 1), "device": range(len(devices)),
                             "zone_id": "za", "segment": [s for s, _ in devices],
                             "segment_group": [s.split(":")[0] for s, _ in devices], "visitor_type": "overnight",
                             "people_days": 1})

    out, _ = suppress.origins(frame({"international:CN": 12, "international:KR": 5, "international:JP": 4,
                                     "international:US": 2}), 10)
    assert dict(zip(out["origin"], out["people"], strict=True)) == {"international:CN": 12, "international:other": 11}
    out, stats = suppress.origins(frame({"international:CN": 12, "international:KR": 11, "international:JP": 3}), 10)
    assert dict(zip(out["origin"], out["people"], strict=True)) == {"international:CN": 12, "international:other": 14}
    assert stats.complementary == 1
    out, _ = suppress.origins(frame({"international:CN": 6, "international:KR": 3}), 10)
    assert out.empty  # the whole group is below the floor
    out, _ = suppress.origins(frame({"domestic:Bangkok": 30, "international:CN": 12}), 10)
    assert out["people"].sum() == 42  # every group's published rows add up to the group


def test_origins_add_up_to_each_published_group(pub, atlas_db: Path) -> None:
    """The origin rows of a month and group are a partition: their sum is the group's people, nothing hidden."""
    src = connect(atlas_db, "officials", read_only=True)
    try:
        person_days = sql.fetch_df(src, "publish/person_days")
    finally:
        src.close()
    groups = person_days.drop_duplicates(["month_start", "device"]).groupby(["month_start", "segment_group"]).size()
    shown = pub.execute("select month_start, segment_group, sum(people) as people from pub_origins group by all").df()
    for r in shown.to_dict("records"):
        assert r["people"] == groups[(r["month_start"], r["segment_group"])]


# ---------------------------------------------------------------------------------------------------------------
# differencing attacks


def test_free_date_ranges_become_months_so_a_day_apart_differ_by_nothing(pub) -> None:
    """The attack on the officials' rollups: two ranges one day apart differ by that day's small count. Public
    services read months, so both ranges give the very same figures."""
    a = Filters(start=date(2025, 11, 7), end=date(2025, 12, 10))
    b = Filters(start=date(2025, 11, 8), end=date(2025, 12, 10))
    assert public.month_range(a) == public.month_range(b) == (NOV, DEC)
    assert public.kpis(pub, a) == public.kpis(pub, b)
    for service in (public.cell_density, public.zone_presence, public.hour_weekday, public.zone_days,
                    public.origin_mix, public.top_places, public.supply_demand):
        pd.testing.assert_frame_equal(service(pub, a), service(pub, b))
    pd.testing.assert_frame_equal(public.top_corridors(pub, a, 50), public.top_corridors(pub, b, 50))


def _cells(con, f: Filters, hour: int | None = None) -> pd.Series:
    df = public.cell_density(con, f, hour)
    return df.set_index("cell")["visitor_hours"]


def _cell_rows(con) -> pd.DataFrame:
    df = con.table("pub_presence").df()
    return df[df["cell"].notna()]


def test_adjacent_month_ranges_differ_only_by_published_month_rows(pub) -> None:
    both = _cells(pub, _months(NOV, DEC))
    nov = _cells(pub, _months(NOV, NOV))
    diff = both.sub(nov, fill_value=0)
    rows = _cell_rows(pub)
    dec_rows = rows[pd.to_datetime(rows["month_start"]).dt.date == DEC]
    assert (dec_rows["people"] >= PUBLIC_FLOOR).all()
    expected = dec_rows.groupby("cell")["people_hours"].sum()
    expected.index = expected.index.astype("uint64")
    diff.index = diff.index.astype("uint64")
    pd.testing.assert_series_equal(diff[diff != 0].sort_index(), expected.sort_index(), check_names=False,
                                   check_dtype=False)


def test_an_hour_range_minus_a_sub_range_is_the_published_rows_of_the_other_hours(pub) -> None:
    f_all = _months(NOV, DEC)
    f_sub = _months(NOV, DEC, hours=(0, 22))
    diff = _cells(pub, f_all).sub(_cells(pub, f_sub), fill_value=0)
    rows = _cell_rows(pub)
    late = rows[rows["hour"] == 23]
    expected = late.groupby("cell")["people_hours"].sum()
    assert (late["people"] >= PUBLIC_FLOOR).all()
    assert diff[diff != 0].sort_index().astype("int64").to_dict() == expected.sort_index().astype("int64").to_dict()


def test_a_total_minus_its_published_segment_parts_leaves_nothing(pub) -> None:
    """Every total is the sum of its published parts: all segments = the sum over each segment group alone."""
    f = _months(NOV, DEC)
    whole = public.zone_presence(pub, f).set_index("zone_id")["visitor_hours"]
    parts = sum(public.zone_presence(pub, _months(NOV, DEC, segments=(g,))).set_index("zone_id")["visitor_hours"]
                for g in SEGMENT_GROUPS)
    assert (whole - parts).abs().sum() == 0
    kpis = public.kpis(pub, f).current.visitors
    assert kpis == sum(public.kpis(pub, _months(NOV, DEC, segments=(g,))).current.visitors for g in SEGMENT_GROUPS)
    days = public.zone_days(pub, f).set_index("zone_id")["visitors"]
    assert days.sum() == kpis
    cells = public.cell_density(pub, f)["visitor_hours"].sum()
    assert cells <= whole.sum()  # the map's cells are part of the zones' figures, which add the rest of each zone


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A hand-built city (floor 3 in its tests): see the stays below."""
    wed = ("07", "14", "21", "28")  # the Wednesdays of January 2026
    bkk = ("domestic:Bangkok", "day_tripper")
    lph = ("domestic:Lamphun", "day_tripper")
    cn = ("international:CN", "overnight")
    stays = []
    # one person in cell A every Wednesday at 10 (4 people-hours, 1 person), then in zone B at 11
    for d in wed:
        stays.append((1, f"2026-01-{d} 10:00", f"2026-01-{d} 10:45", CELL_A, "za", *bkk))
        stays.append((1, f"2026-01-{d} 11:00", f"2026-01-{d} 11:30", CELL_B, "zb", *bkk))
    # two people in cell A2 and two others in cell A3 on 7 January at 10: each cell below 3, together 4
    stays += [(10 + i, "2026-01-07 10:00", "2026-01-07 10:30", CELL_A2, "za", *lph) for i in range(2)]
    stays += [(20 + i, "2026-01-07 10:00", "2026-01-07 10:30", CELL_A3, "za", *lph) for i in range(2)]
    # three people in cell B on 7 January at 10 (a published cell), and one of their group in zone A
    stays += [(30 + i, "2026-01-07 10:00", "2026-01-07 10:40", CELL_B, "zb", *cn) for i in range(3)]
    stays.append((40, "2026-01-07 10:00", "2026-01-07 10:40", CELL_A, "za", *cn))
    return tiny_atlas(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", stays)


def test_a_person_seen_on_many_days_does_not_make_a_unit(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny_public.duckdb"
    publish(out, tiny, floor=3)
    con = connect(out, "public")
    try:
        presence = con.execute("select cell, zone_id, hour, segment_group, people, people_hours from pub_presence "
                               "order by zone_id, cell").df()
        rows = {(None if pd.isna(r["cell"]) else int(r["cell"]), r["zone_id"], r["hour"], r["segment_group"]):
                (r["people"], r["people_hours"]) for r in presence.to_dict("records")}
        # cell A at 10 on Wednesdays: 4 people-hours from one person plus one more person: not published
        assert not any(k[0] == CELL_A for k in rows)
        # cell B at 10: three people, published; at 11 one person on four Wednesdays: not published
        assert rows[(CELL_B, "zb", 10, "international")] == (3, 3)
        assert not any(k[0] == CELL_B and k[2] == 11 for k in rows)
        # cells A2 and A3 (two people each) are published together as the rest of zone A, with cell A's domestic
        # person: 5 people; zone A's international person alone stays hidden
        assert rows[(None, "za", 10, "domestic")] == (5, 8)
        assert (None, "za", 10, "international") not in rows and (None, "zb", 11, "domestic") not in rows
        assert len(rows) == 2
        # the lone traveller's four moves A -> B are not a corridor; person-days: one family published
        assert con.execute("select count(*) from pub_corridors").fetchone()[0] == 0
        zone_days = con.execute("select zone_id, segment_group, visitor_type, people, people_days "
                                "from pub_zone_days").fetchall()
        # domestic day-trippers in zone A: the traveller (4 days) and the four of 7 January. International
        # overnight: 3 in zone B and 1 in zone A; zone A alone would be recoverable, so zone B is hidden as well
        assert zone_days == [("za", "domestic", "day_tripper", 5, 8)]
    finally:
        con.close()
    out1 = tmp_path / "tiny_k1.duckdb"
    publish(out1, tiny, floor=1)
    con = connect(out1, "public")
    try:
        assert con.execute("select people, trips from pub_corridors where origin = 'za'").fetchall() == [(1, 4)]
        assert con.execute("select people, people_hours from pub_presence where cell = $c and hour = 10 "
                           "and segment_group = 'domestic'", {"c": CELL_A}).fetchall() == [(1, 4)]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------------------------
# serving and the command line


def test_public_mode_refuses_the_officials_database_and_a_lower_floor(atlas_db: Path, tiny: Path, tmp_path) -> None:
    con = connect(atlas_db, "officials", read_only=True)
    try:
        with pytest.raises(NotPublishedError, match=r"private tables public mode never serves \(pings, stays, stays_data"):
            require_published(con, floor=10, path=atlas_db)
    finally:
        con.close()
    low = tmp_path / "low.duckdb"
    publish(low, tiny, floor=2)
    con = connect(low, "public")
    try:
        assert require_published(con, floor=2)["floor"] == 2
        with pytest.raises(NotPublishedError, match="floor of 2 people; this server requires 10"):
            require_published(con, floor=10, path=low)
    finally:
        con.close()
    old = tmp_path / "old.duckdb"
    publish(old, tiny, floor=2)
    c = connect(old)
    c.execute("update meta set params = json_object('floor', 2) where dataset = 'publication'")  # test SQL: an older
    c.close()                                                                                       # publisher's record
    con = connect(old, "public")
    try:
        with pytest.raises(NotPublishedError, match="older atlas, without estimated people"):
            require_published(con, floor=2, path=old)
    finally:
        con.close()
    extra = tmp_path / "extra.duckdb"
    publish(extra, tiny, floor=1)
    c = connect(extra)
    c.execute("create table stays (device ubigint)")  # test SQL: someone copied a private table in
    c.close()
    con = connect(extra, "public")
    try:
        with pytest.raises(NotPublishedError, match="stays"):
            require_published(con, floor=1)
    finally:
        con.close()


def test_cli_publishes_atomically_and_refuses_what_it_cannot_publish(tiny: Path, tmp_path, capsys) -> None:
    out = tmp_path / "cli.duckdb"
    assert main(["publish", "--db", str(tiny), "--out", str(out), "--floor", "3"]) == 0
    printed = capsys.readouterr().out
    assert "with a floor of 3 people" in printed and "pub_presence" in printed and "of the measure published" in printed
    before = out.read_bytes()
    assert main(["info", "--db", str(out)]) == 0  # provenance of a published file: its rows keep no params
    assert "publication" in capsys.readouterr().out
    # a published file cannot be published again; the previous output stays byte-identical
    assert main(["publish", "--db", str(out), "--out", str(out.with_name("again.duckdb"))]) == 2
    assert "cannot be published" in capsys.readouterr().err
    assert main(["publish", "--db", str(out), "--out", str(out)]) == 2
    assert out.read_bytes() == before
    assert not list(tmp_path.glob(".*tmp-*"))
    with pytest.raises(ConfigError):
        publish(tmp_path / "x.duckdb", tiny, floor=0)
    with pytest.raises(PublishError, match="left unchanged"):
        publish(out, out.with_name("missing.duckdb"))
    assert out.read_bytes() == before


def test_report_summary_never_goes_into_the_file(tiny: Path, tmp_path) -> None:
    """Shares of each measure are printed for officials, never written: with a grand total they would give the
    hidden remainder by subtraction."""
    report = publish(tmp_path / "r.duckdb", tiny, floor=3)
    assert 0 < report.suppression["pub_presence"].share_published < 1
    con = connect(report.path, "public")
    try:
        params = json.loads(sql.fetch_one(con, "publish/publication")["params"])
    finally:
        con.close()
    assert set(params) == {"published_at", "floor", "method", "grains", "tables", "months", "source",
                           "atlas_version", "estimates", "counted_from"}
    assert set(params["estimates"]) == {"method", "weights", "calibration", "worst_error"}
    assert set(params["source"]) == {"file", "sha256", "bytes", "datasets"}
    assert params["tables"]["pub_presence"] == report.rows["pub_presence"]
    assert asdict(report.suppression["pub_zone_days"])["complementary"] == 1


# ---------------------------------------------------------------------------------------------------------------
# estimates


def _published_weights(con) -> dict[tuple[str, str], float]:
    params = json.loads(sql.fetch_one(con, "publish/publication")["params"])
    return {(w["segment_group"], w["month"]): w["weight"] for w in params["estimates"]["weights"]}


def test_every_estimate_is_the_published_weight_times_the_published_count(pub) -> None:
    """est_* = the group's published weight of the month × the row's own count; tables without a segment group use
    the month's pooled weight (Σ weight × people ÷ Σ people over pub_origins), so every estimate is a function of
    published rows and the published weights."""
    weights = _published_weights(pub)
    assert weights and all(w > 1 for w in weights.values())  # the session build fitted real weights
    for table, columns in estimates.ESTIMATE_COLUMNS.items():
        df = pub.table(table).df()
        assert len(df) > 0, table
        months = pd.to_datetime(df["month_start"]).dt.strftime("%Y-%m")
        if "segment_group" in df.columns:
            factor = [weights[(g, m)] for g, m in zip(df["segment_group"], months, strict=True)]
        else:
            origins = pub.execute("select strftime(month_start, '%Y-%m') as month, segment_group, "
                                  "sum(people) as people from pub_origins group by all").df()
            origins["w"] = [weights[(g, m)] for g, m in zip(origins["segment_group"], origins["month"], strict=True)]
            pooled = {m: float((p["w"] * p["people"]).sum() / p["people"].sum()) for m, p in origins.groupby("month")}
            factor = [pooled[m] for m in months]
        for est, count in columns:
            assert df[est].notna().all(), (table, est)
            assert df[est].tolist() == pytest.approx((df[count] * pd.Series(factor)).tolist(), rel=1e-12), (table, est)


def test_public_weights_come_from_published_rows_and_equal_the_officials_when_nothing_is_hidden(
        pub, atlas_db: Path) -> None:
    """Visitor groups: Σ published visitors ÷ Σ people pub_origins publishes, over the published months; on the
    session database no group-month is hidden, so the public weight is the officials' one."""
    weights = _published_weights(pub)
    src = connect(atlas_db, "officials", read_only=True)
    try:
        official = src.execute("select segment_group, strftime(month_start, '%Y-%m') as month, weight, published "
                               "from expansion_weights").df()
    finally:
        src.close()
    people = pub.execute("select segment_group, strftime(month_start, '%Y-%m') as month, sum(people) as people "
                         "from pub_origins group by all").df()
    for group in ("domestic", "international"):
        part = official[official["segment_group"] == group]
        shown = people[people["segment_group"] == group]
        expected = part["published"].sum() / shown["people"].sum()
        for month in shown["month"]:
            assert weights[(group, month)] == pytest.approx(expected, rel=1e-12)
            assert weights[(group, month)] == pytest.approx(
                float(part.loc[part["month"] == month, "weight"].iloc[0]), rel=1e-9)


def test_a_hidden_group_month_gets_no_weight_and_does_not_move_the_others() -> None:
    """A group-month pub_origins does not publish (below the floor) has no weight, and the group's weight is fitted
    to the published months only: an officials' weight would divide by devices including the hidden ones."""
    official = pd.DataFrame({
        "segment_group": ["international"] * 2, "month_start": [date(2026, 1, 1), date(2026, 2, 1)],
        "coverage": [1.0, 1.0], "published": [1000.0, 3000.0], "weight": [4000 / 23] * 2,
        "method": ["annual_fit"] * 2, "fit_published": [4000.0] * 2, "market_share": [None, None]})
    origins = pd.DataFrame({"month_start": [date(2026, 1, 1)], "origin": ["international:CN"],
                            "segment_group": ["international"], "people": [20]})  # February's 3 people are hidden
    w = estimates.public_weights(official, origins)
    assert w[["segment_group", "weight", "people", "published"]].to_dict("records") == [
        {"segment_group": "international", "weight": 50.0, "people": 20, "published": 1000.0}]
    assert estimates.calibration(w) == [
        {"month": "2026-01", "estimated": 1000, "published": 1000, "error": 0.0, "people": 20}]
    # the weight does not reveal the hidden 3: 4000 ÷ 23 would
    assert 4000 / w["weight"].iloc[0] != 23


def test_no_estimate_for_a_suppressed_row(tiny: Path, tmp_path: Path) -> None:
    """The estimate columns live on published rows only: floor 3 publishes exactly the rows it published before,
    with their estimates; the units below the floor have neither a count nor an estimate anywhere."""
    out = tmp_path / "tiny_est.duckdb"
    publish(out, tiny, floor=3)
    con = connect(out, "public")
    try:
        presence = con.execute("select cell, people, est_people, est_people_hours from pub_presence").df()
        assert len(presence) == 2 and presence["est_people"].notna().all()
        assert not presence["cell"].isin([CELL_A]).any()
        zone_days = con.execute("select zone_id, people, est_people, people_days, est_people_days "
                                "from pub_zone_days").fetchall()
        # the tiny database has no expansion weights: weight 1, the estimate equals the count
        assert zone_days == [("za", 5, 5.0, 8, 8.0)]
        assert con.execute("select count(*) from pub_corridors").fetchone()[0] == 0
        params = json.loads(sql.fetch_one(con, "publish/publication")["params"])
        assert {w["method"] for w in params["estimates"]["weights"]} == {"observed"}
    finally:
        con.close()


def test_public_calibration_line_is_published_and_read_back(pub) -> None:
    cal = public.calibration(pub)
    assert [m.month for m in cal.months] == ["2025-11", "2025-12"]
    for m in cal.months:
        assert m.estimated > m.observed > 0
        if m.published:
            assert m.error == pytest.approx((round(m.estimated) - m.published) / m.published, abs=1e-4)
    assert cal.method.startswith("ESTIMATE.") and "published rows" in cal.method
    kpis = public.kpis(pub, _months(NOV, DEC)).current
    assert kpis.est_visitors > kpis.visitors and kpis.est_overnight + kpis.est_day_trippers <= kpis.est_visitors


# ---------------------------------------------------------------------------------------------------------------
# an operator's aggregated feed (no stays)


@pytest.fixture(scope="module")
def aggregated(atlas_db: Path, tmp_path_factory) -> tuple[Path, dict[str, int], dict[str, str]]:
    """The session database with its sample replaced by a small aggregated presence feed (``geo import --layer
    visits``): cells a and b in one tourism zone, c in another; unique devices per cell, hour, segment and type."""
    from geo.ingest.run import ImportOptions, import_file

    folder = tmp_path_factory.mktemp("aggregated")
    db = folder / "atlas.duckdb"
    shutil.copy2(atlas_db, db)
    con = connect(db, "officials", read_only=True)
    try:
        rows = con.execute("select zone_id, min(cell) as a, max(cell) as b from cells where zone_id is not null "
                           "group by zone_id having count(*) >= 2 order by zone_id limit 2").fetchall()
    finally:
        con.close()
    (z1, a, b), (z2, c, _c) = rows
    feed = folder / "presence.csv"
    lines = ["ts_hour,cell,segment,visitor_type,visitors"]
    lines += [
        f"2025-11-05 10:00,{a},domestic:Bangkok,day_tripper,2",       # Wednesday 10:00: 2 people ...
        f"2025-11-12 10:00,{a},domestic:Bangkok,day_tripper,2",       # ... and 2 a week later: never 3 at once
        f"2025-11-05 10:00,{a},international:CN,overnight,1",
        f"2025-11-05 11:00,{a},domestic:Bangkok,day_tripper,2",       # 3 domestic devices in one cell-hour
        f"2025-11-05 11:00,{a},domestic:Lamphun,day_tripper,1",
        f"2025-11-05 11:00,{b},domestic:Bangkok,day_tripper,2",       # 2 more in b: not provably new people
        f"2025-11-06 09:00,{c},international:CN,overnight,5",
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(feed, ImportOptions(layer="visits"), db)
    return db, {"a": a, "b": b, "c": c}, {"z1": z1, "z2": z2}


def test_an_aggregated_feed_publishes_units_whose_busiest_cell_hour_reaches_the_floor(aggregated, tmp_path) -> None:
    db, cells, zones = aggregated
    report = publish(tmp_path / "agg.duckdb", db, floor=3)
    con = connect(report.path, "public")
    try:
        presence = con.execute("select cell, zone_id, weekday, hour, segment_group, people, people_hours "
                               "from pub_presence order by cell, hour").fetchall()
        zone_days = con.execute("select zone_id, segment_group, visitor_type, people, people_days "
                                "from pub_zone_days").fetchall()
        counts = {t: con.table(t).aggregate("count(*)").fetchone()[0]
                  for t in ("pub_origins", "pub_corridors", "pub_place_visits", "pub_calendar")}
        params = json.loads(sql.fetch_one(con, "publish/publication")["params"])
    finally:
        con.close()
    a, c = cells["a"], cells["c"]
    # a's 10:00 on Wednesdays: 4 people-hours, but never 3 devices in one hour: not published. b's 2 devices at
    # 11:00 are dropped before anything is summed (a person may be counted in a and b in the same hour)
    assert presence == sorted([(c, zones["z2"], 3, 9, "international", 5, 5),
                               (a, zones["z1"], 2, 11, "domestic", 3, 3)])
    # person-days from the same cell-hours: zone 1's busiest hour is a's 3 at 11:00 (b's 2 and the 2 + 2 at 10:00
    # are in no table), zone 2's the five; zone 1's lone international person is nowhere
    assert sorted(zone_days, key=str) == sorted([(zones["z1"], "domestic", "day_tripper", 3, 3),
                                                 (zones["z2"], "international", "overnight", 5, 5)], key=str)
    # differencing across tables and zone levels gives back nothing dropped: zone 1's person-days minus its
    # published cells is 0, not b's 2
    zone1 = sum(r[4] for r in zone_days if r[0] == zones["z1"])
    assert zone1 - sum(r[6] for r in presence if r[1] == zones["z1"]) == 0
    assert report.suppression["pub_zone_days"].share_published < 1
    assert counts["pub_origins"] == counts["pub_corridors"] == counts["pub_place_visits"] == 0
    assert counts["pub_calendar"] > 0
    assert params["counted_from"].startswith("aggregated feed")


def test_an_aggregated_feed_at_floor_one_shows_the_bound_is_per_hour(aggregated, tmp_path) -> None:
    db, cells, zones = aggregated
    con = connect(publish(tmp_path / "agg1.duckdb", db, floor=1).path, "public")
    try:
        rows = con.execute("select people, people_hours from pub_presence where cell = $c and hour = 10 "
                           "and segment_group = 'domestic'", {"c": cells["a"]}).fetchall()
        international = con.execute("select zone_id, people from pub_zone_days where segment_group = "
                                    "'international' order by zone_id").fetchall()
    finally:
        con.close()
    assert rows == [(2, 4)]  # two Wednesdays of two devices: a lower bound of 2 people, not 4
    assert international == sorted([(zones["z1"], 1), (zones["z2"], 5)])
