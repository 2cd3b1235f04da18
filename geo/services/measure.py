"""Which count a page shows from a rollup: estimated people when the build computed them, else observed devices.

The one place the measure is chosen. A rollup that carries ``est_people`` (observed devices expanded to
people, issue 16's estimates) is read through that column and labelled "estimated people"; one that
carries only the observed ``visitors`` is labelled "observed devices". SQL files take the column as the
``{{measure}}`` identifier from the allow-list ``geo.vocab.MEASURE_COLUMNS``.
"""

from __future__ import annotations

import duckdb

from geo import sql
from geo.i18n import N_
from geo.vocab import pick_measure

#: Readable name per measure column (translated with ``_()`` where shown).
MEASURE_LABELS: dict[str, str] = {"est_people": N_("estimated people"), "visitors": N_("observed devices")}


def measure_of(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The first column of ``MEASURE_COLUMNS`` that ``table`` has (``visitors`` when it has neither)."""
    return pick_measure(set(sql.fetch_df(con, "app/table_columns", {"table_name": table})["column_name"]))


def is_estimate(measure: str) -> bool:
    """Whether figures in ``measure`` are modelled estimates (to be labelled "estimate")."""
    return measure == "est_people"
