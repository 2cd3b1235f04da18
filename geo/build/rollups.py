"""Build the small rollup tables the pages read, by running every ``queries/rollups/*.sql`` in name order.

Each rollup file is one ``create or replace table ... as`` (or ``create index``) statement over the pipeline tables;
files are numbered (``10_...``, ``20_...``) so later rollups may read earlier ones. A step two rollups
share is a temp view on the build connection (``12_stay_day_parts``; ``10_presence_weighted``, visits_hourly
with its expansion weight joined, read by the hourly and cell-profile rollups; ``12_presence_day_bands`` and
``15_cell_arrivals`` are temp tables the daily and place rollups read when there are no stays, i.e. an
operator's aggregated feed was imported), and one two app queries share is a
table macro stored with its table (``21_od_filtered``). Pages never scan pings or stays: they read these
tables, ``visits_hourly``/``trips`` summaries, places and zones.

Before them the expansion weights are fitted (``geo.build.estimates.refresh_weights``: table
``expansion_weights``), and the rollups the pages read carry ``est_people`` (estimated people: the observed
count × the weight of its segment group and month) beside the observed count.

After the SQL rollups the forecast is fitted (``geo.build.forecast``: the next weeks per zone with intervals
and a backtest, written to ``forecast_weekly`` and ``forecast_backtest``). When the database holds a road network, the road loads (``geo.build.roads.refresh_road_loads``: every
corridor routed once, its path stored as edges) are refreshed after the SQL rollups, so a build, a places or
pings import and a roads import all leave them in step with ``od_daily``.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from geo import sql


def rollup_names() -> list[str]:
    """Query names of every rollup file, in build order."""
    return [f"rollups/{p.stem}" for p in sorted(sql.QUERIES_DIR.glob("rollups/*.sql"))]


def run_rollups(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] | None = None) -> list[str]:
    """Execute every rollup file in order; returns the names executed."""
    from geo.build import estimates

    if progress:
        progress("expansion_weights")
    estimates.refresh_weights(con)  # est_people in the rollups = observed x these weights
    names = rollup_names()
    for name in names:
        if progress:
            progress(name)
        sql.execute(con, name)
    from geo.build import forecast, roads

    if progress:
        progress("forecast")
    forecast.refresh_forecast(con)
    names.append("forecast")
    if roads.has_network(con):
        if progress:
            progress("road_loads")
        roads.refresh_road_loads(con)
        names.append("road_loads")
    return names
