"""Compare estimated visitors with published statistics month by month (the calibration check).

Estimated visitors of a month = Σ over the domestic and international groups of weight × devices observed
in the month (``expansion_weights``, fitted by ``geo.build.estimates`` at a coarser grain than the month);
published = that month's published visitors (``published_stats``), scaled to the days with data. Implied
occupancy = estimated overnight visitors present at 02:00, averaged over the month's nights (``cell_nightly``
``est_people``) ÷ (published rooms × persons per room). Everything is read from small tables the build
wrote: nothing is recomputed from the flows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import pandas as pd

from geo import published as pub
from geo import sql
from geo.i18n import DEFAULT_LANGUAGE, _, using_language
from geo.services._require import present_tables, require_tables
from geo.services.capacity import published_supply
from geo.vocab import SEGMENT_GROUP_LABELS

#: The calibration target the issue sets: every month within this relative error on the default data.
TARGET_ERROR = 0.10


@dataclass(frozen=True)
class CalibrationMonth:
    """One month of the check: ``month`` 'YYYY-MM', ``estimated`` visitors (people), ``published`` visitors
    (None when not published), ``error`` (estimated − published) ÷ published, ``implied_occupancy`` and
    ``published_occupancy`` (shares of rooms; None where not computable or not published), ``observed``
    devices behind the estimate."""

    month: str
    estimated: float
    published: float | None
    error: float | None
    implied_occupancy: float | None
    published_occupancy: float | None
    observed: int


@dataclass(frozen=True, eq=False)
class Calibration:
    """The monthly check, the method in words, the weights with their inputs and the supply used.

    ``weights`` has the ``expansion_weights`` columns; ``published`` every published figure with its status
    and source; ``annual_occupancy`` the published yearly occupancy rate (None when not published).
    Compared by identity (``eq=False``): it holds DataFrames.
    """

    months: tuple[CalibrationMonth, ...]
    method: str
    weights: pd.DataFrame
    published: pd.DataFrame
    annual_occupancy: float | None
    rooms: float | None
    persons_per_room: float

    @property
    def worst_error(self) -> float | None:
        """Largest absolute monthly error, None without any published month."""
        errors = [abs(m.error) for m in self.months if m.error is not None]
        return max(errors) if errors else None

    @property
    def peak(self) -> CalibrationMonth | None:
        """The month with the highest implied occupancy (None when none is computable)."""
        known = [m for m in self.months if m.implied_occupancy is not None]
        return max(known, key=lambda m: m.implied_occupancy or 0.0) if known else None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape ``geo calibrate --json`` prints: {"months": [{"month", "estimated", "published",
        "error", "implied_occupancy", "published_occupancy"}], "method"}."""
        keys = ("month", "estimated", "published", "error", "implied_occupancy", "published_occupancy")
        months = []
        for m in self.months:
            row = asdict(m)
            row["estimated"] = round(m.estimated)
            row["published"] = None if m.published is None else round(m.published)
            for k in ("error", "implied_occupancy", "published_occupancy"):
                row[k] = None if row[k] is None else round(float(row[k]), 3)
            months.append({k: row[k] for k in keys})
        return {"months": months, "method": self.method}


def _method(weights: pd.DataFrame, rooms: float | None, ppr: float, market_shares: bool) -> str:
    """The method in words, in the current language."""
    parts = []
    for group, part in weights.groupby("segment_group", sort=True):
        how = str(part["method"].iloc[0])
        w = part["weight"]
        wtxt = f"{w.iloc[0]:,.1f}" if w.nunique() == 1 else f"{w.min():,.1f}–{w.max():,.1f}"
        if how == "annual_fit":
            parts.append(_("{group}: {weight} people per device, one weight for the whole period = published visitors "
                           "of the months with data ({published}) ÷ devices observed in them ({devices})").format(
                group=_(SEGMENT_GROUP_LABELS.get(str(group), str(group))), weight=wtxt,
                published=f"{part['fit_published'].iloc[0]:,.0f}", devices=f"{int(part['fit_devices'].iloc[0]):,}"))
        elif how == "market_share":
            parts.append(_("{group}: {weight} = 1 ÷ (operator market share × sampling), from the feed's own "
                           "file").format(group=_(SEGMENT_GROUP_LABELS.get(str(group), str(group))), weight=wtxt))
        elif how == "population":
            parts.append(_("{group}: {weight} = registered population ({published}) ÷ resident devices "
                           "({devices})").format(
                group=_(SEGMENT_GROUP_LABELS.get(str(group), str(group))), weight=wtxt,
                published=f"{part['fit_published'].iloc[0]:,.0f}", devices=f"{int(part['fit_devices'].iloc[0]):,}"))
        else:
            parts.append(_("{group}: 1 (nothing published: estimates equal observed devices)").format(
                group=_(SEGMENT_GROUP_LABELS.get(str(group), str(group)))))
    text = _("ESTIMATE. Each observed device is expanded by a weight per origin segment group and month. {parts}. "
             "Each month's estimate (weight × devices present that month) is then compared with that month's "
             "published visitors, so only the period total is matched by construction{shares}.").format(
        parts="; ".join(parts),
        shares=_(" (market shares are fitted to nothing published: every month is a check)") if market_shares else "")
    if rooms:
        text += " " + _("Implied occupancy = estimated overnight visitors at 02:00 per night ÷ ({rooms} published "
                        "rooms × {ppr} persons per room).").format(rooms=f"{rooms:,.0f}", ppr=f"{ppr:g}")
    return text + " " + _("Sources: data/README.md; method: docs/estimates.md.")


def method_text(cal: Calibration) -> str:
    """``cal.method`` in the current language (the record keeps the English text: it is cached across readers)."""
    shares = bool((cal.weights["method"] == "market_share").any()) if not cal.weights.empty else False
    return _method(cal.weights, cal.rooms, cal.persons_per_room, shares)


def calibration(con: duckdb.DuckDBPyConnection) -> Calibration:
    """The monthly calibration check of the open database (see ``Calibration``); ``DataNotBuiltError`` when
    the database has no expansion weights (built without flows, or by an older atlas)."""
    require_tables(con, "expansion_weights", "cell_nightly")
    weights = sql.fetch_df(con, "app/expansion_weights")
    months = sql.fetch_df(con, "app/calibration_months")
    nightly = sql.fetch_df(con, "app/calibration_nightly")
    published = (sql.fetch_df(con, "app/published_rows") if "published_stats" in present_tables(con)
                 else pd.DataFrame(columns=list(pub.COLUMNS)))
    supply = published_supply(con)
    beds = supply.beds
    per_night = {pd.Timestamp(r["month_start"]).date(): (r["est_visitor_nights"] / r["nights"] if r["nights"] else None)
                 for r in nightly.to_dict("records")}
    out = []
    for r in months.to_dict("records"):
        start = pd.Timestamp(r["month_start"]).date()
        published_value = None if pd.isna(r["published"]) else float(r["published"])
        estimated = float(r["estimated"])
        nightly_est = per_night.get(start)
        occ = pub.first_value(published, "occupancy", month=start.month) if not published.empty else None
        out.append(CalibrationMonth(
            month=f"{start:%Y-%m}",
            estimated=estimated,
            published=published_value,
            error=(estimated - published_value) / published_value if published_value else None,
            implied_occupancy=(nightly_est / beds) if beds and nightly_est is not None else None,
            published_occupancy=occ,
            observed=int(r["observed"]),
        ))
    annual = pub.first_value(published, "occupancy") if not published.empty else None
    shares = bool((weights["method"] == "market_share").any()) if not weights.empty else False
    with using_language(DEFAULT_LANGUAGE):
        method = _method(weights, supply.rooms, supply.persons_per_room, shares)
    return Calibration(months=tuple(out), method=method,
                       weights=weights, published=published, annual_occupancy=annual, rooms=supply.rooms,
                       persons_per_room=supply.persons_per_room)


def report_lines(cal: Calibration) -> list[str]:
    """The check as text lines (what ``geo build`` and ``geo calibrate`` print)."""
    lines = [f"{'month':<8} {'estimated':>11} {'published':>11} {'error':>7} {'implied occ':>11} {'published occ':>13}"]
    for m in cal.months:
        pubv = "—" if m.published is None else f"{m.published:,.0f}"
        err = "—" if m.error is None else f"{m.error:+.1%}"
        occ = "—" if m.implied_occupancy is None else f"{m.implied_occupancy:.0%}"
        pocc = "—" if m.published_occupancy is None else f"{m.published_occupancy:.0%}"
        lines.append(f"{m.month:<8} {m.estimated:>11,.0f} {pubv:>11} {err:>7} {occ:>11} {pocc:>13}")
    worst = cal.worst_error
    if worst is not None:
        verdict = "within" if worst <= TARGET_ERROR else "OUTSIDE"
        lines.append(f"largest monthly error {worst:.1%}: {verdict} the {TARGET_ERROR:.0%} target")
    peak = cal.peak
    if peak is not None and peak.implied_occupancy is not None:
        ref = "" if cal.annual_occupancy is None else f" (published yearly rate {cal.annual_occupancy:.1%})"
        lines.append(f"peak month {peak.month}: implied occupancy {peak.implied_occupancy:.1%}{ref}")
    lines.append(cal.method)
    return lines


def published_label(key: str) -> str:
    """A published figure's measure, area, unit or segment key (``visitors``, ``province``, ``all``, ...) in the
    current language; a key the table does not name is returned as it is."""
    return _(pub.LABELS[key]) if key in pub.LABELS else key
