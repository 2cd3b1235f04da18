"""Estimated people for the published file: public weights from published rows, estimate columns, calibration.

The officials' expansion weights (``expansion_weights``, geo/build/estimates.py) divide a published statistic by
a count of observed devices. Published as they are, they would publish that device count too (weight = figure ÷
devices, and the figure is public), a total that a hidden group-month could be recovered from by subtraction.
The public weights are therefore recomputed here **from published rows and public statistics only**:

* ``annual_fit`` (domestic, international): the published visitors of the months where the group is published
  (``published``, already scaled to the days with data) ÷ the group's people in those months as ``pub_origins``
  publishes them (the sum of its rows). Equal to the officials' weight whenever no month of the group is hidden;
* ``market_share``: 1 ÷ (market share × sampling), from the operator's file (no devices in it), month by month;
* ``population`` (residents): the registered population ÷ the residents ``pub_origins`` publishes in an average
  published month (the officials divide by the distinct resident devices of the whole span, which no published
  row holds);
* ``observed``: 1.

Every estimate column is then weight × a published count of the same row (``est_people`` = weight × ``people``;
``est_people_hours``, ``est_people_days``, ``est_trips``, ``est_visits`` likewise), so a published estimate says
exactly what the published count says, and a suppressed row has no estimate. Tables without a segment group
(corridors, place visits) use the month's **pooled weight**: Σ weight × people ÷ Σ people over the groups of
``pub_origins``, itself a function of published rows.

The calibration line compares, per month, the estimated visitors (Σ over domestic and international of weight ×
people with a person-day in the month, ``pub_origins``) with the published visitors of the month.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.i18n import N_

#: Groups whose estimate is compared with the published visitor figures.
VISITOR_GROUPS = ("domestic", "international")
#: Columns of the public weights (also the rows written into the publication record).
PUBLIC_WEIGHT_COLUMNS = ("segment_group", "month_start", "weight", "method", "people", "published")
#: Estimate columns added to each published table: (estimate column, the published count it multiplies).
ESTIMATE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "pub_presence": (("est_people", "people"), ("est_people_hours", "people_hours")),
    "pub_zone_days": (("est_people", "people"), ("est_people_days", "people_days")),
    "pub_origins": (("est_people", "people"),),
    "pub_corridors": (("est_people", "people"), ("est_trips", "trips")),
    "pub_place_visits": (("est_people", "people"), ("est_visits", "visits")),
}
#: The method of the public estimates in one paragraph (written into the publication record).
METHOD = N_(
    "ESTIMATE. Each published count is multiplied by a weight per origin segment group and month: estimated "
    "people = weight × published people (and likewise for people-hours, person-days, trips and visits). The "
    "weights are computed from published rows and public statistics only: for domestic and international "
    "visitors, the published visitors of the months where the group is published ÷ the group's people in those "
    "months (pub_origins), one weight for the period; for residents, the registered population ÷ the residents "
    "published in an average month; 1 ÷ (market share × sampling) where the operator gave market shares; 1 where "
    "nothing is published. Corridors and place visits have no segment group: they use the month's pooled weight "
    "(Σ weight × people ÷ Σ people over the origin groups), which assumes their visitors have the month's origin "
    "mix. A suppressed row has no estimate. The calibration line compares each month's estimated visitors with "
    "the month's published visitors; only the period total is matched by construction."
)


def _month(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def group_people(origins: pd.DataFrame) -> pd.DataFrame:
    """People per segment group and month as ``pub_origins`` publishes them (the sum of its rows)."""
    if origins.empty:
        return pd.DataFrame({"segment_group": pd.Series(dtype=object), "month_start": pd.Series(dtype="datetime64[ns]"),
                             "people": pd.Series(dtype="int64")})
    df = origins.assign(month_start=origins["month_start"].map(_month))
    return df.groupby(["segment_group", "month_start"], as_index=False)["people"].sum()


def public_weights(official: pd.DataFrame, origins: pd.DataFrame) -> pd.DataFrame:
    """The public weights per segment group and published month (``PUBLIC_WEIGHT_COLUMNS``; module docstring).

    ``official``: rows of ``expansion_weights`` (segment_group, month_start, coverage, published, weight, method,
    fit_published, market_share; empty when the source has none). ``origins``: the ``pub_origins`` rows. Only the
    group-months ``pub_origins`` publishes get a weight; a group-month without an officials' row gets weight 1.
    """
    people = group_people(origins)
    off = official.assign(month_start=official["month_start"].map(_month)) if not official.empty else official
    rows: list[dict] = []
    for group, part in people.groupby("segment_group", sort=True):
        fitted = (off[off["segment_group"] == group].set_index("month_start") if not off.empty
                  else pd.DataFrame(columns=["coverage", "published", "weight", "method", "fit_published"]))
        months = list(part["month_start"])
        counts = dict(zip(part["month_start"], part["people"].astype("int64"), strict=True))
        method = str(fitted["method"].iloc[0]) if not fitted.empty else "observed"
        known = [m for m in months if m in fitted.index]
        weights = dict.fromkeys(months, 1.0)
        if method == "market_share":
            weights.update({m: float(fitted.at[m, "weight"]) for m in known})
        elif method == "annual_fit" and known:
            monthly = [fitted.at[m, "published"] for m in known]
            if all(pd.notna(p) for p in monthly):
                numerator = float(sum(monthly))
            else:  # fitted to the yearly figure: that figure's share of the published months' days
                total_cov = float(fitted["coverage"].sum())
                numerator = (float(fitted["fit_published"].iloc[0]) * float(sum(fitted.at[m, "coverage"] for m in known))
                             / total_cov) if total_cov else 0.0
            denominator = sum(counts[m] for m in known)
            if numerator and denominator:
                weights.update(dict.fromkeys(known, numerator / denominator))
        elif method == "population" and known:
            population = float(fitted["fit_published"].iloc[0])
            average = sum(counts[m] for m in known) / len(known)
            if population and average:
                weights.update(dict.fromkeys(known, population / average))
        else:
            method = "observed"
        for m in months:
            published = fitted.at[m, "published"] if m in fitted.index else None
            rows.append({"segment_group": group, "month_start": m.date(), "weight": weights[m], "method": method,
                         "people": counts[m], "published": None if published is None or pd.isna(published)
                         else float(published)})
    return pd.DataFrame(rows, columns=list(PUBLIC_WEIGHT_COLUMNS))


def pooled_weights(weights: pd.DataFrame) -> dict[pd.Timestamp, float]:
    """The month's weight for tables without a segment group: Σ weight × people ÷ Σ people over the groups."""
    out: dict[pd.Timestamp, float] = {}
    for month, part in weights.groupby("month_start"):
        people = float(part["people"].sum())
        out[_month(month)] = float((part["weight"] * part["people"]).sum()) / people if people else 1.0
    return out


def add_estimates(table: str, rows: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """``rows`` of the published ``table`` with its estimate columns (``ESTIMATE_COLUMNS``): weight × count.

    Rows with a segment group take the group's weight of their month; the others the month's pooled weight. A
    row whose month or group has no weight keeps weight 1 (it cannot happen for a published row: its group-month
    is in ``pub_origins``, or the row would be below the floor).
    """
    out = rows.copy()
    if "segment_group" in out.columns:
        lookup = {(g, _month(m)): float(w) for g, m, w in
                  zip(weights["segment_group"], weights["month_start"], weights["weight"], strict=True)}
        factor = [lookup.get((g, _month(m)), 1.0) for g, m in zip(out["segment_group"], out["month_start"], strict=True)]
    else:
        pooled = pooled_weights(weights)
        factor = [pooled.get(_month(m), 1.0) for m in out["month_start"]]
    for est, count in ESTIMATE_COLUMNS[table]:
        out[est] = out[count].astype("float64") * pd.Series(factor, index=out.index, dtype="float64")
    return out


def calibration(weights: pd.DataFrame) -> list[dict[str, Any]]:
    """Per month: estimated visitors (domestic + international, weight × published people), the published
    visitors (None unless every visitor group of the month has a published figure), the error and the people
    behind the estimate. Months in order."""
    visitors = weights[weights["segment_group"].isin(VISITOR_GROUPS)]
    out = []
    for month, part in visitors.groupby("month_start", sort=True):
        estimated = float((part["weight"] * part["people"]).sum())
        published = float(part["published"].sum()) if part["published"].notna().all() else None
        out.append({
            "month": f"{pd.Timestamp(month):%Y-%m}",
            "estimated": round(estimated),
            "published": None if published is None else round(published),
            "error": round((estimated - published) / published, 4) if published else None,
            "people": int(part["people"].sum()),
        })
    return out


def record(weights: pd.DataFrame) -> dict[str, Any]:
    """What the publication record says about the estimates: method, weights per group and month, calibration."""
    months = calibration(weights)
    errors = [abs(m["error"]) for m in months if m["error"] is not None]
    return {
        "method": METHOD,
        "weights": [{"segment_group": r["segment_group"], "month": f"{pd.Timestamp(r['month_start']):%Y-%m}",
                     "weight": float(r["weight"]), "method": r["method"]}
                    for r in weights.to_dict("records")],
        "calibration": months,
        "worst_error": max(errors) if errors else None,
    }
