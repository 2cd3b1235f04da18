"""Estimated people: expansion weights from given inputs, the simulator's monthly profile, the calibration check on
seeded data, est_people in the rollups, the published supply of the pressure index and the data-kind labels."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import published as pub
from geo.__main__ import main
from geo.build import estimates, simulate
from geo.build.run import BuildOptions, build_database
from geo.db import connect
from geo.errors import SeedDataError
from geo.services import calibration, capacity, catalog
from geo.services.filters import Filters
from geo.settings import ROOT

SEED = ROOT / "data" / "seed"
#: A year of flows at a smaller size than the default (19,000): about 15 s to build. Sampling noise grows as the
#: sample shrinks (about 1 / sqrt(devices per month)): at 8,000 visitors one month of this seed was 10.1 % off.
YEAR_BUILD = BuildOptions(visitors=12000, days=365, seed_dir=SEED)


def _published(rows: list[tuple]) -> pd.DataFrame:
    """A published_stats frame from (measure, segment, area, year, month, value) tuples."""
    df = pd.DataFrame(rows, columns=["measure", "segment", "area", "year", "month", "value"])
    df["unit"], df["status"], df["source"] = "x", "read", "test"
    df["year"] = df["year"].astype("Int64")
    df["month"] = df["month"].astype("Int64")
    return df


def _observed(group: str, devices: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"segment_group": group, "month_start": [pd.Timestamp(m).date() for m in devices],
                         "devices": list(devices.values())})


# --- weights from given inputs -------------------------------------------------------------------------------


def test_fit_weights_one_weight_per_group_for_the_period() -> None:
    published = _published([("visitors", "domestic", "province", None, 1, 1000.0),
                            ("visitors", "domestic", "province", None, 2, 3000.0)])
    observed = _observed("domestic", {"2026-01-01": 10, "2026-02-01": 30})
    w = estimates.fit_weights(observed, published, estimates.Span(date(2026, 1, 1), date(2026, 2, 28)),
                              resident_devices=0)
    assert list(w["weight"]) == [100.0, 100.0]            # (1000 + 3000) / (10 + 30)
    assert list(w["method"]) == ["annual_fit", "annual_fit"]
    assert list(w["published"]) == [1000.0, 3000.0]
    assert w["fit_published"].iloc[0] == 4000.0 and w["fit_devices"].iloc[0] == 40


def test_fit_weights_is_not_a_tautology() -> None:
    """Only the period total is matched: a month whose devices do not follow the published profile is off."""
    published = _published([("visitors", "domestic", "province", None, 1, 1000.0),
                            ("visitors", "domestic", "province", None, 2, 1000.0)])
    observed = _observed("domestic", {"2026-01-01": 10, "2026-02-01": 30})
    w = estimates.fit_weights(observed, published, estimates.Span(date(2026, 1, 1), date(2026, 2, 28)),
                              resident_devices=0)
    est = w["weight"] * w["devices"]
    assert est.sum() == pytest.approx(2000.0)
    assert list((est - w["published"]) / w["published"]) == [-0.5, 0.5]


def test_fit_weights_scales_a_partly_covered_month() -> None:
    published = _published([("visitors", "international", "province", None, 1, 3100.0),
                            ("visitors", "international", "province", None, 2, 2800.0)])
    observed = _observed("international", {"2026-01-01": 10, "2026-02-01": 10})
    span = estimates.Span(date(2026, 1, 1), date(2026, 2, 14))    # half of February
    w = estimates.fit_weights(observed, published, span, resident_devices=0)
    assert list(w["coverage"]) == [1.0, 0.5]
    assert list(w["published"]) == [3100.0, 1400.0]
    assert w["weight"].iloc[0] == pytest.approx(4500.0 / 20)


def test_fit_weights_falls_back_to_the_annual_figure() -> None:
    published = _published([("visitors", "domestic", "province", 2023, None, 12_000.0)])
    observed = _observed("domestic", {"2026-01-01": 5, "2026-02-01": 5})
    w = estimates.fit_weights(observed, published, estimates.Span(date(2026, 1, 1), date(2026, 2, 28)),
                              resident_devices=0)
    assert list(w["weight"]) == [200.0, 200.0]            # 12,000 x 2/12 months / 10 devices
    assert w["published"].isna().all()


def test_fit_weights_from_market_shares_and_population() -> None:
    published = _published([("visitors", "domestic", "province", None, 1, 1000.0),
                            ("population", "resident", "city", None, None, 5000.0),
                            ("population", "resident", "province", 2021, None, 99_000.0)])
    observed = pd.concat([_observed("domestic", {"2026-01-01": 10}), _observed("resident", {"2026-01-01": 20})])
    shares = pd.DataFrame({"segment_group": ["domestic"], "month": [np.nan], "market_share": [0.4],
                           "sampling": [0.5]})
    w = estimates.fit_weights(observed, published, estimates.Span(date(2026, 1, 1), date(2026, 1, 31)),
                              resident_devices=25, shares=shares).set_index("segment_group")
    assert w.loc["domestic", "method"] == "market_share"
    assert w.loc["domestic", "weight"] == pytest.approx(5.0)    # 1 / (0.4 x 0.5)
    assert w.loc["domestic", "published"] == 1000.0              # still compared, never fitted
    assert w.loc["resident", "method"] == "population"
    assert w.loc["resident", "weight"] == 200.0                  # city population 5,000 / 25 resident devices


def test_fit_weights_without_anything_published_keeps_observed() -> None:
    w = estimates.fit_weights(_observed("domestic", {"2026-01-01": 7}), _published([]),
                              estimates.Span(date(2026, 1, 1), date(2026, 1, 31)), resident_devices=0)
    assert list(w["weight"]) == [1.0] and list(w["method"]) == ["observed"]


def test_read_market_shares_rejects_a_share_above_one(tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    path.write_text("segment_group,month,market_share\ndomestic,,0.45\ninternational,13,0.3\n", encoding="utf-8")
    with pytest.raises(SeedDataError, match="row 3"):
        estimates.read_market_shares(path)
    path.write_text("segment_group,month,market_share\ndomestic,,0.45\n", encoding="utf-8")
    shares = estimates.read_market_shares(path)
    assert shares.to_dict("records") == [{"segment_group": "domestic", "month": None, "market_share": 0.45,
                                          "sampling": 1.0}]


def test_published_stats_file_is_valid_and_names_every_source() -> None:
    df = pub.read_published(SEED / pub.FILE_NAME)
    assert set(df["status"]) <= set(pub.STATUSES) and df["source"].str.len().min() > 0
    profile = pub.monthly_profile(df)
    assert set(profile) == {"domestic", "international"}
    assert all(abs(v.sum() - 1.0) < 1e-9 and len(v) == 12 for v in profile.values())
    assert pub.first_value(df, "area_km2") == 20_107


def test_read_published_rejects_a_percentage_occupancy(tmp_path: Path) -> None:
    path = tmp_path / pub.FILE_NAME
    path.write_text(",".join(pub.COLUMNS) + "\noccupancy,all,province,2023,,71.83,share,read,x\n", encoding="utf-8")
    with pytest.raises(SeedDataError, match="row 2: occupancy is a share"):
        pub.read_published(path)


def test_simulator_follows_the_published_monthly_profile() -> None:
    profile = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], float)
    profile /= profile.sum()
    daily = np.ones(365)
    daily[40] = 5.0  # a festival in February keeps its shape inside the month
    out = simulate.follow_monthly_profile(daily, date(2025, 1, 1), profile)
    months = (np.datetime64("2025-01-01") + np.arange(365)).astype("datetime64[M]").astype(int) % 12
    sums = np.array([out[months == m].sum() for m in range(12)])
    assert sums == pytest.approx(profile)
    feb = out[months == 1]
    assert feb.max() == pytest.approx(5 * feb.min())


# --- the calibration check on seeded data --------------------------------------------------------------------


@pytest.fixture(scope="module")
def year_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year of simulated flows from the real seed files at a small size (built once for this module)."""
    path = tmp_path_factory.mktemp("estimates") / "atlas.duckdb"
    build_database(path, YEAR_BUILD)
    return path


def test_calibration_on_seeded_data_is_within_ten_percent_every_month(year_db: Path) -> None:
    con = connect(year_db, read_only=True)
    try:
        cal = calibration.calibration(con)
    finally:
        con.close()
    assert len(cal.months) == 12
    errors = {m.month: m.error for m in cal.months}
    assert all(e is not None and abs(e) <= calibration.TARGET_ERROR for e in errors.values()), errors
    # only the period total is fitted: the months are not all exact
    assert max(abs(e) for e in errors.values()) > 0.001
    total = sum(m.estimated for m in cal.months)
    assert total == pytest.approx(sum(m.published for m in cal.months), rel=1e-9)
    peak = cal.peak
    assert peak is not None and 0.5 <= peak.implied_occupancy <= 1.0, peak


def test_calibrate_cli_prints_the_json_shape(year_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "--db", str(year_db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"months", "method"} and isinstance(out["method"], str) and "ESTIMATE" in out["method"]
    first = out["months"][0]
    assert list(first) == ["month", "estimated", "published", "error", "implied_occupancy", "published_occupancy"]
    assert first["month"] == "2025-11" and isinstance(first["estimated"], int)
    assert first["published_occupancy"] == 0.7        # November: Bangkok Post 2019 (data/README.md)
    assert out["months"][1]["published_occupancy"] is None
    assert main(["calibrate", "--db", str(year_db)]) == 0
    assert "within the 10% target" in capsys.readouterr().out


def test_rollups_carry_est_people_equal_to_weights_times_observed(year_db: Path) -> None:
    con = connect(year_db, read_only=True)
    try:
        for table, observed, when in (("presence_daily", "visitors", "day"),
                                      ("presence_zone_daily", "visitors", "day"),
                                      ("presence_cell_hourly", "visitors", "day"),
                                      ("presence_place_daily", "visits", "day"),
                                      ("cell_nightly", "overnight_visitors", "night + 1"),
                                      ("od_daily", "trips", "day")):
            group = "t.segment_group" if table not in ("presence_daily", "presence_zone_daily") \
                else "split_part(t.segment, ':', 1)"
            est, expected = con.execute(f"""
                select sum(t.est_people), sum(t.{observed} * w.weight)
                from {table} as t join expansion_weights as w
                  on w.segment_group = {group} and w.month_start = date_trunc('month', t.{when})::date
            """).fetchone()  # noqa: S608 - table and column names from the literal tuple above
            total = con.execute(f"select sum(est_people), sum({observed}) from {table}").fetchone()  # noqa: S608
            assert est == pytest.approx(expected, rel=1e-9), table
            assert total[0] == pytest.approx(est, rel=1e-9), table   # every row found its weight
            assert total[0] > 100 * total[1], table                   # a sample expanded to people
    finally:
        con.close()


def _all_year() -> Filters:
    return Filters(start=date(2025, 11, 1), end=date(2026, 10, 31))


def test_capacity_pressure_uses_the_published_supply(year_db: Path, tmp_path: Path) -> None:
    con = connect(year_db, read_only=True)
    try:
        supply = capacity.published_supply(con)
        df = capacity.supply_demand(con, _all_year())
    finally:
        con.close()
    assert supply.rooms == 60_000 and supply.rooms_hotels == 34_000 and supply.basis == "province"
    assert supply.scale == pytest.approx(60_000 / supply.registry_rooms)
    assert set(df["supply_basis"]) == {"province"}
    assert list(df["supply_beds"]) == pytest.approx(list(df["beds"] * supply.scale))
    with_beds = df[df["supply_beds"] > 0]
    assert list(with_beds["pressure"]) == pytest.approx(
        list(with_beds["est_overnight_per_night"] / with_beds["supply_beds"]))
    assert df["supply_beds"].sum() == pytest.approx(120_000)
    # a district's own published rooms replace the scaled registry
    copy = tmp_path / "district.duckdb"
    shutil.copy(year_db, copy)
    con = connect(copy)
    try:
        con.execute("insert into published_stats values ('rooms', 'all', 'old_city', 2024, null, 9000, 'rooms', "
                    "'read', 'test')")
        df = capacity.supply_demand(con, _all_year()).set_index("zone_id")
    finally:
        con.close()
    assert df.loc["old_city", "supply_basis"] == "district"
    assert df.loc["old_city", "supply_beds"] == 18_000
    assert df.loc["old_city", "pressure"] == pytest.approx(df.loc["old_city", "est_overnight_per_night"] / 18_000)


def test_data_kinds_label_real_approximate_simulated_and_estimate(year_db: Path) -> None:
    con = connect(year_db, read_only=True)
    try:
        kinds = catalog.data_kinds(con).set_index("part")
    finally:
        con.close()
    assert kinds.loc["places", "kind"] == "real"
    assert kinds.loc["tourism zones", "kind"] == "approximate"
    assert kinds.loc["province outline", "kind"] == "approximate"
    assert "20,107 km²" in kinds.loc["province outline", "detail"]
    assert kinds.loc["visitor flows", "kind"] == "simulated"
    assert kinds.loc["estimated people", "kind"] == "estimate"


# --- the pages: estimate as the headline, observed devices beside it, labels ---------------------------------

APP = str(ROOT / "app.py")


def _page(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("page", ["pages/views/overview.py", "pages/views/density.py", "pages/views/flows.py",
                                  "pages/views/capacity.py", "pages/views/places.py"])
def test_pages_show_the_estimate_with_observed_devices_beside_it(atlas_env, page: str) -> None:
    at = _page(page)
    estimates_shown = [m for m in at.metric if m.label.endswith("· estimate")]
    assert estimates_shown, [m.label for m in at.metric]
    observed = [c.value for c in at.caption if c.value.startswith("Observed devices: ")]
    assert len(observed) >= len(estimates_shown)
    # the method is one click away
    assert any("Estimate: method" in p.proto.popover.label for p in at.get("popover")), page
    banner = " ".join(c.value for c in at.caption if c.value.startswith("Data — "))
    for kind in ("**real**", "**approximate**", "**simulated**", "**estimate**"):
        assert kind in banner, banner
    assert "20,107 km²" in banner.replace("\\", "")  # markdown-escaped in the caption


def test_overview_estimate_is_weights_times_observed(atlas_env) -> None:
    at = _page("pages/views/overview.py")
    value = next(m.value for m in at.metric if m.label == "Visitors (people-days) · estimate")
    observed = next(c.value for c in at.caption if c.value.startswith("Observed devices: "))
    est, obs = int(value.replace(",", "")), int(observed.split(": ")[1].replace(",", ""))
    assert obs > 0 and est > 100 * obs


def test_data_page_shows_the_calibration_and_the_kinds(atlas_env) -> None:
    at = _page("pages/views/data.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Largest monthly error"].endswith("%")
    assert metrics["Published yearly occupancy"] == "71.8%"
    kinds = next(df.value for df in at.dataframe if list(df.value.columns) == ["part", "kind", "detail"])
    assert set(kinds["kind"]) == {"real", "approximate", "simulated", "estimate"}
    months = next(df.value for df in at.dataframe if "implied_occupancy" in df.value.columns)
    assert list(months["month"]) == ["2025-11", "2025-12"]


def test_market_shares_apply_to_pings_only(tmp_path: Path) -> None:
    from geo.errors import ImportRefusedError
    from geo.ingest.run import ImportOptions, check_options

    with pytest.raises(ImportRefusedError, match="--market-shares applies to --layer pings only"):
        check_options(ImportOptions(layer="places", market_shares=tmp_path / "s.csv"))
    assert check_options(ImportOptions(layer="pings", market_shares=tmp_path / "s.csv")) is None


def test_public_file_carries_public_estimates_not_the_officials_weights(public_db: Path) -> None:
    """docs/estimates.md, "The public view": every published table has est_people beside its count, with weights
    recomputed from published rows; the officials' weights, inputs and their provenance row are not published."""
    con = connect(public_db, read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        columns = {r[0] for r in con.execute("select column_name from duckdb_columns()").fetchall()}
        datasets = {r[0] for r in con.execute("select dataset from meta").fetchall()}
        zones_source = con.execute("select sources from meta where dataset = 'zones'").fetchone()[0]
        kinds = catalog.data_kinds(con).set_index("part")
    finally:
        con.close()
    assert not tables & {"expansion_weights", "published_stats", "market_shares"}
    assert "est_people" in columns and "estimates" not in datasets
    assert "against the official 20,107 km²" in zones_source
    # the public banner still states the outline's area (from the sources text: params are not published)
    assert kinds.loc["province outline", "detail"] == "drawn by the project: 22,682 km² against the official 20,107 km²"
    assert "estimate" not in set(kinds["kind"])
