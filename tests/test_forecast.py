"""The forecast: the model recovers a synthetic seasonal series, the backtest is computed on the held-out weeks, and
the rollup step writes the table the CLI and the Events page read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geo import sql
from geo.__main__ import main
from geo.build import forecast
from geo.db import connect
from geo.services import forecast as forecast_service
from tests.test_events import build_rollups


def _seasonal(weeks: int, noise: float = 1.0, seed: int = 3) -> np.ndarray:
    t = np.arange(weeks)
    rng = np.random.default_rng(seed)
    return 100 + 30 * np.sin(2 * np.pi * t / 52) + rng.normal(0, noise, weeks)


def test_model_recovers_a_synthetic_seasonal_series() -> None:
    y = _seasonal(3 * 52 + 12)
    truth = 100 + 30 * np.sin(2 * np.pi * np.arange(3 * 52, 3 * 52 + 12) / 52)
    fc = forecast.forecast_series(y[:-12])
    assert fc.seasonal  # three years: the yearly season is fitted
    assert np.max(np.abs(fc.mean - truth) / truth) < 0.05
    assert np.all(fc.lower <= fc.mean) and np.all(fc.mean <= fc.upper)
    assert np.mean((truth >= fc.lower) & (truth <= fc.upper)) >= 0.75


def test_one_year_has_no_yearly_season_and_constant_series_stay_flat() -> None:
    assert not forecast.forecast_series(_seasonal(52)).seasonal
    flat = forecast.forecast_series(np.full(20, 7.0))
    assert list(flat.mean) == [7.0] * 12 and list(flat.lower) == list(flat.upper) == [7.0] * 12


def test_backtest_compares_the_held_out_weeks() -> None:
    y = _seasonal(40)
    bt = forecast.backtest(y)
    held = forecast.forecast_series(y[:-12])
    assert list(bt["actual"]) == list(y[-12:])
    assert bt["mape"] == pytest.approx(float(np.mean(np.abs(held.mean - y[-12:]) / y[-12:])), rel=1e-12)
    assert bt["mae"] == pytest.approx(float(np.mean(np.abs(held.mean - y[-12:]))), rel=1e-12)
    assert bt["weeks"] == 12 and 0 <= bt["coverage"] <= 1
    assert forecast.backtest(y[:19]) is None  # 7 training weeks: too few


def test_weekly_means_end_on_the_last_day() -> None:
    assert list(forecast.weekly_means(np.arange(16.0))) == [5.0, 12.0]  # days 2..8 and 9..15; days 0-1 dropped


def test_refresh_writes_the_table_and_the_cli_prints_it(tmp_path, capsys) -> None:
    path = tmp_path / "atlas.duckdb"
    con = connect(path)
    build_rollups(con)
    sql.execute(con, "schema/create_meta")
    counts = forecast.refresh_forecast(con)
    weekly = forecast_service.weekly_forecast(con)
    about = forecast_service.forecast_about(con)
    con.close()
    # nine weeks of data for zones A, B and the city: 9 observed + 12 forecast weeks each, no backtest (too short)
    assert counts == {"forecast_weekly": 3 * 21, "forecast_backtest": 0}
    a = weekly[(weekly["zone_id"] == "zone_b") & (weekly["kind"] == "forecast")]
    assert list(a["visitors"]) == [40.0] * 12          # zone B has 40 visitors every day
    first = weekly[weekly["kind"] == "forecast"]["week_start"].min()
    assert str(first)[:10] == "2026-05-04"              # the day after the last day with data
    assert about["measure"] == "visitors" and "ETSModel" in about["method"]
    assert main(["forecast", "--db", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["forecast"]) == 36 and out["backtest"] == []
    assert {r["zone_id"] for r in out["forecast"]} == {"all", "zone_a", "zone_b"}
