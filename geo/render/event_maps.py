"""Draw an event's change map: H3 cells coloured by the change against the baseline on a diverging scale.

The builder takes the cells frame of ``geo.services.events.EventImpact`` (``cell``, ``change``) and returns
a ``folium.Map``; it never queries. Cells travel as the compact ``presence_maps.HexLayer`` (numbers only);
the classes are symmetric around zero (blue: fewer people than on the baseline days, red: more), so the
colour of no change is the same on every event's map. The event's zones are outlined. Titles and notes go
through ``Legend`` (escaped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import folium
import numpy as np
import pandas as pd

from geo.i18n import _
from geo.render.base import Legend
from geo.render.presence_maps import HexLayer, _fmt, _round_sig, _start, hex_rows

#: Diverging ramp (ColorBrewer RdBu, 7 classes, reversed): decrease blue, no change white, increase red.
DIVERGING: tuple[str, ...] = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")
#: Class bounds as fractions of the scale (the 95th percentile of |change|): ±2/3, ±1/3, ±1/10.
_STEPS = (-2 / 3, -1 / 3, -1 / 10, 1 / 10, 1 / 3, 2 / 3)


def diverging_bounds(values: Sequence[float] | pd.Series) -> list[float]:
    """Upper bounds of the 7 classes of ``DIVERGING`` for ``values``, symmetric around 0.

    The scale is the 95th percentile of the absolute values (2 significant digits), so one extreme cell
    does not wash out the rest; the last bound is the largest value (or the scale), so every value has a class.
    Empty or all-zero input gives a scale of 1.
    """
    arr = np.abs(np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64"))
    scale = _round_sig(float(np.quantile(arr, 0.95))) if arr.size else 0.0
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0
    bounds = [round(scale * s, 10) for s in _STEPS]
    top = float(np.max(np.asarray(pd.Series(values, dtype="float64").dropna()))) if arr.size else scale
    bounds.append(max(top, scale))
    return bounds


def diverging_items(bounds: Sequence[float]) -> list[tuple[str, str]]:
    """(colour, label) legend rows for ``diverging_bounds`` output: "≤ −a", "−a – −b", …, "> c"."""
    b = list(bounds)
    labels = [f"≤ {_fmt(b[0])}"]
    labels += [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(b[:-2], b[1:-1], strict=True)]
    labels.append(f"> {_fmt(b[-2])}")
    return list(zip(DIVERGING, labels, strict=True))


def change_map(
    cells: pd.DataFrame,
    zones_geojson: str | None = None,
    *,
    value: str = "change",
    title: str = "",
    unit: str = "",
    note: str = "",
) -> folium.Map:
    """Cells coloured by ``value`` (event minus baseline, per day) on the diverging scale, zones underneath,
    a legend and a layer control. Cells with no change on either period are left out (transparent)."""
    m = _start(zones_geojson)
    shown = cells[(cells[value].abs() > 0)] if not cells.empty else cells
    bounds = diverging_bounds(shown[value]) if not shown.empty else diverging_bounds([])
    if not shown.empty:
        template, rows = hex_rows(shown, value, bounds)
        HexLayer(rows, template, DIVERGING, unit, name=_("Change against the baseline")).add_to(m)
    items = diverging_items(bounds) if not shown.empty else [("#cccccc", _("No change in any cell"))]
    Legend(title or _("Change against the baseline"), items, note=note).add_to(m)  # trusted-text: Legend escapes
    folium.LayerControl(collapsed=True).add_to(m)
    return m
