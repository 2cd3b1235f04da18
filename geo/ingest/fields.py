"""Which source column feeds which atlas field: common spellings recognised, ``--map DEST=SRC`` on top.

Names are compared case-insensitively with spaces, hyphens and dots read as underscores, so ``Name EN``,
``name-en`` and ``NAME_EN`` all match ``name_en``. Where a file carries several administrative levels
(``ADM1_EN``, ``ADM2_EN``, ``ADM3_EN``: a sub-district file usually repeats its district and province),
the finest level is listed first and wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from geo.errors import ImportRefusedError
from geo.i18n import _
from geo.ingest.model import Problem

# The layers an import can fill. Geometry-free telecom layers are handled by their own readers.
LAYERS: tuple[str, ...] = ("places", "zones", "visits", "trips", "pings", "roads")

_ADM_EN = tuple(f"adm{i}_en" for i in (4, 3, 2, 1)) + tuple(f"name_{i}" for i in (4, 3, 2, 1))
_ADM_TH = tuple(f"adm{i}_th" for i in (4, 3, 2, 1)) + tuple(f"nl_name_{i}" for i in (4, 3, 2, 1))
_ADM_CODE = tuple(f"adm{i}_pcode" for i in (4, 3, 2, 1)) + tuple(f"gid_{i}" for i in (4, 3, 2, 1))

#: Atlas field -> source spellings, most specific first. Shared by every layer; each layer says which
#: fields it needs (``REQUIRED``) and which it reads if present (``OPTIONAL``).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "place_id": ("place_id", "osm_id", "id", "code", "register_no", "licence_no", "license_no"),
    "zone_id": ("zone_id", *_ADM_CODE, "pcode", "code", "id"),
    "name_en": ("name_en", "name_eng", "english_name", "name_english", "name:en", *_ADM_EN, "name"),
    "name_th": ("name_th", "name_thai", "thai_name", "name:th", "ชื่อ", *_ADM_TH),
    "lat": ("lat", "latitude", "y", "lat_dd", "ละติจูด"),
    "lon": ("lon", "lng", "long", "longitude", "x", "lon_dd", "ลองจิจูด"),
    "wkt": ("wkt", "geometry_wkt", "geom_wkt", "the_geom", "geom", "geometry"),
    "category": ("category", "type", "kind", "class", "ประเภท"),
    "layer": ("layer",),
    "rooms": ("rooms", "room", "number_of_rooms", "no_of_rooms", "room_count", "จำนวนห้อง"),
    "capacity": ("capacity", "beds", "guests", "bed_places"),
    "price_band": ("price_band", "price_level", "price_class"),
    "open_hour": ("open_hour", "opens"),
    "close_hour": ("close_hour", "closes"),
    "opening_hours": ("opening_hours", "hours"),
    "source": ("source",),
    "device": ("device", "device_id", "hashed_device", "imsi_hash", "msisdn_hash", "user_id", "uid", "id"),
    "ts": ("ts", "time", "timestamp", "datetime", "date_time", "event_time", "เวลา"),
    "segment": ("segment", "origin", "origin_segment", "visitor_segment", "market", "origin_market"),
    # the operator's aggregates (visits: presence per cell or zone and hour; trips: origin-destination per day)
    "ts_hour": ("ts_hour", "hour_start", "datetime", "date_time", "timestamp", "time", "ts", "เวลา"),
    "date": ("date", "day", "วันที่"),
    "hour": ("hour", "hour_of_day", "hr", "ชั่วโมง"),
    "cell": ("cell", "h3", "h3_index", "h3_cell", "h3_id", "cell_id", "hex", "hex_id"),
    "zone": ("zone", "zone_id", "zone_name", "area", "area_id", "district", "subdistrict", "amphoe", "tambon"),
    "visitor_type": ("visitor_type", "visitor_kind", "stay_type", "traveller_type"),
    "visitors": ("visitors", "unique_devices", "devices", "unique_visitors", "people", "users", "subscribers",
                 "count"),
    "dwell_minutes": ("dwell_minutes", "dwell", "dwell_min", "dwell_time", "minutes", "stay_minutes"),
    "day": ("day", "date", "trip_date", "travel_date", "วันที่"),
    "level": ("level", "flow_level"),
    "origin": ("origin", "origin_zone", "origin_id", "from", "from_zone", "o"),
    "destination": ("destination", "destination_zone", "destination_id", "dest", "to", "to_zone", "d"),
    "trips": ("trips", "trip_count", "flows", "movements", "travellers", "volume", "count"),
}

REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # each inner tuple: at least one of these fields must be found
    "places": (("name_en", "name_th"), ("geometry", "wkt", "lat")),
    "zones": (("name_en", "name_th"), ("geometry", "wkt")),
    "pings": (("device",), ("ts",), ("lat",)),
    "visits": (("ts_hour", "date"), ("cell", "zone"), ("visitors",)),
    "trips": (("day",), ("origin",), ("destination",), ("trips",)),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "places": ("place_id", "name_en", "name_th", "lat", "lon", "wkt", "category", "layer", "rooms", "capacity",
               "price_band", "open_hour", "close_hour", "opening_hours", "source"),
    "zones": ("zone_id", "name_en", "name_th", "wkt"),
    "pings": ("device", "ts", "lat", "lon", "segment"),
    # order matters: a column goes to the first field that recognises it (a trips file's "origin" is a zone)
    "visits": ("ts_hour", "date", "hour", "cell", "zone", "segment", "visitor_type", "visitors", "dwell_minutes"),
    "trips": ("day", "level", "origin", "destination", "segment", "visitor_type", "trips"),
}


def normalise(name: str) -> str:
    """A column name as compared: lower case, spaces/hyphens/dots as underscores, trimmed."""
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower()).strip("_")


@dataclass(frozen=True)
class FieldMap:
    """Atlas field -> source column (exact spelling in the file); ``notes`` say what was recognised."""

    columns: Mapping[str, str]
    notes: tuple[str, ...] = ()

    def get(self, field: str) -> str | None:
        """The source column feeding ``field``, or ``None``."""
        return self.columns.get(field)


def parse_map_options(pairs: Iterable[str]) -> dict[str, str]:
    """``["name_en=ADM2_EN", ...]`` -> ``{"name_en": "ADM2_EN"}``; a malformed pair is refused."""
    out: dict[str, str] = {}
    for pair in pairs:
        dest, sep, src = pair.partition("=")
        if not sep or not dest.strip() or not src.strip():
            msg = _("--map needs DEST=SRC (for example name_en=ADM2_EN), got {pair!r}").format(pair=pair)
            raise ImportRefusedError(msg, [Problem(None, None, msg, "refused")])
        out[dest.strip()] = src.strip()
    return out


def resolve(columns: Sequence[str], layer: str, explicit: Mapping[str, str] | None = None,
            *, has_geometry: bool = False, name: str = "the file") -> FieldMap:
    """Map atlas fields to the file's columns, or refuse naming the fields found.

    ``explicit`` (from ``--map``) wins; an explicit source column that is not in the file is refused.
    """
    if layer not in REQUIRED:
        msg = _("layer {layer} has no field mapping; expected one of {layers}").format(
            layer=repr(layer), layers=", ".join(REQUIRED))
        raise ImportRefusedError(msg, [Problem(None, None, msg, "refused")])
    wanted = OPTIONAL[layer]
    by_norm: dict[str, str] = {}
    for col in columns:
        if col == "geometry" and has_geometry:
            continue
        by_norm.setdefault(normalise(col), col)
    found: dict[str, str] = {}
    notes: list[str] = []
    for dest, src in (explicit or {}).items():
        if dest not in wanted:
            msg = _("--map {dest}={src}: {dest!r} is not a field of layer {layer}; fields: {fields}").format(
                dest=dest, src=src, layer=layer, fields=", ".join(wanted))
            raise ImportRefusedError(msg, [Problem(None, None, msg, "refused")])
        col = src if src in columns else by_norm.get(normalise(src))
        if col is None:
            msg = _("--map {dest}={src}: {name} has no column {src!r}; its columns are: {columns}").format(
                dest=dest, src=src, name=name, columns=_list(columns))
            raise ImportRefusedError(msg, [Problem(None, dest, msg, "refused")])
        found[dest] = col
        notes.append(_("{field} from column {column} (--map)").format(field=dest, column=repr(col)))
    used = set(found.values())
    for dest in wanted:
        if dest in found:
            continue
        for spelling in SYNONYMS.get(dest, (dest,)):
            col = by_norm.get(normalise(spelling))
            if col is not None and col not in used:
                found[dest] = col
                used.add(col)
                if normalise(col) != dest:
                    notes.append(_("{field} from column {column}").format(field=dest, column=repr(col)))
                break
    if "lat" in found and "lon" not in found or "lon" in found and "lat" not in found:
        missing = "lon" if "lat" in found else "lat"
        found.pop("lat", None)
        found.pop("lon", None)
        notes.append(_("no {field} column beside the other coordinate; coordinates not read from columns").format(
            field=missing))
    available = set(found) | ({"geometry"} if has_geometry else set())
    for alternatives in REQUIRED[layer]:
        if not available.intersection(alternatives):
            spellings = sorted({s for a in alternatives for s in SYNONYMS.get(a, ())})
            what = " or ".join("a geometry" if a == "geometry" else a for a in alternatives if a != "lon")
            msg = _("{name} has no {what} field (looked for {spellings}); the fields found are: {columns}. Name "
                    "the column with --map, e.g. --map {field}=YOUR_COLUMN").format(
                name=name, what=what, spellings=", ".join(spellings), columns=_list(columns), field=alternatives[0])
            raise ImportRefusedError(msg, [Problem(None, alternatives[0], msg, "refused")])
    return FieldMap(columns=found, notes=tuple(notes))


def _list(columns: Sequence[str], limit: int = 30) -> str:
    cols = [c for c in columns if c != "geometry"]
    text = ", ".join(cols[:limit]) or "(none)"
    return text + (f", ... ({len(cols) - limit} more)" if len(cols) > limit else "")
