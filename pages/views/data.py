"""Data: what the database holds (tables, row counts, datasets, sources, build time), data-quality notes, provenance."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from geo.services import catalog, placeinfo
from geo.text import markdown_text
from ui import state

#: What each table is, for the loaded-data table (rollups are described by their SQL file comments).
TABLE_NOTES = {
    "places": "Real places (attractions, accommodation, health, transport)",
    "zones": "Tourism zones (approximate, drawn by the project)",
    "cells": "H3 cells covering the zones",
    "meta": "Provenance: one row per dataset",
    "pings": "Raw device observations (officials only)",
    "stays": "Stays detected from pings",
    "place_visits": "Visits to places detected from stays",
    "visits_hourly": "Presence cube: cell × hour × segment",
    "trips": "Origin → destination trips per day",
}


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _quality_notes(q: placeinfo.DataQuality) -> list[tuple[str, str]]:
    """(level, text) notes, level one of ok / warn / info."""
    notes: list[tuple[str, str]] = []
    if q.places_without_zone:
        notes.append(("warn", f"{q.places_without_zone} of {q.places} places lie outside every zone "
                              "(they are left out of zone figures)."))
    else:
        notes.append(("ok", f"All {q.places} places lie inside a zone."))
    if q.accommodations:
        notes.append(("warn" if q.accommodations_estimated else "ok",
                      f"{q.accommodations_estimated} of {q.accommodations} accommodation places "
                      f"({_pct(q.accommodations_estimated, q.accommodations)}) have estimated rooms/capacity; "
                      f"{q.accommodations_without_rooms} have no room count."))
    else:
        notes.append(("warn", "No accommodation is loaded: the pressure index and catchments have no supply."))
    if q.attractions_always_open:
        notes.append(("info", f"{q.attractions_always_open} attractions have no opening hours (treated as always open)."))
    notes.append(("info", f"{q.zones_approximate} of {q.zones} zones are approximate project boundaries, "
                          "not official ones."))
    if not q.flows:
        notes.append(("warn", "No visitor flows (or their rollups) are built in this database."))
        return notes
    notes.append(("info", f"Visitor data covers {q.first_day} to {q.last_day} ({q.days_in_range} days): "
                          f"{q.days_with_presence} days with presence data, {q.days_with_trips} with trips."))
    gaps = q.gaps or ()
    if gaps:
        shown = ", ".join(str(g.day) for g in gaps[:10]) + (" …" if len(gaps) > 10 else "")
        notes.append(("warn", f"{len(gaps)} days in that range miss presence rows or trips: {shown}."))
    else:
        notes.append(("ok", "No day in that range is missing presence rows or trips."))
    if q.days_partial_hours:
        notes.append(("info", f"{q.days_partial_hours} days have presence rows in fewer than 24 hours "
                              "(normal at night in small samples)."))
    empty = q.cells - q.cells_with_data
    notes.append(("info", f"{empty:,} of {q.cells:,} H3 cells ({_pct(empty, q.cells)}) have no visitor data "
                          "(mountains, forest and farmland as well as gaps)."))
    return notes


def render() -> None:
    """Loaded tables, datasets, quality notes and provenance text."""
    st.title("Data")
    state.sidebar_filters(show_categories=False)
    st.caption("What this atlas database holds, how good it is, and where it comes from. The filters do not apply here.")
    meta = state.call(catalog.provenance)
    sizes = state.call(placeinfo.table_sizes)
    quality = state.call(placeinfo.data_quality)
    simulated = bool(meta["simulated"].any()) if not meta.empty else False
    c = st.columns(4)
    c[0].metric("Tables", f"{len(sizes)}")
    c[1].metric("Places", f"{quality.places:,}")
    c[2].metric("Built (UTC)", f"{meta['built_at'].max():%Y-%m-%d}" if not meta.empty else "–")
    c[3].metric("Visitor data", "SIMULATED" if simulated else "real")

    st.subheader("Tables loaded")
    sizes = sizes.assign(
        kind=["pipeline" if t in TABLE_NOTES else "rollup" for t in sizes["table_name"]],
        description=[TABLE_NOTES.get(t, "Rollup read by the pages (queries/rollups)") for t in sizes["table_name"]],
    ).sort_values(["kind", "table_name"])
    st.dataframe(
        sizes[["table_name", "kind", "row_count", "column_count", "description"]], hide_index=True,
        width="stretch",
        column_config={"table_name": "Table", "kind": "Kind",
                       "row_count": st.column_config.NumberColumn("Rows", format="localized"),
                       "column_count": st.column_config.NumberColumn("Columns", format="%d"),
                       "description": "What it holds"},
    )

    st.subheader("Datasets and sources")
    if meta.empty:
        st.info("No provenance recorded in this database.")
    else:
        st.dataframe(
            meta.assign(label=meta["simulated"].map({True: "SIMULATED", False: "real"}))[
                ["dataset", "label", "sources", "seed", "built_at", "version"]],
            hide_index=True, width="stretch",
            column_config={"dataset": "Dataset", "label": "Simulated?", "sources": "Sources", "seed": "Seed",
                           "built_at": st.column_config.DatetimeColumn("Built (UTC)", format="YYYY-MM-DD HH:mm"),
                           "version": "Atlas version"},
        )

    st.subheader("Data-quality notes")
    for level, text in _quality_notes(quality):
        {"ok": st.success, "warn": st.warning}.get(level, st.info)(markdown_text(text))
    if quality.gaps:
        st.dataframe(pd.DataFrame(quality.gaps), hide_index=True, width="stretch")

    st.subheader("Provenance")
    for rec in meta.to_dict("records"):
        label = "SIMULATED" if rec["simulated"] else "real"
        seed = f", seed {int(rec['seed'])}" if rec.get("seed") is not None and not pd.isna(rec.get("seed")) else ""
        st.markdown(f"**{markdown_text(rec['dataset'])}** — {label}{seed}; built {rec['built_at']:%Y-%m-%d %H:%M} UTC, "  # trusted-text: label and seed are the atlas's own words and a number
                    f"atlas {markdown_text(rec['version'])}")
        st.text(rec["sources"])
        if rec.get("params"):
            with st.expander(f"Build parameters of {markdown_text(rec['dataset'])}"):
                st.json(json.loads(rec["params"]))
    state.provenance_note()


state.guard(render)
