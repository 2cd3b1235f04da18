"""The atlas's domain vocabulary: every category, band, segment, level, season and constant, defined once.

Build, services, render, the UI and the benchmark all read these names from here, so a label, a colour
or an allowed value never has two definitions. Plain data only: no imports from the rest of ``geo``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date

from geo.i18n import N_, _, get_language

#: Mean Earth radius in metres (IUGG R1), used by every haversine and local metric projection. The SQL
#: files receive it as the bound parameter ``$earth_radius_m``.
EARTH_RADIUS_M = 6_371_008.8


#: Allowed place categories per layer (data/seed/places/FORMAT.md).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "attraction": (
        "temple",
        "museum",
        "market",
        "old_city",
        "nature",
        "waterfall",
        "viewpoint",
        "craft_village",
        "cultural_show",
        "cafe_lifestyle",
    ),
    "accommodation": ("hotel", "resort", "guesthouse", "hostel", "homestay"),
    "health": ("hospital", "spa"),
    "transport": ("airport", "bus_terminal", "railway_station"),
}
#: Place layers, in display order.
LAYERS: tuple[str, ...] = tuple(CATEGORIES)
#: Readable name per place layer.
LAYER_LABELS: dict[str, str] = {
    "attraction": N_("Attractions"),
    "accommodation": N_("Accommodation"),
    "health": N_("Health"),
    "transport": N_("Transport"),
}
#: Every category, in layer order.
ALL_CATEGORIES: tuple[str, ...] = tuple(c for cats in CATEGORIES.values() for c in cats)

#: Colour per place category (colour-blind-aware, grouped by layer hue).
CATEGORY_COLOURS: dict[str, str] = {
    "temple": "#d4a017",
    "museum": "#8e44ad",
    "market": "#e67e22",
    "old_city": "#7f4f24",
    "nature": "#2e8b57",
    "waterfall": "#1f78b4",
    "viewpoint": "#6a3d9a",
    "craft_village": "#b15928",
    "cultural_show": "#e31a1c",
    "cafe_lifestyle": "#fb9a99",
    "hotel": "#1b9e77",
    "resort": "#006d5b",
    "guesthouse": "#66c2a5",
    "hostel": "#a6d854",
    "homestay": "#4d9221",
    "hospital": "#c51b7d",
    "spa": "#de77ae",
    "airport": "#252525",
    "bus_terminal": "#525252",
    "railway_station": "#737373",
}

#: Readable name per place category (legends, filters, tables).
CATEGORY_LABELS: dict[str, str] = {
    "temple": N_("Temples"),
    "museum": N_("Museums"),
    "market": N_("Markets & night bazaars"),
    "old_city": N_("Old-city gates & walls"),
    "nature": N_("Nature & national parks"),
    "waterfall": N_("Waterfalls"),
    "viewpoint": N_("Viewpoints"),
    "craft_village": N_("Craft villages"),
    "cultural_show": N_("Cultural shows"),
    "cafe_lifestyle": N_("Cafés & lifestyle areas"),
    "hotel": N_("Hotels"),
    "resort": N_("Resorts"),
    "guesthouse": N_("Guesthouses"),
    "hostel": N_("Hostels"),
    "homestay": N_("Homestays"),
    "hospital": N_("Hospitals"),
    "spa": N_("Spas & wellness"),
    "airport": N_("Airport"),
    "bus_terminal": N_("Bus terminals"),
    "railway_station": N_("Railway station"),
}

#: Price bands of accommodation, cheapest first (data/seed/places/FORMAT.md).
PRICE_BANDS: tuple[str, ...] = ("budget", "mid", "upscale", "luxury")
#: Colour per price band (catchment markers); "unknown" for accommodation without a band.
PRICE_BAND_COLOURS: dict[str, str] = {
    "budget": "#66c2a5",
    "mid": "#3288bd",
    "upscale": "#5e4fa2",
    "luxury": "#9e0142",
    "unknown": "#999999",
}
#: Readable name per price band (legends, popups).
PRICE_BAND_LABELS: dict[str, str] = {
    "budget": N_("Budget"),
    "mid": N_("Mid"),
    "upscale": N_("Upscale"),
    "luxury": N_("Luxury"),
    "unknown": N_("Unknown"),
}

#: Zone levels a seed zones file may name: the project's tourism zones, official districts, anything else
#: drawn. An imported boundary file becomes a level of any name (``--level subdistrict``); the levels a
#: database holds come from ``geo.services.geography.zone_levels``.
ZONE_LEVELS: tuple[str, ...] = ("tourism_zone", "district", "custom")
#: The zone level every page summarises by unless another is chosen.
DEFAULT_ZONE_LEVEL = "tourism_zone"
#: Readable plural name per well-known zone level (legends, selectors, headings); see ``zone_level_label``.
ZONE_LEVEL_LABELS: dict[str, str] = {
    "tourism_zone": N_("Tourism zones"),
    "district": N_("Districts"),
    "subdistrict": N_("Subdistricts"),
    "custom": N_("Custom areas"),
}


def zone_level_label(level: str) -> str:
    """Readable name of a zone level: the known label, else the level name with spaces for underscores.

    The result may carry text from an imported file: escape it for where it lands (``geo.text``).
    """
    known = ZONE_LEVEL_LABELS.get(level)
    return _(known) if known else str(level).replace("_", " ").strip().capitalize() or _("Zones")

#: Origin segment groups (the part of a segment before ``:``), in display order.
SEGMENT_GROUPS: tuple[str, ...] = ("domestic", "international", "resident")
#: Each segment group's name inside a sentence (lower case in English), translated when shown.
SEGMENT_GROUP_LABELS: dict[str, str] = {"domestic": N_("domestic"), "international": N_("international"),
                                        "resident": N_("resident")}
#: Colour per segment group in charts ("other" for markets folded together).
GROUP_COLOURS: dict[str, str] = {
    "domestic": "#1f78b4",
    "international": "#e31a1c",
    "resident": "#7570b3",
    "other": "#9e9e9e",
}

#: Visitor types the pipeline assigns per device, in code order (``labels`` table).
VISITOR_TYPES: tuple[str, ...] = ("resident", "overnight", "day_tripper")
VISITOR_TYPE_LABELS: dict[str, str] = {
    "overnight": N_("Overnight visitors"),
    "day_tripper": N_("Day-trippers"),
    "resident": N_("Residents"),
}
VISITOR_TYPE_COLOURS: dict[str, str] = {
    "Overnight visitors": "#1b9e77",
    "Day-trippers": "#d95f02",
    "Residents": "#7570b3",
}

#: ISO weekdays 0=Mon..6=Sun, short names.
WEEKDAY_NAMES: tuple[str, ...] = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))

#: Seasons of northern Thailand (Thai Meteorological Department) and single months for the density
#: playback: key -> (label, months). ``range`` means the months the date range touches.
SEASONS: dict[str, tuple[str, tuple[int, ...]]] = {
    "range": (N_("Months of the date range"), ()),
    "cool": (N_("Cool season (Nov–Feb)"), (11, 12, 1, 2)),
    "hot": (N_("Hot season (Mar–May)"), (3, 4, 5)),
    "rainy": (N_("Rainy season (Jun–Oct)"), (6, 7, 8, 9, 10)),
    **{f"m{m}": (date(2000, m, 1).strftime("%B"), (m,)) for m in range(1, 13)},
}

#: Names of the international markets the simulator uses (ISO 3166-1 alpha-2); unknown codes show as the code.
COUNTRY_NAMES: dict[str, str] = {
    "CN": N_("China"), "US": N_("United States"), "GB": N_("United Kingdom"), "FR": N_("France"), "DE": N_("Germany"),
    "JP": N_("Japan"), "KR": N_("South Korea"), "IN": N_("India"), "MY": N_("Malaysia"), "SG": N_("Singapore"),
    "AU": N_("Australia"), "RU": N_("Russia"), "TW": N_("Taiwan"), "HK": N_("Hong Kong"), "NL": N_("Netherlands"),
    "IT": N_("Italy"), "ES": N_("Spain"), "CA": N_("Canada"), "IL": N_("Israel"), "VN": N_("Vietnam"), "LA": N_("Laos"),
    "MM": N_("Myanmar"), "ID": N_("Indonesia"), "PH": N_("Philippines"), "SE": N_("Sweden"), "CH": N_("Switzerland"),
    "DK": N_("Denmark"), "NO": N_("Norway"), "NZ": N_("New Zealand"), "BE": N_("Belgium"), "AT": N_("Austria"),
    "SA": N_("Saudi Arabia"), "AE": N_("United Arab Emirates"), "KH": N_("Cambodia"),
}


def origin_label(segment: str, lang: str | None = None) -> str:
    """Readable origin of a segment in ``lang`` (the current language when None): 'Chiang Mai residents', a
    Thai province (its English name), or a country name (CLDR's name in Thai and Chinese)."""
    group, _sep, origin = segment.partition(":")
    lang = lang or get_language()
    if group == "resident":
        return _(RESIDENTS_LABEL)
    if group == "international":
        if lang != "en":
            from geo.i18n import babel_locale

            name = babel_locale(lang).territories.get(origin)
            if name:
                return str(name)
        return COUNTRY_NAMES.get(origin, origin)
    return origin or group


#: Columns a daily rollup may count people in, in order of preference: ``est_people`` (observed devices expanded
#: to estimated people, when the build computed it) and ``visitors`` (observed devices). Pages choose one per
#: rollup through ``geo.services.measure`` (the only place), and SQL files take it as the ``{{measure}}``
#: identifier from this allow-list.
MEASURE_COLUMNS: tuple[str, ...] = ("est_people", "visitors")


def pick_measure(columns: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> str:
    """The measure a rollup with these ``columns`` is read in: the first of ``MEASURE_COLUMNS`` it has."""
    return next((m for m in MEASURE_COLUMNS if m in columns), "visitors")


#: Origin label of the province's residents.
RESIDENTS_LABEL = N_("Chiang Mai residents")
#: Origin label of the markets folded together below a table's top rows or the privacy floor.
OTHER_MARKETS_LABEL = N_("Other markets")
_COUNTRY_CODES = {name: code for code, name in COUNTRY_NAMES.items()}


#: Thai and Chinese names of the Thai provinces the origin markets name (data/seed/origin_markets.csv), by
#: their English name: (Thai, Chinese). Names in common use (data/README.md: Chinese names).
PROVINCE_NAMES: dict[str, tuple[str, str]] = {
    "Bangkok": ("กรุงเทพมหานคร", "曼谷"),
    "Nonthaburi": ("นนทบุรี", "暖武里"),
    "Samut Prakan": ("สมุทรปราการ", "北榄"),
    "Pathum Thani": ("ปทุมธานี", "巴吞他尼"),
    "Chon Buri": ("ชลบุรี", "春武里"),
    "Chiang Rai": ("เชียงราย", "清莱"),
    "Lamphun": ("ลำพูน", "南奔"),
    "Lampang": ("ลำปาง", "南邦"),
    "Phayao": ("พะเยา", "帕尧"),
    "Mae Hong Son": ("แม่ฮ่องสอน", "夜丰颂"),
    "Phrae": ("แพร่", "帕府"),
    "Nan": ("น่าน", "难府"),
    "Tak": ("ตาก", "达府"),
    "Phitsanulok": ("พิษณุโลก", "彭世洛"),
    "Sukhothai": ("สุโขทัย", "素可泰"),
    "Nakhon Sawan": ("นครสวรรค์", "那空沙旺"),
    "Khon Kaen": ("ขอนแก่น", "孔敬"),
    "Nakhon Ratchasima": ("นครราชสีมา", "呵叻"),
    "Songkhla": ("สงขลา", "宋卡"),
    "Phuket": ("ภูเก็ต", "普吉"),
}


def translate_origin(label: str, lang: str | None = None) -> str:
    """An English origin label (``origin_label(segment, "en")``, as services return it) in ``lang``: countries
    by their CLDR name, residents and "Other markets" through the catalogue, Thai provinces unchanged."""
    lang = lang or get_language()
    if label in (RESIDENTS_LABEL, OTHER_MARKETS_LABEL):
        from geo.i18n import using_language

        with using_language(lang):
            return _(label)
    if label in PROVINCE_NAMES and lang in ("th", "zh"):
        return PROVINCE_NAMES[label][0 if lang == "th" else 1]
    code = _COUNTRY_CODES.get(label)
    return origin_label(f"international:{code}", lang) if code else label


#: Flow levels: corridors between zones or between places.
FLOW_LEVELS: tuple[str, ...] = ("zone", "place")

#: Capacity pressure classes: (upper bound exclusive, key, label, colour). No recorded beds is ``NO_BEDS``.
PRESSURE_CLASSES: tuple[tuple[float, str, str, str], ...] = (
    (0.5, "low", N_("Low (< 0.50)"), "#1a9850"),
    (0.8, "moderate", N_("Moderate (0.50–0.79)"), "#fee08b"),
    (1.0, "high", N_("High (0.80–0.99)"), "#fc8d59"),
    (math.inf, "over", N_("Over capacity (≥ 1.00)"), "#d73027"),
)
NO_BEDS: tuple[str, str, str] = ("no_beds", N_("No recorded beds"), "#bdbdbd")


def pressure_class(pressure: float | None) -> tuple[str, str, str]:
    """(key, label, colour) of a pressure value; ``None``/NaN (no beds) gives the grey "no_beds" class."""
    if pressure is None or (isinstance(pressure, float) and math.isnan(pressure)):
        return NO_BEDS
    for bound, key, label, colour in PRESSURE_CLASSES:
        if pressure < bound:
            return key, label, colour
    return PRESSURE_CLASSES[-1][1:]  # pragma: no cover - inf bound always matches

#: Routable road classes (OpenStreetMap ``highway=*``) → (default speed in km/h, label). The default speed is
#: the free-flow driving speed used where a way has no ``maxspeed`` tag; docs/roads.md lists this table (a
#: test keeps the two equal). Any other ``highway`` value (footway, path, cycleway, steps, pedestrian, track,
#: bridleway, construction, proposed, ...) is not a road a car is routed on and is left out of the network.
ROAD_CLASSES: dict[str, tuple[float, str]] = {
    "motorway": (100.0, N_("Motorway")),
    "trunk": (80.0, N_("Trunk road")),
    "primary": (60.0, N_("Primary road")),
    "secondary": (50.0, N_("Secondary road")),
    "tertiary": (40.0, N_("Tertiary road")),
    "unclassified": (30.0, N_("Minor road")),
    "residential": (25.0, N_("Residential street")),
    "motorway_link": (50.0, N_("Motorway slip road")),
    "trunk_link": (40.0, N_("Trunk slip road")),
    "primary_link": (40.0, N_("Primary slip road")),
    "secondary_link": (35.0, N_("Secondary slip road")),
    "tertiary_link": (30.0, N_("Tertiary slip road")),
    "living_street": (10.0, N_("Living street")),
    "service": (15.0, N_("Service road")),
    "road": (30.0, N_("Road of unknown class")),
}

#: Thailand's legal speed limits for ``maxspeed=TH:<zone>`` (cars, km/h; OpenStreetMap's default speed limits).
MAXSPEED_ZONES: dict[str, float] = {"TH:urban": 80.0, "TH:rural": 90.0, "TH:motorway": 120.0}

#: Farthest a place may lie from the nearest road of the imported network and still be routed on roads
#: (metres, along the ground). A place farther away gets a straight-line leg, reported as such.
ROAD_SNAP_MAX_M = 500.0
#: Farthest a zone's anchor point may lie from the network (zone → zone corridors, road loads).
ZONE_SNAP_MAX_M = 5_000.0
#: Places an itinerary's "best order" takes (the tour search's limit).
MAX_TOUR_PLACES = 12

#: Routing methods (``Route.label``) and the notes a route's legs and day plan carry. Services keep these
#: English source texts (their results are cached across readers); pages, maps and exports show them through
#: ``route_text``.
STRAIGHT_LINE_LABEL = N_("straight-line (no road network imported)")
ROAD_LABEL = N_("on roads (imported OpenStreetMap network, free-flow times)")
#: Why a leg is a straight line although a road network is loaded.
NO_ROAD_PATH_NOTE = N_("no path on the network between the two roads")
#: A place too far from any road for its leg to be routed on roads (``name``: its English name, ``limit``: m).
FAR_FROM_ROAD_NOTE = N_("{name} is more than {limit} m from the nearest road")
#: Notes of a day plan's steps (``geo.services.tours.schedule``).
DAY_PLAN_NOTES: tuple[str, ...] = (N_("outside its opening hours"), N_("ends after the day's end"),
                                   N_("waits for opening"), N_("back at the start"))
#: The order a route visits its places in (``Route.order``): as chosen, or the best order found by a method.
ROUTE_ORDER_AS_CHOSEN = "as chosen"
ROUTE_ORDER_METHODS: dict[str, str] = {"exact": N_("exact"), "heuristic": N_("heuristic")}


def route_text(text: object, names: Mapping[str, str] | None = None) -> str:
    """A routing label or note (English, as services return it) in the current language. ``names`` maps a
    place's English name to its name in the reader's language (for "... is more than 500 m from the road")."""
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    if value in (STRAIGHT_LINE_LABEL, ROAD_LABEL, NO_ROAD_PATH_NOTE, *DAY_PLAN_NOTES):
        return _(value)
    far = _FAR_FROM_ROAD.match(value)
    if far:
        name = far["name"]
        return _(FAR_FROM_ROAD_NOTE).format(name=(names or {}).get(name, name), limit=far["limit"])
    return value


def route_order_text(order: str) -> str:
    """``Route.order`` (``as chosen``, ``best order (exact)``) in the current language."""
    if order == ROUTE_ORDER_AS_CHOSEN:
        return _("As chosen")
    best = re.fullmatch(r"best order \((\w+)\)", order or "")
    if best:
        method = ROUTE_ORDER_METHODS.get(best[1])
        return _("Best order ({method})").format(method=_(method) if method else best[1])
    return order


_FAR_FROM_ROAD = re.compile("^" + re.escape(FAR_FROM_ROAD_NOTE).replace(r"\{name\}", "(?P<name>.+)")
                            .replace(r"\{limit\}", "(?P<limit>[0-9][0-9,.]*)") + "$")


# --- datasets and their sources (the Data page's provenance and data-kinds tables) ---------------------

#: Each dataset the build, imports and publishing record in ``meta`` (``dataset`` column), as a reader says it.
DATASET_NAMES: dict[str, str] = {
    "places": N_("places"), "zones": N_("tourism zones"), "cells": N_("H3 cells"), "flows": N_("visitor flows"),
    "estimates": N_("estimated people"), "forecast": N_("forecast"), "roads": N_("roads"),
    "presence": N_("presence (imported aggregates)"), "trips": N_("trips (imported aggregates)"),
    "publication": N_("publication"),
}
#: Datasets recorded with a part after the kind (``places: <file>`` by an import, ``zones: <level>``).
DATASET_TEMPLATES: tuple[str, ...] = (N_("places: {name}"), N_("zones: {name}"))
#: The ``sources`` texts the atlas itself writes (build, imports, publishing) with values in them; the fixed ones
#: are marked where they are written and translated whole. A source a person typed (``--attribution``) and the
#: bibliographic citations of published figures (``data/seed/published_stats.csv``: "[P1] NSO Statistical
#: Yearbook Thailand 2025, Table 17.2 ...") are NOT translated: a citation names a document the reader must be
#: able to find under its own title, in its own language, and rewording it would cite something that does not
#: exist. The atlas's words around them (column titles, labels, kinds) are translated.
SOURCE_TEMPLATES: tuple[str, ...] = (
    N_("APPROXIMATE: tourism zones and province outline drawn by the project (province outline {outline} km² "
       "against the official {official} km²), data/seed/zones.geojson and province.geojson"),
    N_("APPROXIMATE: tourism zones and province outline drawn by the project, data/seed/zones.geojson and "
       "province.geojson"),
    N_("drawn by the project: {outline} km² against the official {official} km² ({diff})"),
    N_("drawn by the project: {outline} km² against the official {official} km²"),
    N_("Published by `python -m geo publish` from {name} (flows built {built} UTC): aggregates at fixed grains, "
       "every row with at least {floor} distinct people (docs/privacy.md)."),
    N_("Published by `python -m geo publish` from {name}: aggregates at fixed grains, every row with at least "
       "{floor} distinct people (docs/privacy.md)."),
    N_("{name} (OpenStreetMap extract)"),
    N_("{name} ({format}), imported pings"),
    N_("{name} ({format}), the operator's hourly presence per cell"),
    N_("{name} ({format}), the operator's hourly presence per zone"),
    N_("{name} ({format}), the operator's origin-destination trips per day"),
    N_("{name} (pipeline output, Parquet)"),
    N_("SIMULATED pings (geo/simulate.py) through geo aggregate: {sources}"),
)

#: The province outline's area beside the official one (the provenance line under each page).
OUTLINE_TEMPLATES: tuple[str, ...] = (N_("{outline} km² against the official {official} km² ({diff})"),
                                      N_("{outline} km² against the official {official} km²"))


def outline_text(text: object) -> str:
    """The province outline's area against the official area, in the current language (as it is if not that)."""
    return reword(text, OUTLINE_TEMPLATES) or ("" if text is None else str(text))


def reword(text: object, templates: tuple[str, ...],
           value_text: Callable[[str, str], str] | None = None) -> str | None:
    """``text`` (English, made by filling one of ``templates``) worded again in the current language with the same
    values (each passed through ``value_text(placeholder, value)`` when given); ``None`` when no template makes
    it. The template with the most fixed text wins."""
    value = "" if text is None else str(text)
    best: tuple[int, str, dict[str, str]] | None = None
    for template in templates:
        parts = re.split(r"\{(\w+)\}", template)
        found = re.fullmatch("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
                             value, re.DOTALL)
        fixed = sum(len(p) for p in parts[::2])
        if found and (best is None or fixed > best[0]):
            best = (fixed, template, found.groupdict())
    if best is None:
        return None
    values = best[2] if value_text is None else {k: value_text(k, v) for k, v in best[2].items()}
    return _(best[1]).format(**values)


def dataset_text(name: object) -> str:
    """A dataset's name (``meta.dataset``) or a data-kinds part in the current language; an unknown one as it is."""
    value = "" if name is None else str(name)
    if value in DATASET_NAMES:
        return _(DATASET_NAMES[value])
    return reword(value, DATASET_TEMPLATES) or (_(value) if value else value)


def source_text(sources: object) -> str:
    """A dataset's ``sources`` text in the current language when the atlas wrote it (see ``SOURCE_TEMPLATES`` for
    why citations and typed attributions stay as they are)."""
    value = "" if sources is None or (isinstance(sources, float) and math.isnan(sources)) else str(sources)
    def nested(key: str, text: str) -> str:  # a simulated feed's text around the sources of its pipeline output
        return source_text(text) if key == "sources" else text

    return reword(value, SOURCE_TEMPLATES, nested) or (_(value) if value else value)
