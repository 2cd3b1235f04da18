"""OpenStreetMap extracts (.osm.pbf and .osm XML) read into places: mapping, geometries, names, refusals."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import osmium
import pandas as pd
import pytest
from osmium.osm.mutable import Node, Relation, Way

from geo import vocab
from geo.errors import ImportRefusedError
from geo.ingest.osm import COLUMNS, POI_CATEGORIES, category_for, mapping_markdown, names, read_osm
from geo.settings import ROOT

# A square of 0.002° around (98.99, 18.80): corners for the hotel way and, shifted, for the park relation.
SQUARE = [(98.989, 18.799), (98.991, 18.799), (98.991, 18.801), (98.989, 18.801)]
PARK = [(98.95, 18.75), (98.96, 18.75), (98.96, 18.76), (98.95, 18.76)]


def _extract() -> list[Node | Way | Relation]:
    """A small extract with one of each case the reader must handle (ids sorted as in real extracts)."""
    return [
        Node(id=1, location=(98.98190, 18.78860), tags={
            "amenity": "place_of_worship", "religion": "buddhist", "name": "วัดพระสิงห์",
            "name:en": "Wat Phra Singh", "opening_hours": "Mo-Su 06:00-18:00"}),
        Node(id=2, location=(98.99, 18.79), tags={"amenity": "cafe"}),               # no name: rejected
        Node(id=3, location=(98.97, 18.77)),                                          # untagged: ignored
        Node(id=4, location=(98.9870, 18.7903), tags={"tourism": "museum", "name": "Lanna Folklife Museum"}),
        Node(id=5, location=(98.96, 18.76), tags={"tourism": "attraction", "name": "Somewhere nice"}),
        Node(id=6, location=(98.8167, 18.9050), tags={"waterway": "waterfall", "name": "น้ำตกแม่สา"}),
        Node(id=7, location=(98.99, 18.78), tags={
            "amenity": "place_of_worship", "religion": "christian", "name": "First Church"}),  # not mapped
        Node(id=8, location=(98.995, 18.785), tags={"tourism": "hotel", "name": "Hotel Vague", "rooms": "about 20"}),
        Node(id=9, location=(98.9864, 18.7869), tags={"amenity": "place_of_worship", "name": "วัดเจดีย์หลวง"}),
        *[Node(id=10 + i, location=xy) for i, xy in enumerate(SQUARE)],
        *[Node(id=20 + i, location=xy) for i, xy in enumerate(PARK)],
        Way(id=100, nodes=[10, 11, 12, 13, 10], tags={"tourism": "hotel", "name": "Square Hotel", "rooms": "40",
                                                     "name:th": "โรงแรมสแควร์"}),
        Way(id=101, nodes=[10, 11, 999], tags={"tourism": "guest_house", "name": "Cut Guesthouse"}),
        Way(id=200, nodes=[20, 21, 22]),                       # the park's outer ring, in two pieces
        Way(id=201, nodes=[22, 23, 20]),
        Relation(id=300, members=[("w", 200, "outer"), ("w", 201, "outer")],
                 tags={"type": "multipolygon", "leisure": "park", "name": "Suan Park"}),
        Relation(id=301, members=[("w", 888, "outer")], tags={"type": "multipolygon", "tourism": "zoo", "name": "Zoo"}),
        Relation(id=302, members=[("n", 4, "")], tags={"type": "site", "tourism": "museum", "name": "Museum Site"}),
    ]


def _write(path: Path, objects: list[Node | Way | Relation]) -> Path:
    writer = osmium.SimpleWriter(str(path))
    try:
        for obj in objects:
            if isinstance(obj, Node):
                writer.add_node(obj)
            elif isinstance(obj, Way):
                writer.add_way(obj)
            else:
                writer.add_relation(obj)
    finally:
        writer.close()
    return path


@pytest.fixture
def pbf(tmp_path: Path) -> Path:
    return _write(tmp_path / "chiang-mai.osm.pbf", _extract())


@pytest.fixture
def xml(tmp_path: Path) -> Path:
    return _write(tmp_path / "chiang-mai.osm", _extract())


def _by_id(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {row.osm_id: row for _, row in frame.iterrows()}


# ---------------------------------------------------------------------------------------------------
# Reading


def test_places_are_mapped_with_layers_and_categories(pbf: Path) -> None:
    table = read_osm(pbf)
    assert (table.name, table.format, table.crs, table.has_geometry, table.layer) == (
        "chiang-mai.osm.pbf", "osm", "EPSG:4326", True, None)
    assert list(table.frame.columns) == list(COLUMNS)
    assert list(table.frame.index) == list(range(1, table.rows + 1))
    rows = _by_id(table.frame)
    got = {osm_id: (row.layer, row.category, row.osm_tag) for osm_id, row in rows.items()}
    assert got == {
        "node/1": ("attraction", "temple", "amenity=place_of_worship"),
        "node/4": ("attraction", "museum", "tourism=museum"),
        "node/6": ("attraction", "waterfall", "waterway=waterfall"),
        "node/8": ("accommodation", "hotel", "tourism=hotel"),
        "node/9": ("attraction", "temple", "amenity=place_of_worship"),   # no religion tag, named วัด...
        "way/100": ("accommodation", "hotel", "tourism=hotel"),
        "relation/300": ("attraction", "nature", "leisure=park"),
    }
    # output order: nodes, then ways, then relations, as in the file
    assert list(table.frame.osm_id) == ["node/1", "node/4", "node/6", "node/8", "node/9", "way/100", "relation/300"]


def test_thai_and_english_names(pbf: Path) -> None:
    rows = _by_id(read_osm(pbf).frame)
    temple = rows["node/1"]
    assert (temple["name"], temple.name_th, temple.name_en) == ("วัดพระสิงห์", "วัดพระสิงห์", "Wat Phra Singh")
    museum = rows["node/4"]  # a Latin name is the English name; no Thai name
    assert museum.name_en == "Lanna Folklife Museum" and pd.isna(museum.name_th)
    waterfall = rows["node/6"]  # a Thai name is the Thai name; no English name
    assert waterfall.name_th == "น้ำตกแม่สา" and pd.isna(waterfall.name_en)
    hotel = rows["way/100"]  # name:th wins for Thai, the Latin name gives English
    assert (hotel.name_th, hotel.name_en) == ("โรงแรมสแควร์", "Square Hotel")
    assert temple.opening_hours == "Mo-Su 06:00-18:00"


def test_names_helper_keeps_mixed_and_other_scripts_apart() -> None:
    assert names({"name": "清迈夜市"}) == ("清迈夜市", None, None)
    assert names({"name": "Café Ñandú"}) == ("Café Ñandú", None, "Café Ñandú")
    assert names({"name": "วัด Wat"}) == ("วัด Wat", "วัด Wat", None)
    assert names({"name": "  ", "name:en": " X "}) == (None, None, "X")


def test_way_and_relation_become_centroids(pbf: Path) -> None:
    rows = _by_id(read_osm(pbf).frame)
    hotel = rows["way/100"].geometry
    assert (hotel.x, hotel.y) == pytest.approx((98.990, 18.800), abs=1e-9)
    park = rows["relation/300"].geometry  # outer ring split over two ways, joined
    assert (park.x, park.y) == pytest.approx((98.955, 18.755), abs=1e-9)
    temple = rows["node/1"].geometry
    assert (temple.x, temple.y) == pytest.approx((98.98190, 18.78860), abs=1e-7)


def test_rooms_are_numbers_or_a_warning(pbf: Path) -> None:
    table = read_osm(pbf)
    rows = _by_id(table.frame)
    assert table.frame["rooms"].dtype == "Int64"
    assert rows["way/100"].rooms == 40 and pd.isna(rows["node/8"].rooms)
    [warning] = [p for p in table.problems if p.action == "warning"]
    row_of_hotel = int(table.frame.index[table.frame.osm_id == "node/8"][0])
    assert (warning.row, warning.field) == (row_of_hotel, "rooms") and "about 20" in warning.reason


def test_rejected_objects_are_problems_with_their_ids(pbf: Path) -> None:
    problems = [p for p in read_osm(pbf).problems if p.action == "rejected"]
    by_id = {re.match(r"[a-z]+/-?\d+", p.reason).group(0): p for p in problems}
    assert set(by_id) == {"node/2", "node/5", "way/101", "relation/301", "relation/302"}
    assert all(p.row is None for p in problems)
    assert by_id["node/2"].field == "name" and "no name, name:th or name:en" in by_id["node/2"].reason
    assert by_id["node/5"].field == "osm_tag" and "tourism=attraction" in by_id["node/5"].reason
    assert by_id["way/101"].field == "geometry" and "node/999" in by_id["way/101"].reason
    assert "1 of 3 nodes" in by_id["way/101"].reason
    assert "way/888" in by_id["relation/301"].reason
    assert "type site" in by_id["relation/302"].reason
    # untagged nodes, member ways and unmapped tags (a church) are not problems
    assert not any(p.reason.startswith(("node/3", "node/7", "way/200")) for p in read_osm(pbf).problems)


def test_pbf_and_xml_give_the_same_table(pbf: Path, xml: Path) -> None:
    a, b = read_osm(pbf), read_osm(xml)
    pd.testing.assert_frame_equal(a.frame.drop(columns="geometry"), b.frame.drop(columns="geometry"))
    assert [g.wkt for g in a.frame.geometry] == [g.wkt for g in b.frame.geometry]
    assert a.problems == b.problems


def test_content_decides_the_format_not_the_suffix(tmp_path: Path, pbf: Path) -> None:
    renamed = tmp_path / "export.osm"
    renamed.write_bytes(pbf.read_bytes())
    table = read_osm(renamed, name="my export.osm")
    assert table.name == "my export.osm" and table.rows == 7


def test_negative_ids_from_josm_are_explained(tmp_path: Path) -> None:
    objects = [
        Node(id=-1, location=SQUARE[0]), Node(id=-2, location=SQUARE[1]), Node(id=-3, location=SQUARE[2]),
        Node(id=-4, location=(98.9, 18.8), tags={"tourism": "hostel", "name": "New Hostel"}),
        Way(id=-5, nodes=[-1, -2, -3, -1], tags={"tourism": "hotel", "name": "Unsaved Hotel"}),
    ]
    table = read_osm(_write(tmp_path / "josm.osm", objects))
    assert list(table.frame.osm_id) == ["node/-4"]
    [problem] = table.problems
    assert problem.reason.startswith("way/-5 'Unsaved Hotel'") and "never uploaded" in problem.reason


def test_self_crossing_outer_ring_still_gives_a_point(tmp_path: Path) -> None:
    bow = [(98.0, 18.0), (98.002, 18.002), (98.002, 18.0), (98.0, 18.002)]
    objects = [
        *[Node(id=1 + i, location=xy) for i, xy in enumerate(bow)],
        Way(id=10, nodes=[1, 2, 3, 4, 1]),
        Relation(id=20, members=[("w", 10, "outer")],
                 tags={"type": "multipolygon", "leisure": "nature_reserve", "name": "Bow Tie Reserve"}),
    ]
    point = read_osm(_write(tmp_path / "bow.osm.pbf", objects)).frame.geometry.iloc[0]
    assert (point.x, point.y) == pytest.approx((98.001, 18.001), abs=1e-7)


# ---------------------------------------------------------------------------------------------------
# Refusals: the whole file


def _refusal(path: Path, **kwargs: object) -> ImportRefusedError:
    with pytest.raises(ImportRefusedError) as caught:
        read_osm(path, **kwargs)
    err = caught.value
    assert err.problems and err.problems[0].action == "refused" and err.problems[0].row is None
    return err


def test_empty_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    assert "empty" in str(_refusal(empty))
    blank = tmp_path / "blank.osm"
    blank.write_text("\n  \n", encoding="utf-8")
    assert "empty" in str(_refusal(blank))


@pytest.mark.parametrize("content", [
    b"place_id,name\n1,Wat\n",
    b'{"type": "FeatureCollection", "features": []}',
    b"<html><body>not osm</body></html>",
    bytes(range(256)) * 4,
])
def test_files_that_are_not_osm_are_refused(tmp_path: Path, content: bytes) -> None:
    for suffix in (".osm", ".osm.pbf"):
        path = tmp_path / f"data{suffix}"
        path.write_bytes(content)
        assert "not an OpenStreetMap extract" in str(_refusal(path))


def test_change_files_and_compressed_files_are_refused_with_a_reason(tmp_path: Path, xml: Path) -> None:
    change = tmp_path / "edits.osm"
    change.write_text('<?xml version="1.0"?>\n<osmChange version="0.6"><create/></osmChange>', encoding="utf-8")
    assert "osmChange" in str(_refusal(change))
    packed = tmp_path / "chiang-mai.osm.pbf"
    packed.write_bytes(gzip.compress(xml.read_bytes()))
    assert "compressed" in str(_refusal(packed))


def test_truncated_files_are_refused_not_a_traceback(tmp_path: Path, pbf: Path, xml: Path) -> None:
    data = pbf.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: len(data) - 40])
    err = _refusal(cut)
    assert "truncated or damaged" in str(err) and "cut.osm.pbf" in str(err)
    text = xml.read_bytes()
    cut_xml = tmp_path / "cut.osm"
    cut_xml.write_bytes(text[: len(text) // 2])
    assert "truncated or damaged" in str(_refusal(cut_xml))


def test_a_file_without_places_names_the_tags_looked_for(tmp_path: Path) -> None:
    path = _write(tmp_path / "roads.osm.pbf", [
        Node(id=1, location=(98.9, 18.8)), Node(id=2, location=(98.91, 18.8), tags={"amenity": "cafe"}),
        Way(id=3, nodes=[1, 2], tags={"highway": "residential", "name": "Soi 1"}),
    ])
    err = _refusal(path)
    message = str(err)
    assert "no places found" in message and "1 tagged object was left out" in message
    for tag in ("tourism=hotel", "amenity=place_of_worship", "amenity=cafe", "railway=station"):
        assert tag in message
    assert [p.action for p in err.problems] == ["refused", "rejected"]  # the nameless café is listed


def test_files_over_the_limit_are_refused(pbf: Path) -> None:
    assert "MB" in str(_refusal(pbf, max_bytes=100))


# ---------------------------------------------------------------------------------------------------
# The mapping table


@pytest.mark.parametrize(("tags", "expected"), [
    ({"amenity": "place_of_worship", "religion": "buddhist"}, ("attraction", "temple")),
    ({"amenity": "place_of_worship", "religion": "muslim", "name": "Masjid"}, None),
    ({"amenity": "place_of_worship", "name:en": "Wat Umong"}, ("attraction", "temple")),
    ({"tourism": "museum"}, ("attraction", "museum")),
    ({"amenity": "marketplace"}, ("attraction", "market")),
    ({"tourism": "viewpoint"}, ("attraction", "viewpoint")),
    ({"natural": "waterfall"}, ("attraction", "waterfall")),
    ({"leisure": "park"}, ("attraction", "nature")),
    ({"tourism": "attraction", "natural": "cave_entrance"}, ("attraction", "nature")),
    ({"tourism": "attraction"}, None),
    ({"historic": "city_gate"}, ("attraction", "old_city")),
    ({"craft": "handicraft"}, ("attraction", "craft_village")),
    ({"craft": "plumber"}, None),
    ({"amenity": "theatre"}, ("attraction", "cultural_show")),
    ({"amenity": "cafe"}, ("attraction", "cafe_lifestyle")),
    ({"tourism": "hotel"}, ("accommodation", "hotel")),
    ({"tourism": "hotel", "amenity": "cafe"}, ("accommodation", "hotel")),          # first match wins
    ({"tourism": "hotel", "leisure": "resort"}, ("accommodation", "resort")),
    ({"tourism": "guest_house"}, ("accommodation", "guesthouse")),
    ({"tourism": "guest_house", "guest_house": "homestay"}, ("accommodation", "homestay")),
    ({"tourism": "hostel"}, ("accommodation", "hostel")),
    ({"amenity": "hospital"}, ("health", "hospital")),
    ({"shop": "massage"}, ("health", "spa")),
    ({"aeroway": "aerodrome", "iata": "CNX"}, ("transport", "airport")),
    ({"aeroway": "aerodrome"}, None),
    ({"amenity": "bus_station"}, ("transport", "bus_terminal")),
    ({"railway": "station"}, ("transport", "railway_station")),
    ({"highway": "residential"}, None),
    ({"amenity": "place_of_worship", "religion": "buddhist", "historic": "ruins"}, ("attraction", "temple")),
])
def test_category_for(tags: dict[str, str], expected: tuple[str, str] | None) -> None:
    assert category_for(tags) == expected


def test_category_for_is_the_first_rule_in_table_order() -> None:
    """The tag index behind ``category_for`` gives what trying every rule in order gives."""
    for rule in POI_CATEGORIES:
        tags = {rule.key: rule.value, **{k: ("x" if v == "*" else v.rstrip("*")) for k, v in rule.when}}
        first = next(r for r in POI_CATEGORIES if r.matches(tags))
        assert category_for(tags) == (first.layer, first.category)


def test_every_target_is_an_atlas_category() -> None:
    for rule in POI_CATEGORIES:
        assert rule.category in vocab.CATEGORIES.get(rule.layer, ()), rule


def test_docs_list_every_rule_as_in_the_code() -> None:
    text = (ROOT / "docs" / "osm-mapping.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN osm-mapping[^>]*-->\n(.*?)<!-- END osm-mapping -->", text, re.DOTALL)
    assert block, "docs/osm-mapping.md lost its generated-table markers"
    assert block.group(1) == mapping_markdown(), (
        "docs/osm-mapping.md differs from POI_CATEGORIES: paste in the output of "
        "`python -c \"from geo.ingest.osm import mapping_markdown; print(mapping_markdown(), end='')\"`")
    for number, rule in enumerate(POI_CATEGORIES, start=1):
        assert f"| {number} | `{rule.tag}` |" in block.group(1)
