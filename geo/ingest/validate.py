"""Check every row of a source table for one layer; keep the good rows, repair what can be repaired.

Each check appends a :class:`Problem` with the row number as the file counts it, the field and the reason,
and what was done (rejected, repaired, warning). Nothing here touches the database: the result is a clean
frame in the atlas's columns plus the problems, and ``load`` writes it.

Reasons are written ``"<kind>: <details>"`` so the summary can count problems by kind.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.errors import GEOSException
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from geo.errors import ImportRefusedError
from geo.i18n import _
from geo.ingest.fields import FieldMap
from geo.ingest.model import Problem, SourceTable
from geo.settings import PROVINCE_BBOX
from geo.vocab import ALL_CATEGORIES, CATEGORIES, DEFAULT_ZONE_LEVEL, PRICE_BANDS

_THAI = re.compile(r"[\u0E00-\u0E7F]")
UTM_47N = "EPSG:32647"

#: Category spellings seen in registers and OSM-derived sheets -> the atlas's category.
CATEGORY_SYNONYMS: dict[str, str] = {
    "guest_house": "guesthouse", "guesthouses": "guesthouse", "home_stay": "homestay", "homestays": "homestay",
    "hotels": "hotel", "resorts": "resort", "hostels": "hostel", "wat": "temple", "temples": "temple",
    "museums": "museum", "markets": "market", "night_market": "market", "waterfalls": "waterfall",
    "view_point": "viewpoint", "hospitals": "hospital", "clinic": "hospital", "massage": "spa",
    "bus_station": "bus_terminal", "train_station": "railway_station", "railway": "railway_station",
    "cafe": "cafe_lifestyle", "park": "nature", "national_park": "nature",
    "โรงแรม": "hotel", "รีสอร์ท": "resort", "เกสต์เฮาส์": "guesthouse", "โฮมสเตย์": "homestay", "วัด": "temple",
}
LAYER_OF: dict[str, str] = {cat: layer for layer, cats in CATEGORIES.items() for cat in cats}
LAYER_PREFIX: dict[str, str] = {"attraction": "att", "accommodation": "acc", "health": "hlt", "transport": "trn"}


@dataclass
class Checked:
    """The rows that passed (atlas columns, geometry as Shapely in WGS84) and every problem found."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    repaired_rows: set[int] = field(default_factory=set)
    rejected_rows: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Options:
    """What the caller decided: category mapping, strictness, where the destination is."""

    category: str | None = None                      # every row with no/unknown category gets this one
    category_map: Mapping[str, str] = field(default_factory=dict)  # source value -> atlas category
    strict: bool = False                             # warnings about the area reject the row
    source: str = "import"                           # the places.source / zones.source key
    level: str | None = None                         # zones: the level the rows join
    area: shapely.Geometry | None = None             # the destination's outline (WGS84)


def parse_category_options(values: list[str]) -> tuple[str | None, dict[str, str]]:
    """``--category hotel`` (default) and ``--category "Guest House=guesthouse"`` (mapping) options."""
    default: str | None = None
    mapping: dict[str, str] = {}
    for value in values:
        src, sep, dest = value.rpartition("=")
        dest = dest.strip()
        if dest not in ALL_CATEGORIES:
            msg = _("--category {value}: {dest} is not an atlas category; known: {known}").format(
                value=repr(value), dest=repr(dest), known=", ".join(ALL_CATEGORIES))
            raise ImportRefusedError(msg, [Problem(None, "category", msg, "refused")])
        if sep:
            mapping[_norm_value(src)] = dest
        else:
            default = dest
    return default, mapping


@lru_cache(maxsize=4)
def destination_area(seed_dir: Path) -> shapely.Geometry:
    """The destination's outline: the province polygon in the seed folder, else its bounding box."""
    path = seed_dir / "province.geojson"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        geoms = [shape(f["geometry"]) for f in doc.get("features", [])]
        if geoms:
            return shapely.union_all(geoms).buffer(0.01)  # ~1 km: points on the border line count as inside
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return shapely.box(*PROVINCE_BBOX)


def _in_bbox(lon: float, lat: float) -> bool:
    west, south, east, north = PROVINCE_BBOX
    return west <= lon <= east and south <= lat <= north


def _norm_value(value: Any) -> str:
    return re.sub(r"[\s\-./]+", "_", str(value).strip().lower()).strip("_")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def _number(value: Any) -> float | None:
    """A number from a cell: '18.78', ' 18,78 ' (decimal comma), Thai digits; None when empty."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = _text(value)
    if not text:
        return None
    text = text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text)  # ValueError for the caller


def slug(text: str) -> str:
    """Lowercase ASCII id part: letters, digits and hyphens (Thai and other scripts dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class _Rows:
    """Collects problems per row while checking."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.repaired: set[int] = set()
        self.rejected: set[int] = set()

    def add(self, row: int | None, fld: str | None, reason: str, action: str) -> None:
        self.problems.append(Problem(row, fld, reason, action))  # type: ignore[arg-type]
        if row is not None and action == "repaired":
            self.repaired.add(row)
        if row is not None and action == "rejected":
            self.rejected.add(row)

    def area_warning(self, row: int, fld: str, reason: str, strict: bool) -> None:
        self.add(row, fld, reason + (" (--strict)" if strict else ""), "rejected" if strict else "warning")


def _names(row: int, rec: Mapping[str, Any], fm: FieldMap, rows: _Rows) -> tuple[str, str] | None:
    en = _text(rec.get(fm.get("name_en"))) if fm.get("name_en") else ""
    th = _text(rec.get(fm.get("name_th"))) if fm.get("name_th") else ""
    if en and not th and _THAI.search(en) and not re.search(r"[A-Za-z]", en):
        en, th = "", en  # a Thai name in the generic "name" column
    if not en and not th:
        rows.add(row, fm.get("name_en") or fm.get("name_th"), _("missing name: no English or Thai name"), "rejected")
        return None
    if not th:
        rows.add(row, fm.get("name_th"), _("no Thai name: the English name is shown in its place"), "warning")
        th = en
    if not en:
        rows.add(row, fm.get("name_en"), _("no English name: the Thai name is shown in its place"), "warning")
        en = th
    return en, th


def _point(row: int, rec: Mapping[str, Any], fm: FieldMap, rows: _Rows, opts: Options) -> Point | None:
    geom = rec.get("geometry")
    fld = "geometry"
    if geom is None and fm.get("wkt") and _text(rec.get(fm.get("wkt"))):
        fld = fm.get("wkt") or "wkt"
        try:
            geom = shapely.from_wkt(_text(rec.get(fm.get("wkt"))))
        except GEOSException as exc:
            rows.add(row, fld, _("unreadable WKT: {error}").format(error=str(exc)[:120]), "rejected")
            return None
    if geom is None and fm.get("lat"):
        lat_col, lon_col = fm.get("lat"), fm.get("lon")
        try:
            lat, lon = _number(rec.get(lat_col)), _number(rec.get(lon_col))
        except ValueError:
            rows.add(row, f"{lat_col}/{lon_col}", _("coordinates not numbers: {lat}, {lon}").format(
                lat=repr(_text(rec.get(lat_col))[:40]), lon=repr(_text(rec.get(lon_col))[:40])), "rejected")
            return None
        if lat is None or lon is None:
            rows.add(row, f"{lat_col}/{lon_col}", _("missing coordinates: lat or lon is empty"), "rejected")
            return None
        geom, fld = Point(lon, lat), f"{lat_col}/{lon_col}"
    if geom is None or geom.is_empty:
        rows.add(row, fld, _("missing geometry: no position for this place"), "rejected")
        return None
    if not isinstance(geom, Point):
        rows.add(row, fld, _("not a point: a {kind}; used a point inside it").format(kind=geom.geom_type), "repaired")
        geom = geom.representative_point() if geom.is_valid else shapely.make_valid(geom).representative_point()
    lon, lat = geom.x, geom.y
    if not (math.isfinite(lon) and math.isfinite(lat)):
        rows.add(row, fld, _("coordinates not finite numbers"), "rejected")
        return None
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        if -180 <= lat <= 180 and -90 <= lon <= 90 and _in_bbox(lat, lon):
            pass  # swapped, handled below
        else:
            if not -180 <= lon <= 180:
                reason = _("longitude out of range: {value} is outside ±{limit}").format(value=lon, limit=180)
            else:
                reason = _("latitude out of range: {value} is outside ±{limit}").format(value=lat, limit=90)
            rows.add(row, fld, reason, "rejected")
            return None
    if not _in_bbox(lon, lat) and _in_bbox(lat, lon):
        rows.add(row, fld, _("swapped lat/lon: ({lon}, {lat}) read as lat {lon}, lon {lat}; swapped back").format(
            lon=lon, lat=lat), "repaired")
        lon, lat = lat, lon
    point = Point(lon, lat)
    area = opts.area if opts.area is not None else shapely.box(*PROVINCE_BBOX)
    if not area.contains(point):
        rows.area_warning(row, fld, _("outside the destination: ({lat}, {lon}) is outside Chiang Mai province").format(
            lat=f"{lat:.5f}", lon=f"{lon:.5f}"), opts.strict)
        if opts.strict:
            return None
    return point


def _int_field(row: int, rec: Mapping[str, Any], col: str | None, rows: _Rows, lo: int, hi: int) -> int | None:
    if not col:
        return None
    try:
        value = _number(rec.get(col))
    except ValueError:
        rows.add(row, col, _("not a whole number: {value}; left empty").format(value=repr(_text(rec.get(col))[:40])),
                 "warning")
        return None
    if value is None:
        return None
    if value != int(value) or not lo <= value <= hi:
        rows.add(row, col, _("out of range: {value} is not a whole number from {lo} to {hi}; left empty").format(
            value=f"{value:g}", lo=lo, hi=hi), "warning")
        return None
    return int(value)


_HOURS = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def _hours(row: int, rec: Mapping[str, Any], fm: FieldMap, rows: _Rows) -> tuple[int | None, int | None]:
    opening = _int_field(row, rec, fm.get("open_hour"), rows, 0, 23)
    closing = _int_field(row, rec, fm.get("close_hour"), rows, 1, 24)
    text = _text(rec.get(fm.get("opening_hours"))) if fm.get("opening_hours") else ""
    if opening is None and closing is None and text:
        if text.lower() in ("24/7", "24 hours"):
            return None, None
        m = _HOURS.match(text.split(";")[0].split(" ", 1)[-1] if re.match(r"^[A-Za-z]", text) else text)
        if m and int(m.group(1)) <= 23 and 1 <= int(m.group(3)) <= 24:
            return int(m.group(1)), int(m.group(3)) + (1 if m.group(4) and m.group(4) != "00" else 0)
        rows.add(row, fm.get("opening_hours"), _("opening hours not understood: {value}; treated as always "
                                                 "open").format(value=repr(text[:60])), "warning")
    return opening, closing


def _category(row: int, rec: Mapping[str, Any], fm: FieldMap, rows: _Rows, opts: Options,
              unknown: dict[str, int]) -> str | None:
    raw = _text(rec.get(fm.get("category"))) if fm.get("category") else ""
    key = _norm_value(raw)
    if key in opts.category_map:
        return opts.category_map[key]
    if key in ALL_CATEGORIES:
        return key
    if key in CATEGORY_SYNONYMS:
        return CATEGORY_SYNONYMS[key]
    if opts.category:
        if raw:
            rows.add(row, fm.get("category"), _("unknown category mapped: {value} -> {category} "
                                                "(--category)").format(value=repr(raw[:40]), category=opts.category),
                     "repaired")
        return opts.category
    if raw:
        unknown[raw] = unknown.get(raw, 0) + 1
        rows.add(row, fm.get("category"), _("unknown category: {value}; known: {known}. Map it with --category "
                                            "\"{raw}=hotel\" (or any known one)").format(
            value=repr(raw[:40]), known=", ".join(ALL_CATEGORIES), raw=raw[:40]), "rejected")
    else:
        rows.add(row, fm.get("category") or "category", _("missing category: give a category column or "
                                                          "--category VALUE"), "rejected")
    return None


def check_places(table: SourceTable, fm: FieldMap, opts: Options) -> Checked:
    """Validate a places table: names, position, category/layer, rooms and capacity, hours, ids."""
    rows = _Rows()
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for row, rec in zip(table.frame.index, table.frame.to_dict("records"), strict=True):
        row = int(row)
        before = len(rows.rejected)
        names = _names(row, rec, fm, rows)
        point = _point(row, rec, fm, rows, opts)
        category = _category(row, rec, fm, rows, opts, unknown)
        layer = LAYER_OF.get(category or "")
        given_layer = _norm_value(rec.get(fm.get("layer"))) if fm.get("layer") else ""
        if category and given_layer and given_layer not in (layer, f"{layer}s"):
            rows.add(row, fm.get("layer"), _("layer contradicts category: layer {given} but category {category} "
                                             "is {layer}").format(given=repr(given_layer), category=category,
                                                                  layer=layer), "rejected")
        if len(rows.rejected) > before or names is None or point is None or category is None or layer is None:
            continue
        raw_id = _text(rec.get(fm.get("place_id"))) if fm.get("place_id") else ""
        base = slug(raw_id) or slug(names[0]) or f"row-{row}"
        pid = f"{LAYER_PREFIX[layer]}-{base}"
        if raw_id:
            if pid in seen:
                rows.add(row, fm.get("place_id"), _("duplicate id: {value} is also on row {row}").format(
                    value=repr(raw_id[:60]), row=seen[pid]), "rejected")
                continue
        else:
            n = 2
            while pid in seen:
                pid, n = f"{LAYER_PREFIX[layer]}-{base}-{n}", n + 1
        seen[pid] = row
        rooms = _int_field(row, rec, fm.get("rooms"), rows, 1, 5000)
        capacity = _int_field(row, rec, fm.get("capacity"), rows, 1, 200_000)
        estimated = False
        if layer == "accommodation" and capacity is None and rooms is not None:
            capacity, estimated = rooms * 2, True  # two guests per room, as the seed data does
        price = _norm_value(rec.get(fm.get("price_band"))) if fm.get("price_band") else ""
        if price and price not in PRICE_BANDS:
            rows.add(row, fm.get("price_band"), _("unknown price band: {value}; known: {known}; left empty").format(
                value=repr(price[:20]), known=", ".join(PRICE_BANDS)), "warning")
            price = ""
        opening, closing = _hours(row, rec, fm, rows)
        source = _text(rec.get(fm.get("source"))) if fm.get("source") else ""
        out.append({
            "place_id": pid, "layer": layer, "category": category, "name_en": names[0], "name_th": names[1],
            "lon": point.x, "lat": point.y, "rooms": rooms if layer == "accommodation" else None,
            "capacity": capacity, "price_band": price or None, "estimated": estimated,
            "open_hour": opening, "close_hour": closing, "source": (source or opts.source)[:200], "row": row,
        })
    frame = pd.DataFrame(out, columns=["place_id", "layer", "category", "name_en", "name_th", "lon", "lat",
                                       "rooms", "capacity", "price_band", "estimated", "open_hour", "close_hour",
                                       "source", "row"])
    for col in ("rooms", "capacity", "open_hour", "close_hour"):
        frame[col] = frame[col].astype("Int64")
    return Checked(frame, rows.problems, rows.repaired, rows.rejected)


def _swap_xy(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons of a geometry (a GeometryCollection from make_valid keeps only its polygons)."""
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, shapely.Polygon | shapely.MultiPolygon)]
    if not parts:
        return None
    return shapely.union_all(parts)


def _zone_geometry(row: int, rec: Mapping[str, Any], fm: FieldMap, rows: _Rows,
                   opts: Options) -> shapely.Geometry | None:
    geom = rec.get("geometry")
    fld = "geometry"
    if geom is None and fm.get("wkt") and _text(rec.get(fm.get("wkt"))):
        fld = fm.get("wkt") or "wkt"
        try:
            geom = shapely.from_wkt(_text(rec.get(fm.get("wkt"))))
        except GEOSException as exc:
            rows.add(row, fld, _("unreadable WKT: {error}").format(error=str(exc)[:120]), "rejected")
            return None
    if geom is None or geom.is_empty:
        rows.add(row, fld, _("missing geometry: the boundary has no shape"), "rejected")
        return None
    if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        rows.add(row, fld, _("not a polygon: a boundary must be a Polygon or MultiPolygon, got {kind}").format(
            kind=geom.geom_type), "rejected")
        return None
    west, south, east, north = geom.bounds
    if not (math.isfinite(west) and math.isfinite(north)) or west < -180 or east > 180 or south < -90 or north > 90:
        if not (_in_bbox(south, west) and _in_bbox(north, east)):
            rows.add(row, fld, _("coordinates out of range: bounds {bounds}").format(
                bounds=tuple(round(b, 4) for b in geom.bounds)), "rejected")
            return None
    if not geom.intersects(shapely.box(*PROVINCE_BBOX)) and _swap_xy(geom).intersects(shapely.box(*PROVINCE_BBOX)):
        rows.add(row, fld, _("swapped lat/lon: positions are (lat, lon); GeoJSON and WKT use (lon, lat); swapped "
                             "back"), "repaired")
        geom = _swap_xy(geom)
    if not geom.is_valid:
        why = explain_validity(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None or fixed.is_empty:
            rows.add(row, fld, _("invalid geometry: {why}; could not be repaired").format(why=why), "rejected")
            return None
        rows.add(row, fld, _("invalid geometry repaired: {why} (make_valid)").format(why=why), "repaired")
        geom = fixed
    area = opts.area if opts.area is not None else shapely.box(*PROVINCE_BBOX)
    if not geom.intersects(area):
        rows.add(row, fld, _("outside the destination: the boundary does not touch Chiang Mai province"),
                 "rejected")
        return None
    if not area.contains(geom):
        rows.area_warning(row, fld, _("partly outside the destination: the boundary reaches outside Chiang Mai "
                                      "province"), opts.strict)
        if opts.strict:
            return None
    return geom


def check_zones(table: SourceTable, fm: FieldMap, opts: Options) -> Checked:
    """Validate a boundary table: names, polygon (repaired with make_valid where possible), ids, area."""
    import geopandas as gpd

    rows = _Rows()
    out: list[dict[str, Any]] = []
    geoms: list[shapely.Geometry] = []
    seen: dict[str, int] = {}
    level = opts.level or ""
    for row, rec in zip(table.frame.index, table.frame.to_dict("records"), strict=True):
        row = int(row)
        before = len(rows.rejected)
        names = _names(row, rec, fm, rows)
        geom = _zone_geometry(row, rec, fm, rows, opts)
        if len(rows.rejected) > before or names is None or geom is None:
            continue
        raw_id = _text(rec.get(fm.get("zone_id"))) if fm.get("zone_id") else ""
        base = (slug(raw_id) or slug(names[0]) or f"row-{row}").replace("-", "_")
        zid = f"{slug(level).replace('-', '_')}_{base}"
        if zid in seen:
            if raw_id:
                rows.add(row, fm.get("zone_id"), _("duplicate id: {value} is also on row {row}").format(
                    value=repr(raw_id[:60]), row=seen[zid]), "rejected")
                continue
            n = 2
            while f"{zid}_{n}" in seen:
                n += 1
            zid = f"{zid}_{n}"
        seen[zid] = row
        out.append({"zone_id": zid, "level": level, "name_en": names[0], "name_th": names[1],
                    "approximate": False, "source": opts.source[:200], "row": row})
        geoms.append(geom)
    gdf = gpd.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326",
                           columns=["zone_id", "level", "name_en", "name_th", "approximate", "source", "row"])
    gdf["area_km2"] = gdf.to_crs(UTM_47N).area / 1e6 if len(gdf) else []
    return Checked(gdf, rows.problems, rows.repaired, rows.rejected)


CHECKS: dict[str, Callable[[SourceTable, FieldMap, Options], Checked]] = {
    "places": check_places,
    "zones": check_zones,
}

__all__ = ["CHECKS", "Checked", "DEFAULT_ZONE_LEVEL", "Options", "check_places", "check_zones",
           "destination_area", "parse_category_options", "slug"]
