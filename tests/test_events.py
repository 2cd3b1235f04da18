"""Event impact: a rollup set built here with a known uplift is recovered exactly; the baseline skips other events;
the calendar is seeded from the seed files and officials' events round-trip through the CLI and survive a rebuild."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from geo import sql
from geo.__main__ import main
from geo.build import events as build_events
from geo.db import connect
from geo.errors import EventError
from geo.ingest.events import add_event, remove_event
from geo.services import events
from geo.settings import ROOT

FIRST = date(2026, 3, 2)     # a Monday
LAST = date(2026, 5, 3)      # a Sunday: nine weeks of data
FEST = (date(2026, 4, 1), date(2026, 4, 2))   # Wednesday and Thursday
OTHER = date(2026, 3, 25)    # another event, on a Wednesday one week before
CELL_A, CELL_B = 613280000000000001, 613280000000000002


INSERTS = {"zone": "insert into presence_zone_daily by name select * from rows_in",
           "city": "insert into presence_daily by name select * from rows_in",
           "hour": "insert into presence_hourly by name select * from rows_in",
           "cell": "insert into presence_cell_hourly by name select * from rows_in"}


def _days() -> list[date]:
    return [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


def _kind(day: date) -> str:
    if FEST[0] <= day <= FEST[1]:
        return "event"
    return "other" if day == OTHER else "normal"


def build_rollups(con: duckdb.DuckDBPyConnection, *, est_people: bool = False) -> None:
    """Zones, the calendar and the five rollups the impact reads, with these figures per day:

    zone A: 100 visitors (60 domestic overnight, 40 international day-trippers), 150 on the festival days
    (120 overnight + 30 day-trippers), 1,000 on the other event's day; zone B: 40 domestic overnight every day.
    City: the same people as zones A and B plus 10 residents. Hour 20 in zone A: 10 present, 50 on the festival
    days. Cell A: 24 people-hours a day, 48 on the festival days; cell B: 12 every day.
    """
    sql.execute(con, "schema/create_zones")
    sql.execute(con, "schema/create_events")
    sql.execute(con, "schema/create_cell_zones")
    con.execute("insert into zones (zone_id, level, name_en, name_th, geom, area_km2, source, approximate) values "
                "('zone_a', 'tourism_zone', 'Zone A', 'ก', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), 1, 'test', true),"
                "('zone_b', 'tourism_zone', 'Zone B', 'ข', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), 1, 'test', true)")
    con.execute("insert into cell_zones values ('tourism_zone', ?, 'zone_a'), ('tourism_zone', ?, 'zone_b')",
                [CELL_A, CELL_B])
    for name, start, end, zones in (("Test festival", *FEST, ["zone_a"]), ("Other event", OTHER, OTHER, [])):
        build_events.insert_event(con, build_events.Event(build_events.event_id(name, start), name, start, end,
                                                          tuple(zones), "all", "calendar", ""))
    est = ", est_people double" if est_people else ""
    con.execute("create table presence_days (day date, month tinyint, weekday tinyint)")
    con.execute("create table presence_zone_daily (day date, zone_id varchar, segment varchar, visitor_type varchar, "
                f"first_hour tinyint, last_hour tinyint, visitors bigint, dwell_minutes double{est})")
    con.execute("create table presence_daily (day date, segment varchar, visitor_type varchar, first_hour tinyint, "
                f"last_hour tinyint, visitors bigint, dwell_minutes double{est})")
    con.execute("create table presence_hourly (day date, hour tinyint, zone_id varchar, segment_group varchar, "
                f"visitors bigint, dwell_minutes double{est})")
    con.execute("create table presence_cell_hourly (day date, hour tinyint, cell ubigint, segment_group varchar, "
                f"visitors bigint, dwell_minutes double{est})")
    zone_rows, city_rows, hour_rows, cell_rows = [], [], [], []
    for day in _days():
        kind = _kind(day)
        con.execute("insert into presence_days values (?, ?, ?)", [day, day.month, day.weekday()])
        overnight, trippers = {"event": (120, 30), "other": (900, 100), "normal": (60, 40)}[kind]
        zone_rows += [(day, "zone_a", "domestic:Bangkok", "overnight", 8, 20, overnight),
                      (day, "zone_a", "international:KR", "day_tripper", 9, 17, trippers),
                      (day, "zone_b", "domestic:Bangkok", "overnight", 8, 20, 40),
                      (day, "zone_a", "resident", "resident", 7, 22, 10)]
        city_rows += [(day, "domestic:Bangkok", "overnight", 8, 20, overnight + 40),
                      (day, "international:KR", "day_tripper", 9, 17, trippers),
                      (day, "resident", "resident", 7, 22, 10)]
        hour_rows += [(day, 20, "zone_a", "domestic", 50 if kind == "event" else 10),
                      (day, 10, "zone_a", "domestic", 20), (day, 10, "zone_b", "domestic", 99),
                      (day, 20, "zone_a", "resident", 500)]
        cell_rows += [(day, 12, CELL_A, "domestic", 48 if kind == "event" else 24), (day, 12, CELL_B, "domestic", 12),
                      (day, 12, CELL_A, "resident", 999)]
    for insert, rows, cols in (
        (INSERTS["zone"], zone_rows, ["day", "zone_id", "segment", "visitor_type", "first_hour", "last_hour"]),
        (INSERTS["city"], city_rows, ["day", "segment", "visitor_type", "first_hour", "last_hour"]),
        (INSERTS["hour"], hour_rows, ["day", "hour", "zone_id", "segment_group"]),
        (INSERTS["cell"], cell_rows, ["day", "hour", "cell", "segment_group"]),
    ):
        frame = pd.DataFrame(rows, columns=[*cols, "visitors"]).assign(dwell_minutes=0.0)
        if est_people:
            frame["est_people"] = frame["visitors"] * 100.0
        con.register("rows_in", frame)
        con.execute(insert)
        con.unregister("rows_in")


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = connect(":memory:")
    build_rollups(c)
    yield c
    c.close()


def _festival_id() -> str:
    return build_events.event_id("Test festival", FEST[0])


def test_baseline_is_same_weekdays_around_without_other_events() -> None:
    data = set(_days())
    blocked = {FEST[0], FEST[1], OTHER}
    base = events.baseline_days(list(FEST), blocked, data, weeks=4)
    wednesdays = [FEST[0] + timedelta(days=7 * k) for k in (-4, -3, -2, 1, 2, 3, 4)]  # -1 week is the other event
    thursdays = [FEST[1] + timedelta(days=7 * k) for k in (-4, -3, -2, -1, 1, 2, 3, 4)]
    assert base == sorted(wednesdays + thursdays)
    assert OTHER not in base and all(d.weekday() in (2, 3) for d in base)
    # days without data are skipped too
    assert events.baseline_days([FIRST], set(), {FIRST, FIRST + timedelta(days=7)}, weeks=4) == [FIRST + timedelta(days=7)]


def test_event_window_excludes_the_other_event(con) -> None:
    w = events.event_window(con, _festival_id())
    assert w.event_days == FEST
    assert OTHER not in w.baseline_days and len(w.baseline_days) == 15
    assert w.zones == ("zone_a",)


def test_known_uplift_is_recovered_exactly(con) -> None:
    impact = events.event_impact(con, _festival_id())
    zones = impact.zones.set_index("zone_id")
    # zone A: 100 visitors a day on the baseline, 150 on the festival days (the other event's 1,000 never counts)
    assert zones.loc["zone_a", "baseline_mean"] == 100.0
    assert zones.loc["zone_a", "event_mean"] == 150.0
    assert zones.loc["zone_a", "uplift"] == pytest.approx(0.5, abs=1e-12)
    assert zones.loc["zone_b", "uplift"] == 0.0
    assert bool(zones.loc["zone_a", "in_event"]) and not bool(zones.loc["zone_b", "in_event"])
    # city: 140 → 190 visitors a day (residents are not visitors); overnight share 100/140 → 160/190
    assert impact.visitors_baseline == 140.0 and impact.visitors_event == 190.0
    assert impact.uplift == pytest.approx(50 / 140, abs=1e-12)
    assert impact.overnight_share_baseline == pytest.approx(100 / 140, abs=1e-12)
    assert impact.overnight_share_event == pytest.approx(160 / 190, abs=1e-12)
    # origin mix (residents included): international 40/150 → 30/200
    groups = impact.groups.set_index("segment_group")
    assert groups.loc["international", "baseline_share"] == pytest.approx(40 / 150, abs=1e-12)
    assert groups.loc["international", "event_share"] == pytest.approx(30 / 200, abs=1e-12)
    assert groups.loc["international", "shift"] == pytest.approx((30 / 200 - 40 / 150) * 100, abs=1e-9)
    assert set(impact.origins["origin"]) == {"Bangkok", "South Korea", "Chiang Mai residents"}
    # hours in the event's zone A only (zone B's 99 at 10:00 is left out): 20:00 is the busiest, 10 → 50
    hours = impact.hours.set_index("hour")
    assert hours.loc[20, "event_mean"] == 50.0 and hours.loc[20, "baseline_mean"] == 10.0
    assert hours.loc[10, "event_mean"] == 20.0
    assert impact.busiest_hours == (20, 10)   # hours with nobody present are never "busiest"
    # cells: A doubles (24 → 48 people-hours a day), B unchanged
    cells = impact.cells.set_index("cell")
    assert cells.loc[CELL_A, "change"] == 24.0 and cells.loc[CELL_A, "uplift"] == 1.0
    assert cells.loc[CELL_B, "change"] == 0.0 and cells.loc[CELL_A, "zone_id"] == "zone_a"
    assert impact.measure == "visitors"


def test_estimated_people_are_chosen_when_the_rollups_carry_them() -> None:
    c = connect(":memory:")
    build_rollups(c, est_people=True)
    impact = events.event_impact(c, _festival_id())
    c.close()
    assert impact.measures == {"zones": "est_people", "city": "est_people", "hours": "est_people",
                               "cells": "est_people"}
    zones = impact.zones.set_index("zone_id")
    assert zones.loc["zone_a", "event_mean"] == 15_000.0 and zones.loc["zone_a", "uplift"] == pytest.approx(0.5)


def test_unknown_event_and_event_without_data(con) -> None:
    with pytest.raises(EventError, match="No event nope"):
        events.event_impact(con, "nope")
    build_events.insert_event(con, build_events.Event("x", "Far away", date(2030, 1, 1), date(2030, 1, 2)))
    with pytest.raises(EventError, match="no presence data on its days; the data cover 2026-03-02 to 2026-05-03"):
        events.event_window(con, "x")


def test_check_event_refuses_what_it_cannot_store() -> None:
    known = {"old_city"}
    with pytest.raises(EventError, match="name"):
        build_events.check_event("  ", date(2026, 1, 1), date(2026, 1, 1), (), known)
    with pytest.raises(EventError, match="before it starts"):
        build_events.check_event("X", date(2026, 1, 2), date(2026, 1, 1), (), known)
    with pytest.raises(EventError, match="at most 31"):
        build_events.check_event("X", date(2026, 1, 1), date(2026, 3, 1), (), known)
    with pytest.raises(EventError, match="Unknown zone nowhere"):
        build_events.check_event("X", date(2026, 1, 1), date(2026, 1, 1), ("nowhere",), known)
    ev = build_events.check_event(" Lantern  night ", date(2026, 1, 1), date(2026, 1, 1), ("old_city", "old_city"), known)
    assert ev.name == "Lantern night" and ev.zones == ("old_city",) and ev.event_id == "2026-01-01-lantern-night"


def test_calendar_events_from_the_seed_files() -> None:
    place_zones = {"att-nong-buak-haad-park": "old_city", "att-nawarat-bridge": "night_bazaar_riverside",
                   "att-tha-phae-gate": "old_city"}
    cal = build_events.calendar_events(ROOT / "data" / "seed", place_zones)
    by_name = {e.name: e for e in cal}
    songkran = by_name["Songkran 2026"]
    assert (songkran.start_day, songkran.end_day, songkran.applies_to) == (date(2026, 4, 13), date(2026, 4, 15), "all")
    assert by_name["Chiang Mai Flower Festival 2026"].zones == ("old_city",)
    assert set(by_name["Yi Peng and Loy Krathong 2025"].zones) == {"night_bazaar_riverside", "old_city"}
    assert by_name["Chinese New Year 2026 holidays"].applies_to == "international:CN"
    # one event per festival window: the calendar's extra mix rows add none
    assert len({(e.name, e.start_day) for e in cal}) == len(cal)
    for name in ("Yi Peng and Loy Krathong 2025", "Songkran 2026", "Chiang Mai Flower Festival 2026", "New Year 2026"):
        assert name in by_name


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "atlas.duckdb"
    c = connect(path)
    build_rollups(c)
    c.close()
    return path


def test_cli_event_add_round_trips(db_file: Path, capsys) -> None:
    assert main(["event", "add", "Lantern night", "--start", "2026-04-22", "--end", "2026-04-23",
                 "--zones", "zone_a", "--db", str(db_file), "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added == {"event_id": "2026-04-22-lantern-night", "name": "Lantern night", "start": "2026-04-22",
                     "end": "2026-04-23", "zones": ["zone_a"]}
    assert main(["event", "list", "--db", str(db_file), "--json"]) == 0
    listed = {e["event_id"]: e for e in json.loads(capsys.readouterr().out)["events"]}
    assert listed["2026-04-22-lantern-night"] == {**{k: added[k] for k in ("event_id", "name", "start", "end", "zones")},
                                                  "source": "official", "days_with_data": 2}
    # the new event leaves the festival's baseline: 22 April (Wednesday) was a baseline day
    c = connect(db_file, read_only=True)
    assert date(2026, 4, 22) not in events.event_window(c, _festival_id()).baseline_days
    c.close()
    assert main(["event", "impact", _festival_id(), "--db", str(db_file), "--json"]) == 0
    impact = json.loads(capsys.readouterr().out)
    assert impact["uplift"] == pytest.approx(50 / 140) and impact["busiest_hours"][0] == 20
    # the same event twice, and a bad one, are refused with a message and exit 2
    assert main(["event", "add", "Lantern night", "--start", "2026-04-22", "--end", "2026-04-23",
                 "--db", str(db_file)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["event", "add", "X", "--start", "2026-04-23", "--end", "2026-04-22", "--db", str(db_file)]) == 2
    assert "before it starts" in capsys.readouterr().err
    assert main(["event", "remove", "2026-04-22-lantern-night", "--db", str(db_file)]) == 0
    assert main(["event", "remove", _festival_id(), "--db", str(db_file)]) == 2   # a calendar festival stays
    assert "cannot be removed" in capsys.readouterr().err


def test_officials_events_survive_a_rebuild(tmp_path: Path) -> None:
    from geo.build.run import BuildOptions, build_database

    path = tmp_path / "atlas.duckdb"
    build_database(path, BuildOptions(flows=False))
    add_event("Night market fair", date(2026, 1, 10), date(2026, 1, 11), ["old_city"], db_path=path)
    report = build_database(path, BuildOptions(flows=False))
    assert any("events officials added kept" in n for n in report.notes)
    c = connect(path, read_only=True)
    rows = c.execute("select event_id, source, zones from events where source = 'official'").fetchall()
    n_calendar = c.execute("select count(*) from events where source = 'calendar'").fetchone()[0]
    c.close()
    assert rows == [("2026-01-10-night-market-fair", "official", ["old_city"])]
    assert n_calendar == report.counts["events"] > 10
    remove_event("2026-01-10-night-market-fair", db_path=path)
    with pytest.raises(EventError, match="No event"):
        remove_event("2026-01-10-night-market-fair", db_path=path)


# --- the simulator's festival effects, seen through the impact (issue 16) ------------------------------------

YI_PENG_2025 = "2025-11-05-yi-peng-and-loy-krathong-2025"
#: Five weeks around Yi Peng 2025 (5-6 Nov) from the real seed files: two event days, eight baseline days.
AROUND_YI_PENG = {"visitors": 5000, "days": 35, "start": date(2025, 10, 22)}


@pytest.fixture(scope="module")
def yi_peng_impacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, events.EventImpact]:
    """Yi Peng's impact in a seeded build of the default seed files ("on") and in the same build with the
    festival's stay-over chance blanked ("off"): same seed, same sizes, ~10 s each."""
    import csv
    import shutil

    from geo.build.run import BuildOptions, build_database

    base = tmp_path_factory.mktemp("yi-peng")
    off = base / "seed-off"
    shutil.copytree(ROOT / "data" / "seed", off)
    path = off / "event_effects.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(float(r["stay_over"] or 0) > 0 for r in rows if r["event"].startswith("Yi Peng"))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "stay_over": ""} for r in rows)
    out = {}
    for name, seed_dir in (("on", ROOT / "data" / "seed"), ("off", off)):
        db = base / f"{name}.duckdb"
        build_database(db, BuildOptions(**AROUND_YI_PENG, seed_dir=seed_dir))
        con = connect(db, read_only=True)
        try:
            out[name] = events.event_impact(con, YI_PENG_2025)
        finally:
            con.close()
    return out


def test_yi_peng_raises_the_overnight_share_in_a_seeded_build(yi_peng_impacts) -> None:
    """Reports describe hotels near full for the lantern nights (data/README.md [S10]): in the simulation a share
    of the festival's same-day visitors stay the night, so the overnight share on the event days rises above its
    baseline, and above the same build without the stay-over."""
    on, off = yi_peng_impacts["on"], yi_peng_impacts["off"]
    assert len(on.window.event_days) == 2 and len(on.window.baseline_days) >= 6
    assert on.overnight_share_event is not None and on.overnight_share_baseline is not None
    assert on.overnight_share_event > on.overnight_share_baseline + 0.01
    assert off.overnight_share_event is not None
    assert on.overnight_share_event > off.overnight_share_event + 0.005
    assert on.uplift is not None and on.uplift > 0.5   # the festival still lifts visitors
