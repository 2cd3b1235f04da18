"""Every fixed text of the report pack and of export captions, by key, translated through the message catalogue.

The report (``geo.report``) and the export captions (``ui.export``) never write a sentence of their own:
they ask ``text(key, lang, **values)``. Each key's English source is marked with ``N_`` here, so
``pybabel extract`` puts it in the catalogue (``locale/<lang>/LC_MESSAGES/atlas.po``); ``text`` translates it
with gettext in ``lang`` (the current language when None) and then fills its named placeholders, so a
translator can move them. A language without a translation of a key shows the English source.
"""

from __future__ import annotations

from typing import Any

from geo.i18n import LANGUAGES as LANGUAGES
from geo.i18n import N_, _, get_language, using_language

#: Every report text: key → English source (the msgid).
TEXTS: dict[str, str] = {
    "destination": N_("Chiang Mai"),
    "report_title": N_("Tourism report: {destination}"),
    "report_subtitle": N_("Tourism Atlas report pack"),
    "period": N_("Period"),
    "previous_period": N_("Compared with"),
    "filters": N_("Filters"),
    "zone": N_("Zone"),
    "all_zones": N_("whole province (all zones)"),
    "sections": N_("Sections"),
    "database": N_("Database"),
    "built": N_("Data built"),
    "generated": N_("Report generated"),
    "language": N_("Language"),
    "language_note": N_("names of places and zones in this language where the data has one; a name marked * "
                        "is shown in another language"),
    "simulated_banner": N_("SIMULATED visitor data. Visitor figures in this report are simulated "
                           "by the atlas from published tourism statistics; they are not real "
                           "telecom records. Places are real."),
    "simulated_footer": N_("SIMULATED visitor data"),
    "real_footer": N_("Visitor data: real"),
    "page": N_("Page"),
    "contents": N_("Contents"),
    "section_overview": N_("Overview"),
    "section_density": N_("Visitor density"),
    "section_flows": N_("Flows and routes"),
    "section_capacity": N_("Accommodation and capacity"),
    "section_places": N_("Places"),
    "section_events": N_("Events and forecast"),
    "section_sources": N_("Data sources and definitions"),
    "measure": N_("Measure"),
    "this_period": N_("This period"),
    "previous": N_("Previous period"),
    "change": N_("Change"),
    "kpi_visitors": N_("Visitors (people-days)"),
    "kpi_overnight": N_("Overnight (people-days)"),
    "kpi_day_trippers": N_("Day-trippers (people-days)"),
    "kpi_residents": N_("Residents (people-days)"),
    "kpi_international_share": N_("International share"),
    "kpi_dwell": N_("Dwell per attraction visit"),
    "kpi_busiest_hour": N_("Busiest hour"),
    "kpi_per_day": N_("Visitors per day"),
    "kpi_busiest_zone": N_("Busiest zone"),
    "kpi_time_in_zone": N_("Time in zone per visitor-day"),
    "kpi_present": N_("People present (avg per hour, all cells)"),
    "kpi_busiest_cell": N_("Busiest cell (people present)"),
    "kpi_cells": N_("Cells with people"),
    "kpi_corridor_trips": N_("Trips between zones"),
    "kpi_internal_trips": N_("Trips within one zone"),
    "kpi_corridors": N_("Corridors with trips"),
    "kpi_beds": N_("Beds (all zones)"),
    "kpi_rooms": N_("Rooms"),
    "kpi_overnight_night": N_("Overnight visitors / night"),
    "kpi_over_capacity": N_("Zones at or over capacity"),
    "kpi_places": N_("Places"),
    "kpi_attractions": N_("Attractions"),
    "kpi_accommodation": N_("Accommodation"),
    "kpi_place_rooms": N_("Rooms (accommodation)"),
    "no_previous": N_("No data for the previous period: changes are not shown."),
    "top_places": N_("Top attractions"),
    "top_places_zone": N_("Top places in the zone"),
    "origins": N_("Origin markets"),
    "presence_by_zone": N_("People present by zone"),
    "top_corridors": N_("Top corridors between zones"),
    "supply_demand": N_("Beds against overnight visitors by zone"),
    "places_by_category": N_("Places by category"),
    "col_place": N_("Place"),
    "col_category": N_("Category"),
    "col_zone": N_("Zone"),
    "col_visits": N_("Visits"),
    "col_dwell": N_("Avg dwell (min)"),
    "col_origin": N_("Origin"),
    "col_people_days": N_("People-days"),
    "col_share": N_("Share"),
    "col_present": N_("People present"),
    "col_cells": N_("Cells"),
    "col_from": N_("From"),
    "col_to": N_("To"),
    "col_trips": N_("Trips"),
    "col_trips_day": N_("Trips / day"),
    "col_accommodations": N_("Accommodations"),
    "col_beds": N_("Beds"),
    "col_rooms": N_("Rooms"),
    "col_pressure": N_("Pressure index"),
    "col_class": N_("Class"),
    "col_places": N_("Places"),
    "col_dataset": N_("Dataset"),
    "col_kind": N_("Simulated or real"),
    "col_sources": N_("Sources"),
    "col_built": N_("Built (UTC)"),
    "map_density": N_("People present per H3 cell"),
    "map_flows": N_("Top corridors between zones"),
    "map_capacity": N_("Pressure index by zone"),
    "map_places": N_("Places by category"),
    "no_data": N_("No data for this selection."),
    "flows_note": N_("Directed trips between zones; trips are daily, so the hours filter does not apply."),
    "capacity_note": N_("Pressure index = overnight visitors present at 02:00 on an average "
                        "night ÷ beds. The hours filter does not apply."),
    "density_note": N_("Average people present per hour in the months of the period, the "
                       "selected weekdays, hours and origin segments."),
    "zones_note": N_("Tourism zones are approximate boundaries drawn by the project, not official ones."),
    "routes_note": N_("Routes are straight-line until a road network is imported."),
    "sources_intro": N_("Where the figures come from:"),
    "definitions": N_("Definitions"),
    "filters_dates": N_("{start} – {end} ({days} days)"),
    "filters_weekdays": N_("weekdays: {value}"),
    "filters_all_weekdays": N_("all weekdays"),
    "filters_hours": N_("hours {start:02d}:00–{end:02d}:59"),
    "filters_all_hours": N_("all hours"),
    "filters_segments": N_("origins: {value}"),
    "filters_all_segments": N_("all origins"),
    "filters_categories": N_("categories: {value}"),
    "exported": N_("Tourism Atlas · exported {when}"),
    "vs_previous": N_("{value} vs previous"),
    "previous_value": N_("previous: {value}"),
}


def text(key: str, lang: str | None = None, /, **values: Any) -> str:
    """The text ``key`` translated into ``lang`` (the current language when None), filled with ``values``."""
    with using_language(lang or get_language()):
        template = _(TEXTS[key])
    return template.format(**values) if values else template


def translated_keys(lang: str) -> set[str]:
    """Keys ``lang``'s catalogue has its own wording for (English: all of them)."""
    if lang == "en":
        return set(TEXTS)
    with using_language(lang):
        return {key for key, source in TEXTS.items() if _(source) != source}
