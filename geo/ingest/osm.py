"""Read OpenStreetMap extracts (``.osm.pbf`` and ``.osm`` XML) into a :class:`SourceTable` of places.

One code path for both formats: pyosmium (``osmium.FileProcessor``) streams the file, keeps the node
locations in its own C++ index (never in Python dicts) and hands Python only the objects carrying one of
the tags in :data:`POI_CATEGORIES` (an ``osmium.filter.TagFilter`` does the selection in C++).
DuckDB's ``ST_ReadOSM`` would read ``.pbf`` only, so it is not used here.

What becomes a place:

* a **node** with a matching tag: a point at the node;
* a **way** with a matching tag: a closed way (an area: building, park outline) becomes the centroid of
  its polygon, an open way the point halfway along it. A way whose nodes are not all in the extract (cut
  at the extract's edge, or edited in JOSM and never uploaded: negative ids) is rejected with its id;
* a **relation** of type ``multipolygon`` or ``boundary`` with a matching tag: the centroid of the area
  its ``outer`` (or role-less) member ways enclose, minus the ``inner`` ones. When an outer way is not
  in the extract, or the outer ways do not close into rings, the relation is rejected with its id. Other
  relation types (``site``, ``route``...) are rejected: they have no area to take a point from.

The first rule of :data:`POI_CATEGORIES` whose tags an object has gives its atlas layer and category
(``docs/osm-mapping.md`` lists the rules in order, with the reason for each decision). An object without
``name``, ``name:th`` and ``name:en`` is rejected: the atlas shows every place by name (``name_en`` and
``name_th`` are required in the places table), and a nameless point cannot be told apart from its
neighbours by an official checking the import. ``tourism=attraction`` alone says nothing about which
category a place is, so such objects are rejected with that reason instead of being guessed.

Centroids are computed in lon/lat degrees. Against the centroid in UTM 47N (EPSG:32647), random
12-sided shapes around Chiang Mai differed by at most 2 cm at ~2 km across (buildings, parks) and 11 m
at ~60 km across (a national park): negligible for a map point.

Tested size (generated extracts, the project's 2-core machine, CPU seconds of one process, which matched
wall time on an idle machine): 200,000 nodes, 20,000 ways and 2,000 relations, of which 10,533 become
places, read in 0.5 s as ``.osm.pbf`` (1.5 MB) and 0.7 s as ``.osm`` XML (16 MB), ~45 MB above the
process's peak after imports (~135 MB); ten times that (2M nodes, 15 MB pbf / 165 MB XML, 105,333 places)
in 5.1 s (pbf) and 7.0 s (XML) at ~385 MB peak. pyosmium's own pass over the 2M-node file takes about
0.3 s (pbf) and 1.6 s (XML); the rest is ~40 µs of Python per place, so time grows with the number of
places more than with the file's size. Not measured: a real country extract (Thailand's tens of millions
of nodes), where the C++ location index, not Python, holds the node coordinates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import osmium
import osmium.filter
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polygonize, unary_union

from geo.errors import ImportRefusedError
from geo.i18n import _, ngettext
from geo.ingest.model import Action, Problem, SourceTable

#: Largest extract read (bytes). A province extract is a few tens of MB as ``.osm.pbf`` (XML about ten
#: times larger); a whole-country Thailand ``.osm.pbf`` of a few hundred MB still fits.
MAX_OSM_BYTES = 1024**3


@dataclass(frozen=True)
class PoiRule:
    """One row of the mapping table: objects tagged ``key=value`` (and every ``when`` condition) become
    places of ``layer``/``category``.

    A ``when`` condition is ``(key, value)``: ``value`` ``"*"`` means the key is present with any value, a
    value ending in ``*`` matches by prefix (``("name", "วัด*")``), any other value must be equal.
    """

    key: str
    value: str
    layer: str
    category: str
    when: tuple[tuple[str, str], ...] = ()
    why: str = ""

    @property
    def tag(self) -> str:
        """The tag this rule looks for, as ``key=value``."""
        return f"{self.key}={self.value}"

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether an object with ``tags`` falls under this rule."""
        if tags.get(self.key) != self.value:
            return False
        return all(_condition_holds(tags.get(key), want) for key, want in self.when)


def _condition_holds(have: str | None, want: str) -> bool:
    if have is None:
        return False
    if want == "*":
        return True
    if want.endswith("*"):
        return have.startswith(want[:-1])
    return have == want


def _rules(layer: str, category: str, *tags: str, when: tuple[tuple[str, str], ...] = (),
           why: str = "") -> tuple[PoiRule, ...]:
    """Rules for several ``key=value`` tags that share a target (keeps the table below readable)."""
    out = []
    for tag in tags:
        key, value = tag.split("=", 1)
        out.append(PoiRule(key, value, layer, category, when, why))
    return tuple(out)


#: The mapping from OSM tags to atlas layers and categories, **first match wins** (``category_for``).
#: Order: transport, hospitals, accommodation, attractions (temples, museums, markets, waterfalls,
#: viewpoints, shows, crafts, heritage, nature), spas, cafés. The more specific purpose comes first, so a
#: hotel with a café or a spa stays a hotel, a temple that is also a historic site stays a temple, and a
#: museum in a historic building stays a museum. ``docs/osm-mapping.md`` is this table as Markdown
#: (``mapping_markdown``; a test keeps the two equal).
POI_CATEGORIES: tuple[PoiRule, ...] = (
    *_rules("transport", "airport", "aeroway=aerodrome", when=(("iata", "*"),),
            why="Airports with an IATA code take passengers; airstrips and military fields have none."),
    *_rules("transport", "bus_terminal", "amenity=bus_station"),
    *_rules("transport", "railway_station", "railway=station",
            why="Stations only: halts and tram stops are not terminals visitors plan around."),
    *_rules("health", "hospital", "amenity=hospital", "healthcare=hospital"),
    *_rules("accommodation", "homestay", "tourism=guest_house", when=(("guest_house", "homestay"),),
            why="OSM tags a homestay as a guest house with guest_house=homestay; checked before guest houses."),
    *_rules("accommodation", "resort", "leisure=resort",
            why="Before hotels, so a resort also tagged as a hotel counts as a resort."),
    *_rules("accommodation", "resort", "tourism=resort",
            why="Not a documented OSM value (leisure=resort is); read when a mapper used it."),
    *_rules("accommodation", "hotel", "tourism=hotel"),
    *_rules("accommodation", "hotel", "tourism=motel",
            why="A motel is a hotel by the road; the atlas has no category of its own for it."),
    *_rules("accommodation", "guesthouse", "tourism=guest_house"),
    *_rules("accommodation", "hostel", "tourism=hostel"),
    *_rules("accommodation", "guesthouse", "tourism=chalet", "tourism=apartment",
            why="A chalet or holiday apartment is a small private rental, closest to a guest house."),
    *_rules("attraction", "temple", "amenity=place_of_worship", when=(("religion", "buddhist"),),
            why="Buddhist places of worship only: churches, mosques and shrines are not the atlas's temples."),
    *_rules("attraction", "temple", "amenity=place_of_worship", when=(("name", "วัด*"),),
            why="Many Thai wats lack religion=*; a name starting with วัด (wat) says it."),
    *_rules("attraction", "temple", "amenity=place_of_worship", when=(("name:th", "วัด*"),)),
    *_rules("attraction", "temple", "amenity=place_of_worship", when=(("name", "Wat *"),)),
    *_rules("attraction", "temple", "amenity=place_of_worship", when=(("name:en", "Wat *"),)),
    *_rules("attraction", "museum", "tourism=museum"),
    *_rules("attraction", "museum", "tourism=gallery",
            why="tourism=gallery is a public art exhibition (commercial galleries are shop=art)."),
    *_rules("attraction", "market", "amenity=marketplace"),
    *_rules("attraction", "waterfall", "waterway=waterfall", "natural=waterfall"),
    *_rules("attraction", "viewpoint", "tourism=viewpoint"),
    *_rules("attraction", "cultural_show", "amenity=theatre", "amenity=arts_centre"),
    *_rules("attraction", "craft_village", "craft=handicraft", "craft=pottery", "craft=weaver",
            "craft=basket_maker", "craft=silversmith", "craft=sculptor",
            why="Handicraft workshops (San Kamphaeng, Bo Sang, Ban Tawai); plumbers, tailors and other "
                "craft=* trades are not attractions, and shop=craft sells craft supplies."),
    *_rules("attraction", "old_city", "historic=city_gate", "historic=citywalls",
            "historic=archaeological_site", "historic=ruins", "historic=monument",
            why="old_city is the atlas's heritage category: gates, walls, ancient city sites (Wiang Kum "
                "Kam), ruins and monuments. Memorials, wayside shrines and boundary stones are left out "
                "(small and numerous)."),
    *_rules("attraction", "nature", "tourism=zoo", "tourism=theme_park",
            why="Zoos, safari and theme parks here are large outdoor parks (zoo, night safari, water and "
                "adventure parks); nature is the closest atlas category."),
    *_rules("attraction", "nature", "leisure=nature_reserve", "boundary=national_park", "leisure=park",
            "natural=hot_spring"),
    *_rules("attraction", "nature", "leisure=garden", when=(("garden:type", "botanical"),),
            why="Botanic gardens only; private and residential gardens are left out."),
    *_rules("attraction", "nature", "tourism=attraction", when=(("natural", "*"),),
            why="An attraction that is a natural feature (cave, peak, hot spring...)."),
    *_rules("health", "spa", "amenity=spa", "leisure=spa", "shop=massage"),
    *_rules("health", "spa", "shop=beauty", when=(("beauty", "spa"),)),
    *_rules("attraction", "cafe_lifestyle", "amenity=cafe",
            why="Last: a café inside a hotel, market or museum belongs to that place."),
)

#: Objects tagged only with this are rejected with a reason rather than guessed into a category.
_VAGUE = ("tourism", "attraction")
#: Relation types that describe an area.
_AREA_RELATIONS = frozenset({"multipolygon", "boundary"})
#: Tag pairs handed to the C++ filter: every rule's tag, plus the vague one (so it can be reported).
_FILTER_TAGS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys([(r.key, r.value) for r in POI_CATEGORIES]
                                                                + [_VAGUE]))

#: Output columns, in order: text (pandas ``str``, missing = NaN), ``rooms`` (``Int64``), ``geometry``
#: (Shapely points, lon/lat).
COLUMNS = ("osm_id", "name", "name_th", "name_en", "layer", "category", "osm_tag", "rooms",
           "opening_hours", "geometry")
_TEXT_COLUMNS = ("osm_id", "name", "name_th", "name_en", "layer", "category", "osm_tag", "opening_hours")
#: Decimals kept in computed centroids: OpenStreetMap stores 7 (about 1 cm).
_DECIMALS = 7


def _index_rules(rules: tuple[PoiRule, ...]) -> dict[tuple[str, str], tuple[tuple[int, PoiRule], ...]]:
    index: dict[tuple[str, str], list[tuple[int, PoiRule]]] = {}
    for position, rule in enumerate(rules):
        index.setdefault((rule.key, rule.value), []).append((position, rule))
    return {pair: tuple(found) for pair, found in index.items()}


#: (key, value) -> the rules looking for that tag with their positions, so a lookup only tries the rules
#: an object's own tags can match (same result as trying every rule in order).
_RULES_BY_TAG = _index_rules(POI_CATEGORIES)


def rule_for(tags: Mapping[str, str]) -> PoiRule | None:
    """The first rule of :data:`POI_CATEGORIES` that ``tags`` match, or ``None``."""
    candidates = [found for pair in tags.items() for found in _RULES_BY_TAG.get(pair, ())]
    for _order, rule in sorted(candidates, key=lambda found: found[0]):
        if rule.matches(tags):
            return rule
    return None


def category_for(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """The atlas ``(layer, category)`` for an object's OSM ``tags`` (first matching rule), or ``None``."""
    rule = rule_for(tags)
    return None if rule is None else (rule.layer, rule.category)


def looked_for() -> str:
    """The tags the reader looks for, for messages (``amenity=cafe, tourism=hotel, ...``)."""
    return ", ".join(dict.fromkeys(r.tag for r in POI_CATEGORIES))


def mapping_markdown() -> str:
    """:data:`POI_CATEGORIES` as the Markdown table in ``docs/osm-mapping.md`` (first match wins)."""
    lines = [
        "| # | OSM tag | only when | atlas layer | atlas category | why |",
        "|---|---|---|---|---|---|",
    ]
    previous = ""
    for number, rule in enumerate(POI_CATEGORIES, start=1):
        when = ", ".join(f"`{k}={v}`" for k, v in rule.when)
        why = "(as above)" if rule.why and rule.why == previous else rule.why
        previous = rule.why
        lines.append(f"| {number} | `{rule.tag}` | {when} | {rule.layer} | {rule.category} | {why} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------
# Names

_THAI = re.compile(r"[\u0E00-\u0E7F]")


def _is_thai(text: str) -> bool:
    return bool(_THAI.search(text))


def _is_latin(text: str) -> bool:
    """Every letter is a Latin letter (accents allowed), and there is at least one."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def names(tags: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """``(name, name_th, name_en)``: ``name:th``/``name:en`` when tagged, else ``name`` when it is written
    in Thai script (for ``name_th``) or in Latin letters only (for ``name_en``)."""
    name = _clean(tags.get("name"))
    name_th = _clean(tags.get("name:th"))
    name_en = _clean(tags.get("name:en"))
    if name is not None:
        if name_th is None and _is_thai(name):
            name_th = name
        if name_en is None and not _is_thai(name) and _is_latin(name):
            name_en = name
    return name, name_th, name_en


# ---------------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Feature:
    """One tagged object on its way to a row (or a rejection)."""

    osm_id: str
    tags: dict[str, str]
    rule: PoiRule | None
    geometry: Point | None = None
    issues: list[tuple[str | None, str, Action]] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = _clean(self.tags.get("name")) or _clean(self.tags.get("name:en")) or _clean(self.tags.get("name:th"))
        return f"{self.osm_id} {name!r}" if name else self.osm_id

    def reject(self, field_name: str | None, reason: str) -> None:
        self.issues.append((field_name, f"{self.label}: {reason}", "rejected"))

    @property
    def rejected(self) -> bool:
        return any(action == "rejected" for _field, _reason, action in self.issues)


@dataclass
class _Relation:
    feature: _Feature
    outer: list[int]
    inner: list[int]


class _CorruptError(Exception):
    """The OSM reader failed part-way (truncated or damaged file)."""


def _refuse(name: str, reason: str, problems: list[Problem] | None = None) -> ImportRefusedError:
    message = f"{name}: {reason}"
    return ImportRefusedError(message, [Problem(None, None, reason, "refused"), *(problems or [])])


def sniff(path: Path, name: str, max_bytes: int) -> str:
    """The pyosmium format name (``"pbf"`` or ``"osm"``) of the file's content; refuses anything else."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise _refuse(name, _("the file cannot be read ({error})").format(error=exc.strerror or exc)) from exc
    if size == 0 or not head.strip():
        raise _refuse(name, _("the file is empty"))
    if size > max_bytes:
        raise _refuse(name, _("the file is {size} MB, more than the {limit} MB an OSM import reads; cut a smaller "
                              "extract (e.g. with osmium extract) for the province").format(
            size=f"{size / 1e6:,.0f}", limit=f"{max_bytes / 1e6:,.0f}"))
    if head[:2] == b"\x1f\x8b" or head[:3] == b"BZh":
        raise _refuse(name, _("the file is compressed (gzip/bzip2): unpack it first, or download the .osm.pbf "
                              "extract instead"))
    # PBF: a 4-byte big-endian BlobHeader length, then the BlobHeader whose first field is the string
    # "OSMHeader" (protobuf tag 0x0A, length 9).
    if head[4:15] == b"\x0a\x09OSMHeader":
        return "pbf"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"^(?:<!--.*?-->\s*)+", "", text, flags=re.DOTALL)
    if text.startswith("<osmChange"):
        raise _refuse(name, _("this is an osmChange file (a set of edits), not an OpenStreetMap extract"))
    if re.match(r"<osm[\s>/]", text):
        return "osm"
    raise _refuse(name, _("the file is not an OpenStreetMap extract: expected an .osm.pbf file (starting with an "
                          "OSMHeader block) or OSM XML (starting with <osm>)"))


def _objects(processor: Iterable[osmium.osm.OSMObject]) -> Iterator[osmium.osm.OSMObject]:
    """Iterate a FileProcessor, turning the reader's parse errors into ``_CorruptError``."""
    it = iter(processor)
    while True:
        try:
            obj = next(it)
        except StopIteration:
            return
        except RuntimeError as exc:  # libosmium: "PBF error: unexpected EOF", "XML parsing error at line ..."
            raise _CorruptError(str(exc)) from exc
        yield obj


def _split(refs: list[int], located: list[tuple[float, float] | None]) -> tuple[list[tuple[float, float]], list[int]]:
    """A way's node coordinates (lon, lat), and the refs of its nodes that have no location."""
    coords = [loc for loc in located if loc is not None]
    missing = [ref for ref, loc in zip(refs, located, strict=True) if loc is None]
    return coords, missing


def _missing_reason(missing: list[int], total: int) -> str:
    shown = ", ".join(f"node/{ref}" for ref in missing[:3]) + (", ..." if len(missing) > 3 else "")
    why = (_("negative ids are edits never uploaded to OpenStreetMap") if any(ref < 0 for ref in missing)
           else _("the way was probably cut at the extract's edge"))
    return _("{n} of {total} nodes are not in the extract ({shown}); {why}").format(
        n=len(missing), total=total, shown=shown, why=why)


def _rounded(point: Point) -> Point:
    return Point(round(point.x, _DECIMALS), round(point.y, _DECIMALS))


def _way_point(refs: list[int], coords: list[tuple[float, float]]) -> Point:
    """The point a way stands for: its polygon's centroid when closed, else halfway along it."""
    if len(coords) == 1 or len(set(coords)) == 1:
        return Point(coords[0])
    closed = len(refs) >= 4 and refs[0] == refs[-1]
    if closed:
        poly = Polygon(coords)
        if poly.area > 0:
            return _rounded(poly.centroid)
    line = LineString(coords)
    if closed:
        return _rounded(line.centroid)
    return _rounded(line.interpolate(0.5, normalized=True))


def _tags(obj: osmium.osm.OSMObject, kind: str) -> dict[str, str]:
    try:
        return {tag.k: tag.v for tag in obj.tags}
    except UnicodeDecodeError as exc:  # XML is checked by the parser; a damaged .pbf string is not
        raise _CorruptError(_("a tag of {object} is not valid UTF-8").format(object=f"{kind}/{obj.id}")) from exc


def _new_feature(obj: osmium.osm.OSMObject, kind: str) -> _Feature:
    tags = _tags(obj, kind)
    feature = _Feature(f"{kind}/{obj.id}", tags, rule_for(tags))
    if feature.rule is None:  # only the vague tag matched the filter (or a rule's condition failed)
        if tags.get(_VAGUE[0]) == _VAGUE[1]:
            feature.reject("osm_tag", _("tagged tourism=attraction, but no other tag says which atlas category "
                                        "it is (docs/osm-mapping.md); add one such as natural=*, historic=* or "
                                        "tourism=museum in OpenStreetMap"))
        return feature
    if not any(_clean(tags.get(key)) for key in ("name", "name:th", "name:en")):
        feature.reject("name", _("no name, name:th or name:en; the atlas shows every place by its name"))
    return feature


def _faces(lines: list[LineString]) -> BaseGeometry:
    """The area the lines enclose. They are noded first, so a self-crossing ring (a bow tie) still
    encloses its two halves instead of nothing."""
    noded = unary_union(lines)
    return unary_union(list(polygonize(list(shapely.get_parts(noded)))))


def _assemble(rel: _Relation, ways: Mapping[int, LineString | None]) -> Point | None:
    """The centroid of a relation's area, or ``None`` after recording why it has none."""
    feature = rel.feature
    if not rel.outer:
        feature.reject("geometry", _("the relation has no outer member ways"))
        return None
    absent = [w for w in rel.outer if ways.get(w) is None]
    if absent:
        shown = ", ".join(f"way/{w}" for w in absent[:3]) + (", ..." if len(absent) > 3 else "")
        feature.reject("geometry", _("{n} of {total} outer ways are not in the extract or miss nodes "
                                     "({shown})").format(n=len(absent), total=len(rel.outer), shown=shown))
        return None
    outer = _faces([ways[w] for w in rel.outer])
    if outer.is_empty:
        feature.reject("geometry", _("the outer ways do not close into a ring"))
        return None
    inner_lines = [ways[w] for w in rel.inner if ways.get(w) is not None]
    if inner_lines:
        holes = _faces(inner_lines)
        if not holes.is_empty:
            area = outer.difference(holes)
            outer = area if not area.is_empty else outer
    return _rounded(outer.centroid)


def _read(path: Path, fmt: str) -> list[_Feature]:
    """Stream the file: tagged nodes, ways and relations, then (if needed) the relations' member ways."""
    features: list[_Feature] = []
    relations: list[_Relation] = []
    processor = (osmium.FileProcessor(osmium.io.File(str(path), fmt))
                 .with_locations()
                 .with_filter(osmium.filter.TagFilter(*_FILTER_TAGS)))
    for obj in _objects(processor):
        if not obj.visible:  # history files: deleted versions
            continue
        if obj.is_node():
            feature = _new_feature(obj, "node")
            if feature.rule is not None and not feature.rejected:
                if obj.location.valid():
                    feature.geometry = Point(obj.location.lon, obj.location.lat)
                else:
                    feature.reject("geometry", _("the node has no valid longitude/latitude"))
        elif obj.is_way():
            feature = _new_feature(obj, "way")
            if feature.rule is not None and not feature.rejected:
                refs = [n.ref for n in obj.nodes]
                located = [(n.lon, n.lat) if n.location.valid() else None for n in obj.nodes]
                coords, missing = _split(refs, located)
                if not refs:
                    feature.reject("geometry", _("the way has no nodes"))
                elif missing:
                    feature.reject("geometry", _missing_reason(missing, len(refs)))
                else:
                    feature.geometry = _way_point(refs, coords)
        elif obj.is_relation():
            feature = _new_feature(obj, "relation")
            if feature.rule is not None and not feature.rejected:
                kind = feature.tags.get("type")
                if kind not in _AREA_RELATIONS:
                    feature.reject("geometry", _("a relation of type {kind} has no area to place a point in; "
                                                 "map the place as a node or a way").format(
                        kind=kind or _("(none)")))
                else:
                    outer = [m.ref for m in obj.members if m.type == "w" and m.role in ("outer", "")]
                    inner = [m.ref for m in obj.members if m.type == "w" and m.role == "inner"]
                    relations.append(_Relation(feature, outer, inner))
        else:
            continue
        features.append(feature)

    if relations:
        wanted = {w for rel in relations for w in (*rel.outer, *rel.inner)}
        ways = _member_ways(path, fmt, wanted, processor.node_location_storage)
        for rel in relations:
            rel.feature.geometry = _assemble(rel, ways)
    return features


def _stored(store: osmium.index.LocationTable | None, ref: int) -> tuple[float, float] | None:
    """The (lon, lat) the first pass stored for node ``ref``, or ``None`` (not in the extract; the index
    holds no negative ids)."""
    if store is None or ref < 0:
        return None
    try:
        loc = store.get(ref)
    except KeyError:
        return None
    return (loc.lon, loc.lat) if loc.valid() else None


def _member_ways(path: Path, fmt: str, wanted: set[int],
                 store: osmium.index.LocationTable | None) -> dict[int, LineString | None]:
    """Lines of the wanted ways (``None`` for a way missing nodes); node locations from the first pass."""
    ways: dict[int, LineString | None] = {}
    processor = (osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.WAY)
                 .with_filter(osmium.filter.IdFilter(wanted)))
    for way in _objects(processor):
        refs = [n.ref for n in way.nodes]
        coords, missing = _split(refs, [_stored(store, ref) for ref in refs])
        ways[way.id] = LineString(coords) if not missing and len(coords) >= 2 else None
    return ways


def _rooms(feature: _Feature) -> int | None:
    raw = _clean(feature.tags.get("rooms"))
    if raw is None:
        return None
    if raw.isascii() and raw.isdigit():
        return int(raw)
    feature.issues.append(("rooms", _("{label}: rooms={value} is not a whole number; left empty").format(
        label=feature.label, value=repr(raw)), "warning"))
    return None


def read_osm(path: Path, *, name: str | None = None, max_bytes: int = MAX_OSM_BYTES) -> SourceTable:
    """Read the places in an OpenStreetMap extract (``.osm.pbf`` or ``.osm`` XML, told apart by content).

    Returns a :class:`SourceTable` (format ``"osm"``, CRS EPSG:4326) whose ``frame`` has the columns
    :data:`COLUMNS`, one row per place in file order (nodes, then ways, then relations), indexed 1, 2, ...
    Rejected objects are not rows: each has a ``Problem`` with ``row=None`` whose reason starts with its
    OSM id (``way/456 'Hotel B': ...``); a non-numeric ``rooms`` tag is a warning on its row.

    Raises ``ImportRefusedError`` when the file is empty, larger than ``max_bytes``, not OSM, truncated
    or damaged, or holds no place at all (the message lists the tags looked for).
    """
    path = Path(path)
    name = name or path.name
    fmt = sniff(path, name, max_bytes)
    try:
        features = _read(path, fmt)
    except _CorruptError as exc:
        raise _refuse(name, _("the file is truncated or damaged and was not imported (the OSM reader said: "
                              "{error})").format(error=exc)) from exc

    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    for feature in features:
        if feature.rule is None and not feature.issues:
            continue  # matched the filter's tag but no rule's condition (a church, a private garden...)
        if feature.rejected or feature.rule is None:
            problems.extend(Problem(None, f, reason, action) for f, reason, action in feature.issues)
            continue
        rooms = _rooms(feature)
        number = len(rows) + 1
        problems.extend(Problem(number, f, reason, action) for f, reason, action in feature.issues)
        name_, name_th, name_en = names(feature.tags)
        rows.append({
            "osm_id": feature.osm_id,
            "name": name_,
            "name_th": name_th,
            "name_en": name_en,
            "layer": feature.rule.layer,
            "category": feature.rule.category,
            "osm_tag": feature.rule.tag,
            "rooms": rooms,
            "opening_hours": _clean(feature.tags.get("opening_hours")),
            "geometry": feature.geometry,
        })

    if not rows:
        rejected = sum(p.action == "rejected" for p in problems)
        left_out = (" " + ngettext("({n} tagged object was left out: see the problems)",
                                   "({n} tagged objects were left out: see the problems)", rejected).format(n=rejected)
                    if rejected else "")
        raise _refuse(name, _("no places found{left_out}. Looked for nodes, ways and relations tagged {tags} "
                              "(docs/osm-mapping.md)").format(left_out=left_out, tags=looked_for()), problems)

    frame = pd.DataFrame(rows, columns=list(COLUMNS), index=pd.RangeIndex(1, len(rows) + 1))
    for column in _TEXT_COLUMNS:  # the same dtype whether or not a column has any value
        frame[column] = frame[column].astype("str")
    frame["rooms"] = frame["rooms"].astype("Int64")
    return SourceTable(name=name, format="osm", frame=frame, has_geometry=True, encoding=None,
                       crs="EPSG:4326", layer=None, problems=problems)


__all__ = ["COLUMNS", "MAX_OSM_BYTES", "POI_CATEGORIES", "PoiRule", "category_for", "looked_for",
           "mapping_markdown", "names", "read_osm", "rule_for", "sniff"]
