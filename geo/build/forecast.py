"""Forecast visitors per zone for the next weeks, with prediction intervals and a backtest, at build time.

Fitted once per rollup run (``geo.build.rollups.run_rollups``), never per page view: for every tourism zone
and the whole city, the daily series of visitors (people-days of non-residents, in the measure the rollups
carry: estimated people when present, else observed devices; ``geo.vocab.pick_measure``) is cut into 7-day
weeks ending on the last day with data, and the weekly means are fitted with statsmodels' ``ETSModel``
(exponential smoothing as a state-space model) with additive errors. Once the data hold ``SEASON_CYCLES``
full years, the model has an additive yearly season (52 weeks), with or without a damped additive trend
(the lower AIC is kept). With less, it is simple exponential smoothing (level only): a trend fitted on one
year mostly follows the season and carried autumn's fall into the winter high season (backtest MAPE on the
city 27% with a damped trend, 13% without, on the default build). The next ``HORIZON_WEEKS`` weeks
come with the model's ``INTERVAL`` prediction interval. The backtest fits the same model on all but the last
``HORIZON_WEEKS`` weeks and compares those held-out weeks (MAPE, MAE, interval coverage).

One year of data (the default build) holds a single cycle of the seasons, too few to estimate a yearly
season, so the model then knows the recent level, not the coming high season; the page and
docs/events.md say so. Fitting on daily values with a weekly season was tried first: the day-to-day noise of
a sample drove the smoothing weights to about 1 and the weekly intervals to several times the level.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from geo import __version__, sql
from geo.i18n import N_
from geo.vocab import pick_measure

#: Weeks forecast (and held out by the backtest).
HORIZON_WEEKS = 12
#: Central prediction interval (0.8 = from the 10th to the 90th percentile).
INTERVAL = 0.8
#: Weeks in a yearly season, and how many full years the training weeks must hold before it is fitted.
SEASON_WEEKS = 52
SEASON_CYCLES = 2
#: Fewest complete weeks a series needs to be forecast.
MIN_WEEKS = 8
METHOD = (f"statsmodels ETSModel per zone on weekly means of daily visitors, additive error: with {SEASON_CYCLES} "
          f"years of data a {SEASON_WEEKS}-week season with or without a damped trend (lower AIC), with less the "
          f"level only (simple exponential smoothing); "
          f"{INTERVAL:.0%} prediction intervals; backtest on the last {HORIZON_WEEKS} weeks held out")


@dataclass(frozen=True)
class SeriesForecast:
    """One series' forecast: weekly values with interval bounds (arrays of ``weeks`` values), and whether the
    model had a yearly season."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    seasonal: bool


def forecast_series(weekly: np.ndarray, weeks: int = HORIZON_WEEKS) -> SeriesForecast:
    """Fit the model to the weekly values ``weekly`` and forecast the next ``weeks`` weeks with intervals.

    A constant series (e.g. a zone nobody visits) is forecast as that constant with no spread.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels 0.14 uses pandas helpers pandas 3 deprecates
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = np.asarray(weekly, dtype=float)
    if len(y) == 0 or np.ptp(y) == 0:
        flat = np.full(weeks, float(y[-1]) if len(y) else 0.0)
        return SeriesForecast(flat, flat.copy(), flat.copy(), False)
    can_season = len(y) >= SEASON_CYCLES * SEASON_WEEKS
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the optimiser on short or sparse series
        # without a yearly season, a trend fitted on under two years mostly follows the season itself (it
        # carried autumn's fall into the winter high season and doubled the backtest error): level only
        for trend in ((None, "add") if can_season else (None,)):
            for season in (("add",) if can_season else (None,)):
                # a season's 52 starting values are set from the first two years (heuristic), not optimised:
                # estimating them too took ~7 s per series
                model = ETSModel(pd.Series(y), error="add", trend=trend, damped_trend=trend is not None,
                                 seasonal=season, seasonal_periods=SEASON_WEEKS if season else None,
                                 initialization_method="heuristic" if season else "estimated")
                fit = model.fit(disp=False)
                if best is None or fit.aic < best[0].aic:
                    best = (fit, season is not None)
        fit, seasonal = best
        frame = fit.get_prediction(start=len(y), end=len(y) + weeks - 1).summary_frame(alpha=1 - INTERVAL)
    mean = np.maximum(frame["mean"].to_numpy(float), 0.0)  # visitors are never negative
    lower = np.clip(np.minimum(frame["pi_lower"].to_numpy(float), mean), 0.0, None)
    upper = np.maximum(frame["pi_upper"].to_numpy(float), mean)
    return SeriesForecast(mean, lower, upper, seasonal)


def weekly_means(y: np.ndarray) -> np.ndarray:
    """Means of complete 7-day weeks ending on the last value (a partial first week is dropped)."""
    y = np.asarray(y, dtype=float)
    n = len(y) // 7
    return y[len(y) - n * 7:].reshape(n, 7).mean(axis=1) if n else np.zeros(0)


def backtest(weekly: np.ndarray, weeks: int = HORIZON_WEEKS) -> dict | None:
    """Fit on all but the last ``weeks`` weekly values, forecast them, compare; None when too short.

    Returns weeks, mape (over weeks with visitors; None when none had any), mae, coverage (share of held-out
    weeks inside the interval), the held-out forecast (``forecast``) and the actual values (``actual``).
    """
    y = np.asarray(weekly, dtype=float)
    if len(y) - weeks < MIN_WEEKS:
        return None
    fc = forecast_series(y[:-weeks], weeks)
    actual = y[-weeks:]
    err = np.abs(fc.mean - actual)
    some = actual > 0
    return {
        "weeks": weeks,
        "mape": float(np.mean(err[some] / actual[some])) if some.any() else None,
        "mae": float(err.mean()),
        "coverage": float(np.mean((actual >= fc.lower) & (actual <= fc.upper))),
        "forecast": fc,
        "actual": actual,
    }


def refresh_forecast(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Fit every zone's series and (re)write ``forecast_weekly`` and ``forecast_backtest``; returns row counts."""
    sql.execute(con, "schema/create_forecast")
    sql.execute(con, "schema/create_forecast_backtest")
    measure = pick_measure(set(sql.fetch_df(con, "build/table_columns", {"table_name": "presence_zone_daily"})
                               ["column_name"]))
    city_measure = pick_measure(set(sql.fetch_df(con, "build/table_columns", {"table_name": "presence_daily"})
                                    ["column_name"]))
    series = sql.fetch_df(con, "build/forecast_series", idents={"measure": measure, "city_measure": city_measure})
    rows: list[dict] = []
    errors: list[dict] = []
    seasonal = False
    for zone_id, part in series.groupby("zone_id", sort=True):
        part = part.sort_values("day")
        hist = weekly_means(part["visitors"].to_numpy(float))
        if len(hist) < MIN_WEEKS:
            continue
        last = pd.Timestamp(part["day"].iloc[-1]).date()
        starts = [last - timedelta(days=7 * (len(hist) - k) - 1) for k in range(len(hist))]
        rows += [{"zone_id": zone_id, "kind": "history", "week_start": s, "visitors": float(v), "lower": None,
                  "upper": None, "actual": None} for s, v in zip(starts, hist, strict=True)]
        fc = forecast_series(hist)
        rows += [{"zone_id": zone_id, "kind": "forecast", "week_start": last + timedelta(days=1 + 7 * k),
                  "visitors": float(fc.mean[k]), "lower": float(fc.lower[k]), "upper": float(fc.upper[k]),
                  "actual": None} for k in range(HORIZON_WEEKS)]
        seasonal = seasonal or fc.seasonal
        bt = backtest(hist)
        if bt is not None:
            held = bt["forecast"]
            first = last - timedelta(days=7 * HORIZON_WEEKS - 1)
            rows += [{"zone_id": zone_id, "kind": "backtest", "week_start": first + timedelta(days=7 * k),
                      "visitors": float(held.mean[k]), "lower": float(held.lower[k]), "upper": float(held.upper[k]),
                      "actual": float(bt["actual"][k])} for k in range(HORIZON_WEEKS)]
            errors.append({"zone_id": zone_id, "weeks": bt["weeks"], "mape": bt["mape"], "mae": bt["mae"],
                           "coverage": bt["coverage"]})
    frame = pd.DataFrame(rows, columns=["zone_id", "kind", "week_start", "visitors", "lower", "upper", "actual"])
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    for col in ("visitors", "lower", "upper", "actual"):
        frame[col] = frame[col].astype(float)
    bt_frame = pd.DataFrame(errors, columns=["zone_id", "weeks", "mape", "mae", "coverage"]).astype(
        {"weeks": "int64", "mape": float, "mae": float, "coverage": float})
    con.register("forecast_rows", frame)
    con.register("backtest_rows", bt_frame)
    try:
        sql.execute(con, "build/insert_forecast")
        sql.execute(con, "build/insert_forecast_backtest")
    finally:
        con.unregister("forecast_rows")
        con.unregister("backtest_rows")
    # the forecast is as simulated as the flows it is fitted to; without a 'flows' row the presence came from
    # an operator's imported feed (geo.ingest.aggregates removes the row), which is real
    simulated = sql.fetch_one(con, "build/flows_meta")
    sql.execute(con, "build/insert_meta", {
        "dataset": "forecast",
        "simulated": bool(simulated["simulated"]) if simulated else False,
        "seed": None,
        "sources": N_("FORECAST fitted at build time from the daily rollups (geo/build/forecast.py, docs/events.md)"),
        "params": json.dumps({"method": METHOD, "horizon_weeks": HORIZON_WEEKS, "interval": INTERVAL,
                              "measure": measure, "city_measure": city_measure, "seasonal": seasonal, "series": int(series["zone_id"].nunique())},
                             sort_keys=True),
        "built_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        "version": __version__,
    })
    return {"forecast_weekly": len(frame), "forecast_backtest": len(bt_frame)}
