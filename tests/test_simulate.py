"""The visitor-flow simulator: deterministic, sized as asked, and showing the documented patterns."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from geo.build import simulate
from geo.build.pipeline import run_pipeline
from geo.errors import SeedDataError
from tests.pipeline_fixtures import sim_world

START = date(2025, 11, 1)
VISITORS = 5_000  # at 2,500 a festival lift of ~1.75 sat within noise of the 1.5 threshold
SEED = 11


@pytest.fixture(scope="module")
def year() -> tuple[duckdb.DuckDBPyConnection, dict]:
    """A year of simulated flows for the small world, run through the pipeline (built once)."""
    con = sim_world()
    summary = simulate.simulate_pings(con, seed=SEED, days=365, start=START, visitors=VISITORS)
    run_pipeline(con)
    yield con, summary
    con.close()


def daily_visitors(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """Unique non-resident devices seen per day (from the pings)."""
    df = con.execute("""
        select cast(ts as date) as day, count(distinct device) as n
        from pings where segment <> 'resident' group by 1 order by 1""").df()
    return df.set_index(pd.to_datetime(df["day"]))["n"]


def small_run(seed: int) -> tuple[list[tuple], dict]:
    con = sim_world()
    summary = simulate.simulate_pings(con, seed=seed, days=10, start=START, visitors=150)
    rows = con.execute("select * from pings order by device, ts, lon, lat").fetchall()
    con.close()
    return rows, summary


def test_same_seed_same_pings_other_seed_other_pings() -> None:
    a, summary_a = small_run(5)
    b, summary_b = small_run(5)
    c, _ = small_run(6)
    assert len(a) > 1000
    assert a == b
    assert summary_a == summary_b
    assert a != c
    assert {r[0] for r in a}.isdisjoint({r[0] for r in c})  # device hashes are salted by the seed


def test_summary_matches_the_table(year: tuple) -> None:
    con, summary = year
    n, first, last = con.execute("select count(*), min(ts), max(ts) from pings").fetchone()
    assert summary["pings"] == n
    assert summary["visitors"] == VISITORS
    assert summary["residents"] == round(VISITORS * 0.005)
    assert summary["simulated"] is True and summary["seed"] == SEED and summary["days"] == 365
    assert first.date() >= START and last.date() < START + timedelta(days=365)
    devices = con.execute("select count(distinct device) from pings where segment <> 'resident'").fetchone()[0]
    assert VISITORS * 0.97 <= devices <= VISITORS + summary["warmup_visitors"]


def test_one_segment_per_device(year: tuple) -> None:
    con, _ = year
    assert con.execute(
        "select count(*) from (select device from pings group by device having count(distinct segment) > 1)"
    ).fetchone() == (0,)


def test_high_season_above_rainy_season(year: tuple) -> None:
    days = daily_visitors(year[0])
    cool = days[days.index.month.isin([11, 12, 1, 2])].mean()
    rainy = days[days.index.month.isin([6, 7, 8, 9])].mean()
    assert cool > 1.4 * rainy


@pytest.mark.parametrize(
    ("festival", "before", "after", "lift"),
    [
        # Yi Peng / Loy Krathong 2025 (the window starts on 1 November: neighbours after only)
        (("2025-11-05", "2025-11-06"), None, ("2025-11-13", "2025-11-19"), 1.5),
        # New Year, in the peak month already (calendar factor 1.8 on top of December's 1.5)
        (("2025-12-31", "2026-01-01"), ("2025-12-10", "2025-12-16"), ("2026-01-12", "2026-01-18"), 1.15),
        # Songkran 2026, in the haze-hit low April
        (("2026-04-13", "2026-04-15"), ("2026-04-01", "2026-04-07"), ("2026-04-21", "2026-04-27"), 1.5),
    ],
)
def test_festival_days_above_their_neighbours(
    year: tuple, festival: tuple, before: tuple | None, after: tuple, lift: float,
) -> None:
    days = daily_visitors(year[0])
    peak = days[festival[0]:festival[1]].mean()
    around = pd.concat([days[r[0]:r[1]] for r in (before, after) if r]).mean()
    assert peak > lift * around


def place_visit_hours(con: duckdb.DuckDBPyConnection, category: str) -> pd.Series:
    """Visitors' place visits of one category by local starting hour."""
    df = con.execute("""
        select hour(v.visit_start) as hour, count(*) as visits
        from place_visits as v join places as p using (place_id)
        where p.category = ? and v.visitor_type <> 'resident'
        group by 1""", [category]).df()
    return df.set_index("hour")["visits"].reindex(range(24), fill_value=0)


def test_markets_busiest_in_the_evening(year: tuple) -> None:
    hours = place_visit_hours(year[0], "market")
    assert 17 <= hours.idxmax() <= 21
    assert hours[17:22].sum() > 2 * hours[9:16].sum()


def test_temples_busiest_in_the_morning(year: tuple) -> None:
    hours = place_visit_hours(year[0], "temple")
    assert 6 <= hours.idxmax() <= 11
    assert hours[:12].sum() > hours[12:].sum()
    assert hours[19:].sum() == 0  # temples close at 18:00


def test_origin_mix_within_documented_shares(year: tuple) -> None:
    con, _ = year
    got = con.execute("""
        select segment, count(distinct device) as devices from pings where segment <> 'resident' group by 1""").df()
    got = got.set_index("segment")["devices"]
    total = got.sum()
    documented = simulate.read_inputs().markets.set_index("segment")["share"]
    assert set(got.index) <= set(documented.index)
    for segment, share in documented.items():
        observed = got.get(segment, 0) / total
        tolerance = 3.5 * (share * (1 - share) / total) ** 0.5 + 0.002
        assert abs(observed - share) <= tolerance, segment
    domestic = got[got.index.str.startswith("domestic:")].sum() / total
    assert domestic == pytest.approx(0.73, abs=0.03)


def test_same_day_markets_make_day_trippers(year: tuple) -> None:
    con, _ = year
    share = con.execute("""
        select segment, avg(case when visitor_type = 'day_tripper' then 1 else 0 end) as day_trippers
        from (select distinct device, segment, visitor_type from stays) group by 1""").df()
    share = share.set_index("segment")["day_trippers"]
    assert share["domestic:Lamphun"] > 0.4        # 70% come for the day (origin_markets.csv)
    assert share["domestic:Bangkok"] < 0.1
    assert share["international:CN"] < 0.1


def test_gateways_and_day_trips(year: tuple) -> None:
    con, _ = year
    airport = con.execute("""
        select count(distinct device) filter (where place_id = 'trn-airport') / count(distinct device)
        from place_visits where segment like 'international:%'""").fetchone()[0]
    assert airport > 0.6   # most international visitors fly in and out
    day_trip_zones = con.execute("""
        select zone_id, count(distinct device) from stays
        where zone_id in ('doi_inthanon_chom_thong', 'mae_rim', 'doi_suthep_pui') and visitor_type <> 'resident'
        group by 1""").fetchall()
    assert len(day_trip_zones) == 3 and min(n for _, n in day_trip_zones) > 50


def test_pings_sparse_at_night_denser_while_moving(year: tuple) -> None:
    con, _ = year
    night, day = con.execute("""
        select count(*) filter (where hour(ts) between 1 and 4), count(*) filter (where hour(ts) between 10 and 13)
        from pings""").fetchone()
    assert night < day / 5
    # stays hold most pings, but moving pings (not in any stay) are a real share
    in_stays = con.execute("select sum(n_pings) from stays").fetchone()[0]
    total = con.execute("select count(*) from pings").fetchone()[0]
    assert 0.5 < in_stays / total < 0.95


def test_pings_target_sets_the_size() -> None:
    con = sim_world()
    summary = simulate.simulate_pings(con, seed=3, days=30, start=START, pings=150_000)
    assert summary["pings"] == pytest.approx(150_000, rel=0.25)
    assert summary["target_pings"] == 150_000
    con.close()


def test_arrival_weights_multiply_calendar_factors() -> None:
    inputs = simulate.read_inputs()
    w = simulate.arrival_weights(inputs, date(2025, 11, 1), 10, "domestic:Bangkok", same_day=False)
    # 2025-11-03 (Monday): November 1.25 × Monday 0.80 × Yi Peng 2.6 × its overnight shift 1.15 (overnight
    # arrivals from two days before)
    assert w[2] == pytest.approx(1.25 * 0.80 * 2.6 * 1.15)
    intl = simulate.arrival_weights(inputs, date(2025, 11, 1), 10, "international:KR", same_day=False)
    assert intl[4] == pytest.approx(1.25 * 2.6 * 1.35 * 1.15)  # the international shift on top (weekdays flat)
    # 2025-11-07 (Friday), after the festival: November × Friday
    assert w[6] == pytest.approx(1.25 * 1.35)
    same_day = simulate.arrival_weights(inputs, date(2025, 11, 1), 10, "domestic:Lamphun", same_day=True)
    assert same_day[2] == pytest.approx(1.25 * 0.70)          # same-day visitors: festival days only
    assert same_day[4] == pytest.approx(1.25 * 0.65 * 2.6)    # 2025-11-05, Wednesday


def test_sizes_are_exclusive() -> None:
    con = sim_world()
    with pytest.raises(ValueError, match="either"):
        simulate.simulate_pings(con, seed=1, visitors=10, pings=1000)
    con.close()


def test_bad_input_file_names_file_and_row(tmp_path: Path) -> None:
    for name in simulate.INPUT_FILES:
        shutil.copyfile(simulate.SEED_DIR / name, tmp_path / name)
    path = tmp_path / "origin_markets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("domestic:Bangkok,0.2700", "domestic:Bangkok,0.5000")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SeedDataError, match="origin_markets.csv: shares must add up to 1"):
        simulate.read_inputs(tmp_path)


def test_needs_places() -> None:
    con = sim_world()
    con.execute("delete from places")
    with pytest.raises(SeedDataError, match="places table is empty"):
        simulate.simulate_pings(con, seed=1, visitors=10)
    con.close()


def test_event_venues_are_seed_places() -> None:
    inputs = simulate.read_inputs()
    ids = set()
    for path in sorted((simulate.SEED_DIR / "places").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            ids |= {row["place_id"] for row in csv.DictReader(fh)}
    venues = {p for row in inputs.events["places"] for p in row.split("|")}
    assert venues and venues <= ids
    festivals = set(inputs.calendar.loc[inputs.calendar["kind"] == "festival", "name"])
    for prefix in inputs.events["event"]:
        assert any(name.startswith(prefix) for name in festivals), prefix


def test_event_days_send_a_share_of_days_to_the_venue() -> None:
    con = sim_world()
    inputs = simulate.read_inputs()
    world = simulate.build_world(con, inputs)
    con.close()
    venue = world.place_ids[0]
    events = inputs.events.iloc[:1].assign(event="Songkran", places=venue, visitor_share="1.0",
                                           resident_share="0.0", hour_from="10", hour_to="10")
    events[["visitor_share", "resident_share", "hour_from", "hour_to", "dwell_minutes"]] = \
        events[["visitor_share", "resident_share", "hour_from", "hour_to", "dwell_minutes"]].astype(float)
    inputs = simulate.Inputs(inputs.markets, inputs.calendar, inputs.profiles, inputs.roads, events)
    first = date(2026, 4, 10)
    eff = simulate._event_effects(inputs, world, first, 10)
    # Songkran 13-15 April: days 3, 4, 5
    assert list(np.flatnonzero(eff.day_effect >= 0)) == [3, 4, 5]
    rng = np.random.default_rng(5)
    day0 = np.array([0, 3, 4, 7], dtype=float) * simulate.DAY_S
    n_act = np.array([2, 2, 0, 2])
    place, pref, _dwell, _close, valid, _trip = simulate._fill_slots(
        rng, world, day0, n_act, np.zeros(4, bool), residents=False, events=eff)
    row = world.place_ids.index(venue)
    assert (place[1:3, 0] == row).all() and valid[1:3, 0].all()   # event days: the venue, even on an empty day
    assert ((pref[1:3, 0] - day0[1:3]) // 3600 == 10).all()        # at the event's hour
    # days outside the event draw exactly what they draw without events
    place0, pref0, *_ = simulate._fill_slots(np.random.default_rng(5), world, day0, n_act, np.zeros(4, bool),
                                             residents=False)
    assert (place[[0, 3]] == place0[[0, 3]]).all() and (pref[[0, 3]] == pref0[[0, 3]]).all()


def test_stay_over_turns_event_day_same_day_visitors_into_overnight(tmp_path: Path) -> None:
    inputs = simulate.read_inputs()
    yi_peng = inputs.events[inputs.events["event"].str.startswith("Yi Peng")]
    assert float(yi_peng["stay_over"].iloc[0]) > 0 and (inputs.events["stay_over"] >= 0).all()
    con = sim_world()
    world = simulate.build_world(con, inputs)
    con.close()
    events = inputs.events.iloc[:1].assign(event="Songkran", places=world.place_ids[0], stay_over=1.0)
    inputs = simulate.Inputs(inputs.markets, inputs.calendar, inputs.profiles, inputs.roads, events)
    eff = simulate._event_effects(inputs, world, date(2026, 4, 10), 10)   # Songkran 13-15 April: days 3, 4, 5
    arr_day = np.tile(np.arange(10), 100)
    same_day = np.arange(1000) % 3 != 0
    rng = np.random.default_rng(3)
    stay = simulate._stay_over(rng, eff, arr_day, same_day)
    on_event = np.isin(arr_day, [3, 4, 5])
    assert stay[on_event & same_day].all() and not stay[~(on_event & same_day)].any()
    assert rng.random() == np.random.default_rng(3).random()   # the caller's stream is untouched
    half = simulate._EventEffects(eff.day_effect, eff.venues, eff.visitor_share, eff.resident_share, eff.hour_from,
                                  eff.hour_to, eff.dwell_s, np.array([0.5]))
    share = simulate._stay_over(np.random.default_rng(3), half, arr_day, same_day)[on_event & same_day].mean()
    assert 0.4 < share < 0.6
    # the column is optional: a file without it reads as no stay-over
    seed = tmp_path / "seed"
    shutil.copytree(simulate.SEED_DIR, seed)
    with (seed / "event_effects.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (seed / "event_effects.csv").open("w", encoding="utf-8", newline="") as fh:
        fields = [c for c in rows[0] if c != "stay_over"]
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    assert simulate.read_inputs(seed).events["stay_over"].eq(0).all()
