"""Make a zone level usable: the cell → zone lookup (``cell_zones``) and a report of its overlaps and gaps.

A zone level is the set of rows of ``zones`` with one ``level`` value: the project's tourism zones
(``tourism_zone``) or an imported boundary file (``district``, ``subdistrict``, any name). Summaries by
level join the cell-keyed rollups to ``cell_zones``, so loading a level needs ``refresh_cell_zones`` only,
never a pipeline or rollup re-run.

Rules:

* A cell belongs to the zone of the level that covers its centre (``cells.lon/lat``; point-in-polygon with
  the boundary included). A centre covered by two zones of the level goes to the **smallest zone_id**, so
  every cell has at most one zone per level and sums over a level's zones never count a cell twice.
* ``tourism_zone`` copies ``cells.zone_id``: the zone the pipeline gave every stay in that cell, so figures
  by level agree exactly with the tourism-zone rollups.
* The cells table covers the province (``inside the province`` means a row of ``cells``). A cell inside
  the level's extent (the convex hull of its zones) whose centre is in no zone of the level is a **gap**;
  cells outside the extent are simply outside the level (a level may cover only the city).

The level name is always a bound parameter. Callers that load zones (the build, the importer) write into a
temporary copy of the database and swap it in at the end, so no transaction is opened here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from geo import sql
from geo.build.seed import UTM_47N
from geo.errors import BuildError
from geo.vocab import DEFAULT_ZONE_LEVEL

#: Overlaps smaller than this (km²) are not reported: digitised neighbours often overlap by a thin
#: sliver along their shared edge. 0.01 km² = 1 ha, about 1/70 of an H3 resolution-8 cell.
OVERLAP_TOLERANCE_KM2 = 0.01
#: Gap cells listed by ``level_report`` (the count covers all of them).
GAP_EXAMPLES = 5


@dataclass(frozen=True)
class ZoneOverlap:
    """Two zones of one level that overlap: ``overlap_km2`` of shared area, ``shared_cells`` cells whose
    centre lies in both (assigned to ``zone_a``, the smaller zone_id)."""

    zone_a: str
    zone_b: str
    overlap_km2: float
    shared_cells: int


@dataclass(frozen=True)
class GapCell:
    """A cell inside a level's extent whose centre is in no zone of the level (with its tourism zone)."""

    cell: int
    cell_hex: str
    lat: float
    lon: float
    tourism_zone_id: str
    tourism_zone_name: str


@dataclass(frozen=True)
class LevelReport:
    """How one zone level covers the province's cells: its overlaps and its gaps.

    ``cells`` is every cell of the atlas (the province), ``assigned_cells`` those with a zone of the level,
    ``extent_cells`` those whose centre is in the level's extent (convex hull of its zones), ``gap_cells``
    the cells of the extent left without a zone (``gap_examples`` lists the first few by cell id).
    """

    level: str
    zones: int
    cells: int
    assigned_cells: int
    extent_cells: int
    gap_cells: int
    overlaps: tuple[ZoneOverlap, ...]
    gap_examples: tuple[GapCell, ...]
    tolerance_km2: float = OVERLAP_TOLERANCE_KM2

    @property
    def ok(self) -> bool:
        """True when the level has zones, no overlap above the tolerance and no gap."""
        return self.zones > 0 and not self.overlaps and self.gap_cells == 0

    def lines(self) -> list[str]:
        """The report as plain sentences (command line, import summary); escape them before Markdown."""
        out = [
            f"Zone level {self.level!r}: {self.zones:,} zones; {self.assigned_cells:,} of {self.cells:,} "
            f"cells "
            f"have a zone of this level ({self.extent_cells:,} lie inside its extent)."
        ]
        for o in self.overlaps:
            out.append(
                f"Overlap: {o.zone_a} and {o.zone_b} share {o.overlap_km2:,.3f} km²; {o.shared_cells:,} cell "
                f"centres lie in both and count for {o.zone_a}."
            )
        if self.gap_cells:
            where = "; ".join(
                f"cell {g.cell_hex} at {g.lat:.4f}, {g.lon:.4f} (in {g.tourism_zone_name})"
                for g in self.gap_examples
            )
            out.append(
                f"Gaps: {self.gap_cells:,} cells inside the level's extent are in no zone of it, "
                f"e.g. {where}."
            )
        if self.ok:
            out.append("No overlaps and no gaps.")
        return out


def _check_level(level: str) -> str:
    if not isinstance(level, str) or not level.strip():
        msg = f"A zone level needs a name, got {level!r}"
        raise BuildError(msg)
    return level


def refresh_cell_zones(con: duckdb.DuckDBPyConnection, level: str) -> int:
    """Fill ``cell_zones`` for ``level`` from the zones and cells in ``con``; returns the cells assigned.

    Replaces the level's earlier rows (call it again after the level's zones change; a level with no zones
    is left with none). Creates ``cell_zones`` when the database predates it. ``tourism_zone`` copies
    ``cells.zone_id``; every other level is assigned by point-in-polygon on the cell centres (see module).
    """
    level = _check_level(level)
    sql.execute(con, "schema/create_cell_zones")
    sql.execute(con, "build/delete_cell_zones", {"level": level})
    name = "build/insert_cell_zones_from_cells" if level == DEFAULT_ZONE_LEVEL else "build/insert_cell_zones"
    row = sql.execute(con, name, {"level": level}).fetchone()
    return int(row[0]) if row else 0


def level_report(
    con: duckdb.DuckDBPyConnection,
    level: str,
    *,
    tolerance_km2: float = OVERLAP_TOLERANCE_KM2,
    examples: int = GAP_EXAMPLES,
) -> LevelReport:
    """Overlapping zone pairs (shared area above ``tolerance_km2``) and gap cells of ``level``.

    Reads ``cell_zones`` for the gaps, so run ``refresh_cell_zones`` for the level first.
    """
    level = _check_level(level)
    overlaps = sql.fetch_df(
        con,
        "build/level_overlaps",
        {"level": level, "tolerance_km2": float(tolerance_km2), "metric_crs": UTM_47N},
    )
    coverage = sql.fetch_one(con, "build/level_coverage", {"level": level}) or {}
    gaps = sql.fetch_df(con, "build/level_gap_examples", {"level": level, "limit": int(examples)})
    return LevelReport(
        level=level,
        zones=int(coverage.get("zones") or 0),
        cells=int(coverage.get("cells") or 0),
        assigned_cells=int(coverage.get("assigned_cells") or 0),
        extent_cells=int(coverage.get("extent_cells") or 0),
        gap_cells=int(coverage.get("gap_cells") or 0),
        overlaps=tuple(
            ZoneOverlap(str(r["zone_a"]), str(r["zone_b"]), float(r["overlap_km2"]), int(r["shared_cells"]))
            for r in overlaps.to_dict("records")
        ),
        gap_examples=tuple(
            GapCell(
                cell=int(r["cell"]),
                cell_hex=format(int(r["cell"]), "x"),
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                tourism_zone_id=str(r["tourism_zone_id"]),
                tourism_zone_name=str(r["tourism_zone_name"] or r["tourism_zone_id"]),
            )
            for r in gaps.to_dict("records")
        ),
        tolerance_km2=float(tolerance_km2),
    )
