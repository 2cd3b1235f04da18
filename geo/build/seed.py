"""Read and validate the embedded seed files (places CSVs, zones GeoJSON) and load them into DuckDB.

Validation reports the file, the row (1-based, header = row 1) and the reason, and stops before
anything is written: a load either inserts every row or raises ``SeedDataError``.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import geopandas as gpd
import h3
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from geo import sql
from geo.errors import SeedDataError
from geo.settings import H3_RESOLUTION, PROVINCE_BBOX
from geo.vocab import CATEGORIES, PRICE_BANDS, ZONE_LEVELS

PLACE_COLUMNS = (
    "place_id",
    "layer",
    "category",
    "name_en",
    "name_th",
    "lat",
    "lon",
    "rooms",
    "capacity",
    "price_band",
    "estimated",
    "open_hour",
    "close_hour",
    "source",
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ZONE_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_THAI = re.compile(r"[\u0E00-\u0E7F]")
_HAN = re.compile(r"[\u4E00-\u9FFF]")
#: Header of ``names_zh.csv``: the Chinese name of a place or zone, by kind (``place`` or ``zone``) and id.
NAMES_ZH_COLUMNS = ("kind", "id", "name_zh")
MAX_SEED_BYTES = 50 * 1024 * 1024
UTM_47N = "EPSG:32647"


def _fail(path: Path, row: int | None, reason: str) -> SeedDataError:
    where = f"{path.name}" + (f", row {row}" if row is not None else "")
    return SeedDataError(f"{where}: {reason}")


def _check_size(path: Path) -> None:
    if not path.is_file():
        raise _fail(path, None, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, None, "file is empty")
    if size > MAX_SEED_BYTES:
        raise _fail(path, None, f"file is {size / 1e6:.0f} MB, over the {MAX_SEED_BYTES // 1_000_000} MB limit")


def _read_text(path: Path) -> str:
    _check_size(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, line, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    return text


def _in_bbox(lon: float, lat: float) -> bool:
    west, south, east, north = PROVINCE_BBOX
    return west <= lon <= east and south <= lat <= north


def _opt_int(value: str, path: Path, row: int, column: str, lo: int, hi: int) -> int | None:
    if value.strip() == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise _fail(path, row, f"{column} must be a whole number, got {value!r}") from None
    if not lo <= number <= hi:
        raise _fail(path, row, f"{column} must be between {lo} and {hi}, got {number}")
    return number


def read_places_csv(path: Path) -> pd.DataFrame:
    """Validate one places CSV and return its rows as a typed DataFrame."""
    text = _read_text(path)
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != PLACE_COLUMNS:
        raise _fail(path, 1, f"header must be {','.join(PLACE_COLUMNS)}; got {','.join(reader.fieldnames or [])}")
    records = []
    for row_no, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise _fail(path, row_no, f"expected {len(PLACE_COLUMNS)} fields")
        pid = row["place_id"].strip()
        if not _ID.match(pid):
            raise _fail(path, row_no, f"place_id {pid!r} must be lowercase letters, digits and hyphens")
        layer, category = row["layer"].strip(), row["category"].strip()
        if layer not in CATEGORIES:
            raise _fail(path, row_no, f"layer {layer!r} is not one of {', '.join(CATEGORIES)}")
        if category not in CATEGORIES[layer]:
            raise _fail(path, row_no, f"category {category!r} is not allowed for layer {layer}")
        name_en, name_th = row["name_en"].strip(), row["name_th"].strip()
        if not name_en:
            raise _fail(path, row_no, "name_en is empty")
        if not _THAI.search(name_th):
            raise _fail(path, row_no, f"name_th {name_th!r} must be written in Thai script")
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            raise _fail(path, row_no, f"lat/lon must be numbers, got {row['lat']!r}, {row['lon']!r}") from None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise _fail(path, row_no, "lat/lon must be finite numbers")
        if not _in_bbox(lon, lat):
            if _in_bbox(lat, lon):
                raise _fail(path, row_no, f"lat/lon look swapped ({lat}, {lon}); lat is about 18–20, lon about 98–99")
            raise _fail(path, row_no, f"point ({lat}, {lon}) is outside Chiang Mai province")
        price_band = row["price_band"].strip() or None
        if price_band is not None and price_band not in PRICE_BANDS:
            raise _fail(path, row_no, f"price_band {price_band!r} is not one of {', '.join(PRICE_BANDS)}")
        rooms = _opt_int(row["rooms"], path, row_no, "rooms", 1, 5000)
        if layer == "accommodation" and (rooms is None or price_band is None):
            raise _fail(path, row_no, "accommodation needs rooms and price_band")
        estimated = row["estimated"].strip().lower()
        if estimated not in ("true", "false"):
            raise _fail(path, row_no, f"estimated must be true or false, got {estimated!r}")
        source = row["source"].strip()
        if not source:
            raise _fail(path, row_no, "source is empty")
        records.append(
            {
                "place_id": pid,
                "layer": layer,
                "category": category,
                "name_en": name_en,
                "name_th": name_th,
                "lon": lon,
                "lat": lat,
                "rooms": rooms,
                "capacity": _opt_int(row["capacity"], path, row_no, "capacity", 1, 200_000),
                "price_band": price_band,
                "estimated": estimated == "true",
                "open_hour": _opt_int(row["open_hour"], path, row_no, "open_hour", 0, 23),
                "close_hour": _opt_int(row["close_hour"], path, row_no, "close_hour", 1, 24),
                "source": source,
            }
        )
    if not records:
        raise _fail(path, None, "no data rows")
    return pd.DataFrame.from_records(records)


def read_places(paths: Iterable[Path]) -> pd.DataFrame:
    """Validate and concatenate places CSVs; ids must be unique across files."""
    frames = [read_places_csv(p) for p in sorted(paths)]
    if not frames:
        msg = "No places files (data/seed/places/*.csv) found"
        raise SeedDataError(msg)
    df = pd.concat(frames, ignore_index=True)
    dup = df["place_id"][df["place_id"].duplicated()]
    if not dup.empty:
        msg = f"place_id values repeat across places files: {', '.join(sorted(set(dup))[:10])}"
        raise SeedDataError(msg)
    for col in ("rooms", "capacity", "open_hour", "close_hour"):
        df[col] = df[col].astype("Int64")
    return df


def read_names_zh(path: Path) -> dict[str, dict[str, str]]:
    """Chinese names (Simplified) of places and zones from ``names_zh.csv``: {"place": {id: name}, "zone": {...}}.

    The file is optional (missing: no Chinese names); each name must hold Han characters, each (kind, id) once.
    """
    names: dict[str, dict[str, str]] = {"place": {}, "zone": {}}
    if not path.exists():
        return names
    reader = csv.DictReader(_read_text(path).splitlines())
    if tuple(reader.fieldnames or ()) != NAMES_ZH_COLUMNS:
        raise _fail(path, 1, f"header must be {','.join(NAMES_ZH_COLUMNS)}; got {','.join(reader.fieldnames or [])}")
    for row_no, row in enumerate(reader, start=2):
        kind, key, name = (str(row.get(c) or "").strip() for c in NAMES_ZH_COLUMNS)
        if kind not in names:
            raise _fail(path, row_no, f"kind {kind!r} must be place or zone")
        if not _HAN.search(name):
            raise _fail(path, row_no, f"name_zh {name!r} must be written in Chinese characters")
        if key in names[kind]:
            raise _fail(path, row_no, f"{kind} {key!r} repeats")
        names[kind][key] = name
    return names


def with_names_zh(frame: pd.DataFrame, key: str, names: dict[str, str], path: Path | None = None) -> pd.DataFrame:
    """``frame`` with a ``name_zh`` column from ``names`` (by ``key``); an id ``frame`` lacks is an error."""
    unknown = sorted(set(names) - set(frame[key]))
    if unknown:
        msg = f"{path or 'names_zh.csv'}: no {key} {', '.join(unknown[:10])} to give a Chinese name to"
        raise SeedDataError(msg)
    out = frame.copy()
    out["name_zh"] = [names.get(k) for k in out[key]]
    return out


def _check_ring(coords: list, path: Path, row: int, what: str) -> None:
    if len(coords) < 4:
        raise _fail(path, row, f"{what} has {len(coords)} positions; a ring needs at least 4")
    if list(coords[0]) != list(coords[-1]):
        raise _fail(path, row, f"{what} is not closed (first and last positions differ)")
    for pos in coords:
        if not (isinstance(pos, list | tuple) and len(pos) >= 2 and all(isinstance(v, int | float) for v in pos[:2])):
            raise _fail(path, row, f"{what} has a position that is not two numbers: {pos!r}")


def _check_geometry(geom: dict, path: Path, row: int) -> shapely.Geometry:
    kind = geom.get("type") if isinstance(geom, dict) else None
    if kind == "Polygon":
        polygons = [geom.get("coordinates") or []]
    elif kind == "MultiPolygon":
        polygons = geom.get("coordinates") or []
    else:
        raise _fail(path, row, f"geometry must be a Polygon or MultiPolygon, got {kind!r}")
    if not polygons or not all(polygons):
        raise _fail(path, row, "geometry has no rings")
    for p_no, rings in enumerate(polygons, start=1):
        for r_no, ring in enumerate(rings, start=1):
            _check_ring(ring, path, row, f"polygon {p_no} ring {r_no}")
    shp = shape(geom)
    if not shp.is_valid:
        raise _fail(path, row, f"invalid geometry: {explain_validity(shp)}")
    west, south, east, north = shp.bounds
    if not (_in_bbox(west, south) and _in_bbox(east, north)):
        if _in_bbox(south, west) and _in_bbox(north, east):
            raise _fail(path, row, "coordinates look like (lat, lon); GeoJSON positions are (lon, lat)")
        raise _fail(path, row, f"geometry bounds {shp.bounds} reach outside Chiang Mai province")
    return shp


def read_zones_geojson(path: Path, *, default_level: str = "tourism_zone") -> gpd.GeoDataFrame:
    """Validate a zones GeoJSON FeatureCollection (EPSG:4326) and return a GeoDataFrame with areas."""
    text = _read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _fail(path, None, "must be a GeoJSON FeatureCollection")
    crs = doc.get("crs")
    if crs is not None:
        name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
        if not name.upper().endswith(("CRS84", "4326")):
            raise _fail(path, None, f"CRS {name!r} is not WGS84; reproject to EPSG:4326 before loading")
    features = doc.get("features") or []
    if not features:
        raise _fail(path, None, "no features")
    records, geoms, seen = [], [], set()
    for row_no, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        zone_id = str(props.get("zone_id", "")).strip()
        if not _ZONE_ID.match(zone_id):
            raise _fail(path, row_no, f"feature zone_id {zone_id!r} must be lowercase letters, digits, underscores")
        if zone_id in seen:
            raise _fail(path, row_no, f"zone_id {zone_id!r} repeats")
        seen.add(zone_id)
        level = str(props.get("level") or default_level)
        if level not in ZONE_LEVELS:
            raise _fail(path, row_no, f"level {level!r} is not one of {', '.join(ZONE_LEVELS)}")
        name_en = str(props.get("name_en") or "").strip()
        name_th = str(props.get("name_th") or "").strip()
        if not name_en or not _THAI.search(name_th):
            raise _fail(path, row_no, "name_en and a Thai-script name_th are required")
        geoms.append(_check_geometry(feature.get("geometry"), path, row_no))
        records.append(
            {
                "zone_id": zone_id,
                "level": level,
                "name_en": name_en,
                "name_th": name_th,
                "approximate": bool(props.get("approximate", True)),
                "source": str(props.get("source") or "project"),
            }
        )
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:4326")
    gdf["area_km2"] = gdf.to_crs(UTM_47N).area / 1e6
    return gdf


def load_places(con: duckdb.DuckDBPyConnection, places: pd.DataFrame, *, resolution: int = H3_RESOLUTION) -> int:
    """Insert validated places (needs ``zones`` loaded for zone assignment); returns rows inserted."""
    frame = places.copy()
    if "name_zh" not in frame.columns:  # imported places, or a seed without Chinese names
        frame["name_zh"] = None
    frame["name_zh"] = frame["name_zh"].astype(object)
    frame["cell"] = [
        h3.str_to_int(h3.latlng_to_cell(lat, lon, resolution))
        for lat, lon in zip(frame["lat"], frame["lon"], strict=True)
    ]
    frame["cell"] = frame["cell"].astype("uint64")
    con.register("places_frame", frame)
    try:
        sql.execute(con, "build/insert_places")
    finally:
        con.unregister("places_frame")
    return len(frame)


def load_zones(con: duckdb.DuckDBPyConnection, zones: gpd.GeoDataFrame) -> int:
    """Insert validated zones; returns rows inserted."""
    frame = pd.DataFrame(zones.drop(columns="geometry"))
    if "name_zh" not in frame.columns:  # imported boundaries, or a seed without Chinese names
        frame["name_zh"] = None
    frame["name_zh"] = frame["name_zh"].astype(object)
    frame["wkb"] = shapely.to_wkb(zones.geometry.values)
    con.register("zones_frame", frame)
    try:
        sql.execute(con, "build/insert_zones")
    finally:
        con.unregister("zones_frame")
    return len(frame)


def cells_frame(zones: gpd.GeoDataFrame, *, resolution: int = H3_RESOLUTION) -> pd.DataFrame:
    """Every H3 cell whose centre lies in a zone, with centre, hexagon (WKB) and zone_id."""
    rows = []
    for zone_id, geom in zip(zones["zone_id"], zones.geometry, strict=True):
        for cell in h3.geo_to_cells(geom, resolution):
            lat, lon = h3.cell_to_latlng(cell)
            ring = [(x, y) for y, x in h3.cell_to_boundary(cell)]
            rows.append((h3.str_to_int(cell), lon, lat, shapely.Polygon(ring), zone_id))
    frame = pd.DataFrame(rows, columns=["cell", "lon", "lat", "hexagon", "zone_id"])
    frame = frame.drop_duplicates("cell", keep="first")
    frame["cell"] = frame["cell"].astype("uint64")
    frame["resolution"] = resolution
    frame["wkb"] = shapely.to_wkb(frame.pop("hexagon").values)
    return frame


def load_cells(con: duckdb.DuckDBPyConnection, zones: gpd.GeoDataFrame, *, resolution: int = H3_RESOLUTION) -> int:
    """Compute and insert the H3 cells covering the zones; returns rows inserted."""
    frame = cells_frame(zones, resolution=resolution)
    con.register("cells_frame", frame)
    try:
        sql.execute(con, "build/insert_cells")
    finally:
        con.unregister("cells_frame")
    return len(frame)
