"""The forecast the build fitted (``geo.build.forecast``): weekly visitors per zone, intervals, backtest error."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from geo import sql
from geo.i18n import _
from geo.services._require import require_tables
from geo.services.measure import MEASURE_LABELS

_TABLES = ("forecast_weekly", "forecast_backtest")


def weekly_forecast(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every zone's weekly rows: zone_id ('all' = the city), kind (history | forecast | backtest), week_start,
    visitors (per day), lower, upper (the prediction interval), actual (backtest weeks)."""
    require_tables(con, *_TABLES)
    return sql.fetch_df(con, "app/forecast_weekly")


def backtest_errors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per zone: weeks held out, mape (None when the held-out weeks had no visitors), mae, coverage."""
    require_tables(con, *_TABLES)
    df = sql.fetch_df(con, "app/forecast_backtest")
    df["mape"] = df["mape"].astype(object).where(df["mape"].notna(), None)
    return df


def forecast_about(con: duckdb.DuckDBPyConnection) -> dict:
    """How the forecast was made: method, horizon_weeks, interval, measure (and its label), seasonal, built_at,
    simulated, and ``label`` (e.g. "Forecast from simulated flows (observed devices)")."""
    require_tables(con, *_TABLES)
    row = sql.fetch_one(con, "app/forecast_meta")
    if row is None:
        about = {"method": "", "simulated": False}
    else:
        about = json.loads(row["params"] or "{}")
        measure = about.get("measure", "visitors")
        about.update(built_at=str(row["built_at"]), simulated=bool(row["simulated"]),
                     measure_label=MEASURE_LABELS.get(measure, measure))
    # in the current language (the CLI, the report); a page's cached copy may hold another reader's: pages word
    # the label with about_label
    about["label"] = about_label(about)
    return about


def about_label(about: dict) -> str:
    """The forecast's name in the current language ("Forecast from simulated flows (observed devices)")."""
    if "measure_label" not in about:
        return _("Forecast")
    return (_("Forecast from simulated flows ({measure})") if about.get("simulated")
            else _("Forecast ({measure})")).format(measure=_(about["measure_label"]))
