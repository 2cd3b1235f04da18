"""Data: what the database holds (tables, row counts, datasets, sources, build time), data-quality notes, provenance."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError, ImportRefusedError
from geo.i18n import N_, _
from geo.ingest.fields import parse_map_options
from geo.ingest.model import action_label
from geo.ingest.run import ImportOptions, ImportReport, import_file, problems_csv
from geo.services import calibration, catalog, placeinfo
from geo.text import markdown_text
from geo.vocab import ALL_CATEGORIES, CATEGORY_LABELS
from ui import export, state
from ui.names import segment_words, translated

#: File types the upload form accepts (the importer checks the content, not only the extension).
UPLOAD_TYPES = ["csv", "tsv", "txt", "geojson", "json", "gpkg", "zip", "parquet", "kml", "fgb", "pbf", "osm"]

#: What each table is, for the loaded-data table (rollups are described by their SQL file comments).
TABLE_NOTES = {
    "places": N_("Real places (attractions, accommodation, health, transport)"),
    "zones": N_("Tourism zones (approximate, drawn by the project)"),
    "cells": N_("H3 cells covering the zones"),
    "meta": N_("Provenance: one row per dataset"),
    "pings": N_("Raw device observations (officials only)"),
    "stays": N_("Stays detected from pings"),
    "place_visits": N_("Visits to places detected from stays"),
    "visits_hourly": N_("Presence cube: cell × hour × segment"),
    "trips": N_("Origin → destination trips per day"),
}


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _quality_notes(q: placeinfo.DataQuality) -> list[tuple[str, str]]:
    """(level, text) notes, level one of ok / warn / info."""
    notes: list[tuple[str, str]] = []
    if q.places_without_zone:
        notes.append(("warn", _("{n} of {total} places lie outside every zone (they are left out of zone "
                                "figures).").format(n=q.places_without_zone, total=q.places)))
    else:
        notes.append(("ok", _("All {n} places lie inside a zone.").format(n=q.places)))
    if q.accommodations:
        notes.append(("warn" if q.accommodations_estimated else "ok",
                      _("{n} of {total} accommodation places ({pct}) have estimated rooms/capacity; {none} have no "
                        "room count.").format(n=q.accommodations_estimated, total=q.accommodations,
                                              pct=_pct(q.accommodations_estimated, q.accommodations),
                                              none=q.accommodations_without_rooms)))
    else:
        notes.append(("warn", _("No accommodation is loaded: the pressure index and catchments have no supply.")))
    if q.attractions_always_open:
        notes.append(("info", _("{n} attractions have no opening hours (treated as always open).").format(
            n=q.attractions_always_open)))
    notes.append(("info", _("{n} of {total} zones are approximate project boundaries, not official ones.").format(
        n=q.zones_approximate, total=q.zones)))
    if not q.flows:
        notes.append(("warn", _("No visitor flows (or their rollups) are built in this database.")))
        return notes
    notes.append(("info", _("Visitor data covers {first} to {last} ({days} days): {presence} days with presence "
                            "data, {trips} with trips.").format(first=q.first_day, last=q.last_day,
                                                                days=q.days_in_range, presence=q.days_with_presence,
                                                                trips=q.days_with_trips)))
    gaps = q.gaps or ()
    if gaps:
        shown = ", ".join(str(g.day) for g in gaps[:10]) + (" …" if len(gaps) > 10 else "")
        notes.append(("warn", _("{n} days in that range miss presence rows or trips: {days}.").format(
            n=len(gaps), days=shown)))
    else:
        notes.append(("ok", _("No day in that range is missing presence rows or trips.")))
    if q.days_partial_hours:
        notes.append(("info", _("{n} days have presence rows in fewer than 24 hours (normal at night in small "
                                "samples).").format(n=q.days_partial_hours)))
    empty = q.cells - q.cells_with_data
    notes.append(("info", _("{n} of {total} H3 cells ({pct}) have no visitor data (mountains, forest and farmland "
                            "as well as gaps).").format(n=f"{empty:,}", total=f"{q.cells:,}", pct=_pct(empty, q.cells))))
    return notes


def _problems_frame(problems: list) -> pd.DataFrame:
    return pd.DataFrame([{"row": p.row, "field": p.field or "", "action": action_label(p.action), "reason": p.reason}
                         for p in problems], columns=["row", "field", "action", "reason"])


def _show_import_result(report: ImportReport | None, error: ImportRefusedError | None, name: str) -> None:
    """The summary as plain text, the problems as a table, and the problems as a CSV download."""
    problems = error.problems if error else report.problems if report else []
    if error is not None:
        st.error(_("Not imported; the database is unchanged.") + " " + markdown_text(str(error)))
    elif report is not None and report.dry_run:
        st.info(_("Check only: {n} of {total} rows would be imported. Nothing was changed.").format(
            n=f"{report.accepted:,}", total=f"{report.rows_read:,}"))
    elif report is not None:
        st.success(_("Imported {n} of {total} rows from {name}.").format(
            n=f"{report.accepted:,}", total=f"{report.rows_read:,}", name=markdown_text(report.name)))
    if report is not None:
        st.text("\n".join(report.summary_lines()))
    if problems:
        st.dataframe(_problems_frame(problems), hide_index=True, width="stretch",
                     column_config={"row": st.column_config.NumberColumn(_("Row"), format="%d"), "field": _("Field"),
                                    "action": _("Action"), "reason": _("Reason")})
        st.download_button(_("Download the problems (CSV)"), problems_csv(problems).encode("utf-8-sig"),
                           file_name=f"{Path(name).stem}-import-problems.csv", mime="text/csv")
    if report is not None:
        st.download_button(_("Download the summary (JSON)"), json.dumps(report.to_dict(), ensure_ascii=False, indent=1),
                           file_name=f"{Path(name).stem}-import-summary.json", mime="application/json")


def render_import_form() -> None:
    """Upload a file and import it (officials only): same checks, summary and guarantees as ``geo import``."""
    limit_mb = state.app_settings().upload_max_mb
    st.subheader(_("Import data"))
    st.caption(  # trusted-text: limit_mb is a number from the settings
        _("Places (CSV/TSV, GeoJSON, GeoPackage, zipped Shapefile, GeoParquet, KML, FlatGeobuf, OpenStreetMap "
          ".osm/.osm.pbf), zone boundaries as a new level, an operator's raw pings (CSV/TSV or Parquet: device, "
          "time, lat, lon, segment), which replace the visitor flows and re-run the pipeline, or an operator's "
          "aggregated tables (CSV/TSV or Parquet): hourly presence per H3 cell or zone (hour, cell or zone, "
          "segment, visitors), which replaces the visitor flows on every map, and origin-destination trips per "
          "day (day, origin, destination, segment, trips). Files up to {limit_mb} MB. Every row is checked; "
          "problems are listed with their row and reason, and if anything fails the database is left exactly "
          "as it was. The same as `python -m geo import` (README, Import).").format(limit_mb=limit_mb))
    with st.form("import_form", clear_on_submit=False):
        upload = st.file_uploader(_("File (at most {mb} MB)").format(mb=limit_mb), type=UPLOAD_TYPES, key="import_file")
        c = st.columns(3)
        layer = c[0].selectbox(_("Import as"), ["places", "zones", "visits", "trips", "pings", "roads"],
                               key="import_layer",
                               format_func={"places": _("Places"), "zones": _("Zone boundaries (a level)"),
                                            "visits": _("Hourly presence per H3 cell or zone (operator's aggregates)"),
                                            "trips": _("Origin-destination trips per day (operator's aggregates)"),
                                            "pings": _("Raw pings (replace the visitor flows)"),
                                            "roads": _("Road network (OpenStreetMap .osm/.osm.pbf)")}.get)
        level = c[1].text_input(_("Zone level name (boundaries; or the level a presence or trips file names its "
                                  "zones in, or place)"), placeholder="district", key="import_level")
        mode = c[2].radio(_("Mode"), ["default", "append", "replace"], horizontal=True, key="import_mode",
                          format_func={"default": _("default"), "append": _("append"), "replace": _("replace")}.get,
                          help=_("Default: places are added, a boundary level replaces the same level."))
        category = st.selectbox(_("Category for rows with none or an unknown one (places)"), ["", *ALL_CATEGORIES],
                                key="import_category",
                                format_func=lambda v: _("— none: such rows are rejected —") if not v
                                else _(CATEGORY_LABELS.get(v, v)))
        mapping = st.text_area(_("Field mapping, one DEST=SOURCE per line (optional)"), key="import_map",
                               placeholder="name_en=ADM2_EN\nname_th=ADM2_TH")
        segments = st.text_area(_("Segments (presence and trips): the operator's spellings, one SOURCE=SEGMENT per "
                                  "line, or one SEGMENT for rows with none (optional)"), key="import_segments",
                                placeholder="Bangkok=domestic:Bangkok\nChina=international:CN")
        source_layer = st.text_input(_("Layer inside the file (GeoPackage, KML or zip with several; optional)"),
                                     key="import_source_layer")
        attribution = st.text_input(_("Source and licence (shown with the data)"), key="import_attribution",
                                    placeholder=_("Department of Provincial Administration, 2024"))
        c2 = st.columns(2)
        strict = c2[0].checkbox(_("Strict: refuse the file if any row has a problem"), key="import_strict")
        dry_run = c2[1].checkbox(_("Check only (change nothing)"), value=True, key="import_dry_run")
        submitted = st.form_submit_button(_("Check and import"), type="primary")
    if not submitted:
        return
    if upload is None:
        st.warning(_("Choose a file first."))
        return
    if upload.size > limit_mb * 1024 * 1024:
        st.error(  # trusted-text: sizes are numbers
            _("Not imported: the file is {size} MB, over the {mb} MB limit of this form. Use `python -m geo import` "
              "for larger files.").format(size=f"{upload.size / 1024 / 1024:.1f}", mb=limit_mb))
        return
    name = Path(upload.name).name
    report: ImportReport | None = None
    error: ImportRefusedError | None = None
    with tempfile.TemporaryDirectory(prefix="atlas-upload-") as tmp:
        path = Path(tmp) / ("upload" + "".join(Path(name).suffixes[-2:]))
        path.write_bytes(upload.getbuffer())
        try:
            options = ImportOptions(
                layer=layer, level=level.strip() or None, mapping=parse_map_options(
                    line for line in mapping.splitlines() if line.strip()),
                category=tuple(line.strip() for line in segments.splitlines() if line.strip())
                if layer in ("visits", "trips") else (category,) if category else (),
                replace={"append": False, "replace": True}.get(mode),
                strict=strict, dry_run=dry_run, attribution=attribution.strip() or None,
                max_bytes=limit_mb * 1024 * 1024, name=name, source_layer=source_layer.strip() or None,
            )
            with st.spinner(_("Checking and importing...")):
                report = import_file(path, options, state.app_settings().db_path, state.app_settings())
            if report.written:
                state.release_connections()  # the next query opens the new file, not DuckDB's cached old one
        except ImportRefusedError as exc:
            error = exc
    _show_import_result(report, error, name)


def render_kinds() -> None:
    """Real (with source), approximate and simulated parts of the database, and what is an estimate."""
    st.subheader(_("Real, approximate, simulated and estimated"))
    kinds = state.call(catalog.data_kinds)
    if kinds.empty:
        st.info(_("No provenance recorded in this database."))
        return
    kinds = kinds.assign(part=kinds["part"].map(vocab.dataset_text), kind=translated(kinds["kind"]),
                         detail=kinds["detail"].map(vocab.source_text))
    st.dataframe(kinds, hide_index=True, width="stretch",
                 column_config={"part": _("Part"), "kind": _("Kind"), "detail": _("Source or why")})


def render_calibration() -> None:
    """The calibration check: estimated visitors against the published figures per month, the method, the
    weights with their inputs and every published figure with its status."""
    st.subheader(_("Estimated people: calibration against published statistics"))
    try:
        cal = state.call(calibration.calibration)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return
    months = pd.DataFrame([m.__dict__ for m in cal.months])
    worst = cal.worst_error
    c = st.columns(3)
    c[0].metric(_("Largest monthly error"), "—" if worst is None else f"{worst:.1%}",
                help=_("|estimated − published| ÷ published, the worst month; the target is {t}.").format(
                    t=f"{calibration.TARGET_ERROR:.0%}"))
    peak = cal.peak
    c[1].metric(_("Peak-month implied occupancy"),
                "—" if peak is None or peak.implied_occupancy is None else f"{peak.implied_occupancy:.0%}",
                None if peak is None else peak.month, delta_color="off",  # trusted-text: a YYYY-MM month
                help=_("Estimated overnight visitors at 02:00 per night ÷ (published rooms × persons per room)."))
    c[2].metric(_("Published yearly occupancy"), "—" if cal.annual_occupancy is None else f"{cal.annual_occupancy:.1%}")
    if not months.empty:
        st.dataframe(
            months[["month", "estimated", "published", "error", "implied_occupancy", "published_occupancy", "observed"]],
            hide_index=True, width="stretch",
            column_config={
                "month": _("Month"),
                "estimated": st.column_config.NumberColumn(_("Estimated visitors"), format="localized"),
                "published": st.column_config.NumberColumn(_("Published visitors"), format="localized"),
                "error": st.column_config.NumberColumn(_("Error"), format="percent"),
                "implied_occupancy": st.column_config.NumberColumn(_("Implied occupancy"), format="percent"),
                "published_occupancy": st.column_config.NumberColumn(_("Published occupancy"), format="percent"),
                "observed": st.column_config.NumberColumn(_("Observed devices"), format="localized"),
            },
        )
    st.caption(markdown_text(calibration.method_text(cal)))
    with st.expander(_("Expansion weights and their inputs")):
        weights = cal.weights.copy()
        for column in ("segment_group", "segment"):
            if column in weights.columns:
                weights[column] = segment_words(weights[column])
        st.dataframe(weights, hide_index=True, width="stretch")
    with st.expander(_("Published figures (status: read, derived, recalled = to verify, estimate)")):
        published = cal.published.copy()
        for column in ("measure", "area", "unit"):
            if column in published.columns:
                published[column] = published[column].map(calibration.published_label)
        if "status" in published.columns:
            published["status"] = translated(published["status"])
        if "segment" in published.columns:
            published["segment"] = [calibration.published_label(k) if k == "all" else w
                                    for k, w in zip(published["segment"], segment_words(published["segment"]),
                                                    strict=True)]
        # The "source" column stays as written: each is a bibliographic citation of a Thai or English
        # publication, which a reader must find under its own title (geo.vocab.SOURCE_TEMPLATES says more).
        st.dataframe(published, hide_index=True, width="stretch")


def render() -> None:
    """Loaded tables, datasets, quality notes and provenance text."""
    st.title(_("Data"))
    state.sidebar_filters(show_categories=False)
    st.caption(_("What this atlas database holds, how good it is, and where it comes from. The filters do not apply here."))
    meta = state.call(catalog.provenance)
    sizes = state.call(placeinfo.table_sizes)
    quality = state.call(placeinfo.data_quality)
    simulated = bool(meta["simulated"].any()) if not meta.empty else False
    c = st.columns(4)
    c[0].metric(_("Tables"), f"{len(sizes)}")
    c[1].metric(_("Places"), f"{quality.places:,}")
    c[2].metric(_("Built (UTC)"), f"{meta['built_at'].max():%Y-%m-%d}" if not meta.empty else "–")
    c[3].metric(_("Visitor data"), _("SIMULATED") if simulated else _("real"))

    st.subheader(_("Tables loaded"))
    sizes = sizes.assign(
        kind=[_("pipeline") if t in TABLE_NOTES else _("rollup") for t in sizes["table_name"]],
        description=[_(TABLE_NOTES.get(t, N_("Rollup read by the pages (queries/rollups)")))
                     for t in sizes["table_name"]],
    ).sort_values(["kind", "table_name"])
    st.dataframe(
        sizes[["table_name", "kind", "row_count", "column_count", "description"]], hide_index=True,
        width="stretch",
        column_config={"table_name": _("Table"), "kind": _("Kind"),
                       "row_count": st.column_config.NumberColumn(_("Rows"), format="localized"),
                       "column_count": st.column_config.NumberColumn(_("Columns"), format="%d"),
                       "description": _("What it holds")},
    )

    st.subheader(_("Datasets and sources"))
    if meta.empty:
        st.info(_("No provenance recorded in this database."))
    else:
        st.dataframe(
            meta.assign(dataset=meta["dataset"].map(vocab.dataset_text),
                        label=meta["simulated"].map({True: _("SIMULATED"), False: _("real")}),
                        sources=meta["sources"].map(vocab.source_text))[
                ["dataset", "label", "sources", "seed", "built_at", "version"]],
            hide_index=True, width="stretch",
            column_config={"dataset": _("Dataset"), "label": _("Simulated?"), "sources": _("Sources"), "seed": _("Seed"),
                           "built_at": st.column_config.DatetimeColumn(_("Built (UTC)"), format="YYYY-MM-DD HH:mm"),
                           "version": _("Atlas version")},
        )

    render_kinds()
    render_calibration()

    st.subheader(_("Data-quality notes"))
    for level, text in _quality_notes(quality):
        {"ok": st.success, "warn": st.warning}.get(level, st.info)(markdown_text(text))
    if quality.gaps:
        st.dataframe(pd.DataFrame(quality.gaps), hide_index=True, width="stretch")

    st.subheader(_("Provenance"))
    for rec in meta.to_dict("records"):
        label = _("SIMULATED") if rec["simulated"] else _("real")
        seed = (_(", seed {seed}").format(seed=int(rec["seed"]))
                if rec.get("seed") is not None and not pd.isna(rec.get("seed")) else "")
        st.markdown(_("**{dataset}** — {label}{seed}; built {built} UTC, atlas {version}").format(  # trusted-text: label and seed are the atlas's own words and a number
            dataset=markdown_text(vocab.dataset_text(rec["dataset"])), label=label, seed=seed, built=f"{rec['built_at']:%Y-%m-%d %H:%M}",
            version=markdown_text(rec["version"])))
        st.text(vocab.source_text(rec["sources"]))
        if rec.get("params"):
            with st.expander(_("Build parameters of {dataset}").format(
                    dataset=markdown_text(vocab.dataset_text(rec["dataset"])))):
                st.json(json.loads(rec["params"]))
    if not state.app_settings().is_public:
        render_import_form()
    state.provenance_note()
    export.section("data", None, export.table("tables", sizes), export.table("datasets", meta),
                   export.table("coverage_gaps", pd.DataFrame(quality.gaps) if quality.gaps else None), fields=())


state.guard(render)
