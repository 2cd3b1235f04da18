"""Suppress person-day units below the privacy floor: primary, complementary, and merging small origins.

Pure functions on the device-level frame ``publish/person_days.sql`` returns (month_start, device, zone_id,
segment, segment_group, visitor_type, people_days: one row per device, month and main zone). Device ids
stay in this process; what leaves it is counts. docs/privacy.md explains the rules:

* **primary**: a unit with fewer than ``floor`` distinct people is not published;
* **complementary** (``zone_days``): within a family of units that partition a total (the zones and visitor
  types of one month and segment group partition that month's people of the group, whose number the origin
  table publishes), the hidden units together must hold no one or at least ``floor`` distinct people; while
  they hold 1 to ``floor - 1``, the smallest shown unit of the family is hidden too. Whatever total of the
  family anyone knows or estimates, the total minus the shown units is then an aggregate of ``floor`` people
  or more (or the whole family is hidden: then the group is below the floor and ``origins`` drops it too);
* **merging** (``origins``): origin markets below the floor are merged into "<group>:other" per month and
  group; while "other" holds 1 to ``floor - 1`` people the smallest shown market joins it, and a group
  below the floor altogether is not published.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Columns of the device-level person-days frame.
PERSON_DAY_COLUMNS = ("month_start", "device", "zone_id", "segment", "segment_group", "visitor_type", "people_days")
ZONE_DAY_KEY = ("month_start", "zone_id", "segment_group", "visitor_type")
#: The units of one family partition the people of one month and segment group (pub_origins publishes that total).
ZONE_DAY_FAMILY = ("month_start", "segment_group")
#: Suffix of the merged origin of a segment group ("domestic:other", "international:other").
OTHER = "other"


@dataclass(frozen=True)
class Suppression:
    """What suppression did to one table: units published, hidden below the floor (primary), hidden to protect
    them (complementary), and the share of the table's measure that is published (0..1; for the publisher's
    summary, never written into the published file: with the grand total it would give the hidden sum)."""

    published: int
    primary: int
    complementary: int
    share_published: float


def _empty_zone_days() -> pd.DataFrame:
    return pd.DataFrame({
        "month_start": pd.Series(dtype="datetime64[ns]"), "zone_id": pd.Series(dtype=object),
        "segment_group": pd.Series(dtype=object), "visitor_type": pd.Series(dtype=object),
        "people": pd.Series(dtype="int64"), "people_days": pd.Series(dtype="int64"),
    })


def zone_days(person_days: pd.DataFrame, floor: int) -> tuple[pd.DataFrame, Suppression]:
    """Person-days by main zone × month × segment group × visitor type, floored with complementary suppression.

    Returns the published rows (month_start, zone_id with None outside every zone, segment_group, visitor_type,
    people, people_days), sorted, and what was suppressed. ``floor`` ≥ 1.
    """
    if person_days.empty:
        return _empty_zone_days(), Suppression(0, 0, 0, 1.0)
    units = (person_days.groupby(list(ZONE_DAY_KEY), as_index=False)
             .agg(people=("device", "nunique"), people_days=("people_days", "sum")))
    units["hidden"] = units["people"] < floor
    primary = int(units["hidden"].sum())
    complementary = 0
    members = person_days.groupby(list(ZONE_DAY_KEY))["device"].agg(frozenset).to_dict()
    for _, family in units[units["hidden"]].groupby(list(ZONE_DAY_FAMILY)):
        whole = units.loc[
            (units["month_start"] == family["month_start"].iloc[0])
            & (units["segment_group"] == family["segment_group"].iloc[0])
        ].sort_values(["people", "people_days", "zone_id", "visitor_type"])
        hidden_people: set = set()
        for idx in whole.index[whole["hidden"]]:
            hidden_people |= members[tuple(units.loc[idx, list(ZONE_DAY_KEY)])]
        shown = [i for i in whole.index if not units.at[i, "hidden"]]
        while 0 < len(hidden_people) < floor and shown:
            idx = shown.pop(0)  # the smallest shown unit of the family
            units.at[idx, "hidden"] = True
            complementary += 1
            hidden_people |= members[tuple(units.loc[idx, list(ZONE_DAY_KEY)])]
    total = float(units["people_days"].sum())
    out = units[~units["hidden"]].drop(columns="hidden")
    out = out.assign(zone_id=out["zone_id"].replace("", None))
    out = out.sort_values(list(ZONE_DAY_KEY), na_position="first").reset_index(drop=True)
    share = float(out["people_days"].sum()) / total if total else 1.0
    return out, Suppression(len(out), primary, complementary, share)


def origins(person_days: pd.DataFrame, floor: int) -> tuple[pd.DataFrame, Suppression]:
    """People per origin market (segment) and month; markets below ``floor`` merged into "<group>:other".

    A person counts once per month (a device's segment is fixed). Returns the published rows (month_start,
    origin, segment_group, people), sorted, and what was merged or dropped (``primary``: markets merged or
    dropped; ``complementary``: markets at or above the floor merged to lift "other" to the floor).
    """
    columns = ["month_start", "origin", "segment_group", "people"]
    people = (person_days.drop_duplicates(["month_start", "device"])
              .groupby(["month_start", "segment", "segment_group"], as_index=False).size()
              .rename(columns={"segment": "origin", "size": "people"}))
    rows: list[dict] = []
    primary = complementary = 0
    total = int(people["people"].sum()) if not people.empty else 0
    for (month, group), markets in people.groupby(["month_start", "segment_group"]):
        markets = markets.sort_values(["people", "origin"], ascending=[False, True])
        shown = [r for r in markets.to_dict("records") if r["people"] >= floor]
        merged = [r for r in markets.to_dict("records") if r["people"] < floor]
        primary += len(merged)
        while 0 < sum(r["people"] for r in merged) < floor and shown:
            merged.append(shown.pop())  # the smallest shown market joins "other"
            complementary += 1
        rows += [{"month_start": month, "origin": r["origin"], "segment_group": group, "people": int(r["people"])}
                 for r in shown]
        rest = sum(r["people"] for r in merged)
        if rest >= floor:
            rows.append({"month_start": month, "origin": f"{group}:{OTHER}", "segment_group": group, "people": rest})
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        out = out.astype({"people": "int64"})
    out = out.sort_values(["month_start", "segment_group", "origin"]).reset_index(drop=True)
    share = float(out["people"].sum()) / total if total else 1.0
    published = len(out)
    return out, Suppression(published, primary, complementary, share)

