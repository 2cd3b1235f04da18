"""Every fixed text of the report pack and of export captions, in one table per language, read through ``text``.

The report (``geo.report``) and the export captions (``ui.export``) never write a sentence of their own:
they ask ``text(key, lang, **values)``. ``TEXTS["en"]`` is complete. **Thai is not translated yet**: the
Thai wording belongs to the language issue (issue 15), which fills ``TEXTS["th"]`` (or replaces this
module with the project's message catalogue); until then every key falls back to English. What ``--lang
th`` already changes: Thai fonts first, Thai place and zone names (``name_th``) in tables, map labels
and the busiest-zone KPI, and Thai line breaking (``lang: "th"`` in the PDF).
"""

from __future__ import annotations

from typing import Any

#: Languages the report accepts.
LANGUAGES: tuple[str, ...] = ("en", "th")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "destination": "Chiang Mai",
        "report_title": "Tourism report: {destination}",
        "report_subtitle": "Tourism Atlas report pack",
        "period": "Period",
        "previous_period": "Compared with",
        "filters": "Filters",
        "zone": "Zone",
        "all_zones": "whole province (all zones)",
        "sections": "Sections",
        "database": "Database",
        "built": "Data built",
        "generated": "Report generated",
        "language": "Language",
        "language_note": "English (Thai names of places and zones where the data has them)",
        "language_note_th": "English labels (Thai translation not yet available); Thai names of places and zones",
        "simulated_banner": "SIMULATED visitor data. Visitor figures in this report are simulated by the atlas "
                            "from published tourism statistics; they are not real telecom records. Places are real.",
        "simulated_footer": "SIMULATED visitor data",
        "real_footer": "Visitor data: real",
        "page": "Page",
        "contents": "Contents",
        "section_overview": "Overview",
        "section_density": "Visitor density",
        "section_flows": "Flows and routes",
        "section_capacity": "Accommodation and capacity",
        "section_places": "Places",
        "section_sources": "Data sources and definitions",
        "measure": "Measure",
        "this_period": "This period",
        "previous": "Previous period",
        "change": "Change",
        "kpi_visitors": "Visitors (people-days)",
        "kpi_overnight": "Overnight (people-days)",
        "kpi_day_trippers": "Day-trippers (people-days)",
        "kpi_residents": "Residents (people-days)",
        "kpi_international_share": "International share",
        "kpi_dwell": "Dwell per attraction visit",
        "kpi_busiest_hour": "Busiest hour",
        "kpi_per_day": "Visitors per day",
        "kpi_busiest_zone": "Busiest zone",
        "kpi_time_in_zone": "Time in zone per visitor-day",
        "kpi_present": "People present (avg per hour, all cells)",
        "kpi_busiest_cell": "Busiest cell (people present)",
        "kpi_cells": "Cells with people",
        "kpi_corridor_trips": "Trips between zones",
        "kpi_internal_trips": "Trips within one zone",
        "kpi_corridors": "Corridors with trips",
        "kpi_beds": "Beds (all zones)",
        "kpi_rooms": "Rooms",
        "kpi_overnight_night": "Overnight visitors / night",
        "kpi_over_capacity": "Zones at or over capacity",
        "kpi_places": "Places",
        "kpi_attractions": "Attractions",
        "kpi_accommodation": "Accommodation",
        "kpi_place_rooms": "Rooms (accommodation)",
        "no_previous": "No data for the previous period: changes are not shown.",
        "top_places": "Top attractions",
        "top_places_zone": "Top places in the zone",
        "origins": "Origin markets",
        "presence_by_zone": "People present by zone",
        "top_corridors": "Top corridors between zones",
        "supply_demand": "Beds against overnight visitors by zone",
        "places_by_category": "Places by category",
        "col_place": "Place",
        "col_category": "Category",
        "col_zone": "Zone",
        "col_visits": "Visits",
        "col_dwell": "Avg dwell (min)",
        "col_origin": "Origin",
        "col_people_days": "People-days",
        "col_share": "Share",
        "col_present": "People present",
        "col_cells": "Cells",
        "col_from": "From",
        "col_to": "To",
        "col_trips": "Trips",
        "col_trips_day": "Trips / day",
        "col_accommodations": "Accommodations",
        "col_beds": "Beds",
        "col_rooms": "Rooms",
        "col_pressure": "Pressure index",
        "col_class": "Class",
        "col_places": "Places",
        "col_dataset": "Dataset",
        "col_kind": "Simulated or real",
        "col_sources": "Sources",
        "col_built": "Built (UTC)",
        "map_density": "People present per H3 cell",
        "map_flows": "Top corridors between zones",
        "map_capacity": "Pressure index by zone",
        "map_places": "Places by category",
        "no_data": "No data for this selection.",
        "flows_note": "Directed trips between zones; trips are daily, so the hours filter does not apply.",
        "capacity_note": "Pressure index = overnight visitors present at 02:00 on an average night ÷ beds. "
                         "The hours filter does not apply.",
        "density_note": "Average people present per hour in the months of the period, the selected weekdays, "
                        "hours and origin segments.",
        "zones_note": "Tourism zones are approximate boundaries drawn by the project, not official ones.",
        "routes_note": "Routes are straight-line until a road network is imported.",
        "sources_intro": "Where the figures come from:",
        "definitions": "Definitions",
        "filters_dates": "{start} – {end} ({days} days)",
        "filters_weekdays": "weekdays: {value}",
        "filters_all_weekdays": "all weekdays",
        "filters_hours": "hours {start:02d}:00–{end:02d}:59",
        "filters_all_hours": "all hours",
        "filters_segments": "origins: {value}",
        "filters_all_segments": "all origins",
        "filters_categories": "categories: {value}",
        "exported": "Tourism Atlas · exported {when}",
        "vs_previous": "{value} vs previous",
        "previous_value": "previous: {value}",
    },
    # Thai wording: the language issue's (issue 15). Empty: every key falls back to English.
    "th": {},
}


def text(key: str, lang: str = "en", /, **values: Any) -> str:
    """The text ``key`` in ``lang`` (English when the language lacks it), formatted with ``values``."""
    table = TEXTS.get(lang) or {}
    template = table.get(key) or TEXTS["en"][key]
    return template.format(**values) if values else template


def translated_keys(lang: str) -> set[str]:
    """Keys ``lang`` has its own wording for (English: all of them)."""
    return set(TEXTS.get(lang) or {}) if lang != "en" else set(TEXTS["en"])
