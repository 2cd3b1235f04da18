"""Field mapping and row checks of the importer (geo/ingest/fields.py, validate.py) on tables built here."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo.errors import ImportRefusedError
from geo.ingest import fields, validate
from geo.ingest.model import SourceTable
from geo.settings import ROOT

AREA = validate.destination_area(ROOT / "data" / "seed")


def _table(rows: list[dict], *, geometry: bool = False, first_row: int = 2) -> SourceTable:
    frame = pd.DataFrame(rows)
    frame.index = range(first_row, first_row + len(frame))
    return SourceTable(name="t.csv", format="csv", frame=frame, has_geometry=geometry)


def _places(rows: list[dict], **opts) -> validate.Checked:
    table = _table(rows)
    fm = fields.resolve(list(table.frame.columns), "places", opts.pop("mapping", None))
    return validate.check_places(table, fm, validate.Options(area=AREA, **opts))


GOOD = {"name": "Wat Phra Singh", "name_th": "วัดพระสิงห์", "latitude": "18.78859", "longitude": "98.98138",
        "type": "temple"}


def test_common_spellings_are_recognised_and_noted() -> None:
    fm = fields.resolve(["Name", "NAME_TH", "Latitude", "lng", "Type"], "places")
    assert fm.columns == {"name_en": "Name", "name_th": "NAME_TH", "lat": "Latitude", "lon": "lng",
                          "category": "Type"}
    assert any("lat from column 'Latitude'" in n for n in fm.notes)


def test_finest_admin_level_wins_for_zone_names() -> None:
    fm = fields.resolve(["ADM1_EN", "ADM2_EN", "ADM2_TH", "ADM1_TH", "ADM2_PCODE"], "zones", has_geometry=True)
    assert fm.get("name_en") == "ADM2_EN" and fm.get("name_th") == "ADM2_TH" and fm.get("zone_id") == "ADM2_PCODE"


def test_missing_required_field_names_the_fields_found() -> None:
    with pytest.raises(ImportRefusedError) as exc:
        fields.resolve(["hotel", "lat", "lon"], "places", name="register.csv")
    msg = str(exc.value)
    assert "register.csv has no name_en or name_th field" in msg and "hotel, lat, lon" in msg and "--map" in msg


def test_explicit_map_wins_and_an_unknown_column_is_refused() -> None:
    fm = fields.resolve(["ชื่อโรงแรม", "lat", "lon"], "places", fields.parse_map_options(["name_th=ชื่อโรงแรม"]))
    assert fm.get("name_th") == "ชื่อโรงแรม"
    with pytest.raises(ImportRefusedError, match="has no column 'nope'"):
        fields.resolve(["a", "lat", "lon"], "places", {"name_en": "nope"})
    with pytest.raises(ImportRefusedError, match="needs DEST=SRC"):
        fields.parse_map_options(["name_en"])


def test_a_good_row_is_accepted_with_an_atlas_id() -> None:
    checked = _places([GOOD])
    assert checked.problems == [] and len(checked.frame) == 1
    row = checked.frame.iloc[0]
    assert (row.place_id, row.layer, row.category, row.name_th) == ("att-wat-phra-singh", "attraction", "temple",
                                                                    "วัดพระสิงห์")
    assert row.lat == pytest.approx(18.78859) and row.row == 2


def test_swapped_lat_lon_is_repaired_and_said() -> None:
    checked = _places([{**GOOD, "latitude": "98.98138", "longitude": "18.78859"}])
    assert len(checked.frame) == 1 and checked.frame.iloc[0].lat == pytest.approx(18.78859)
    assert checked.problems[0].action == "repaired" and checked.problems[0].reason.startswith("swapped lat/lon")
    assert checked.repaired_rows == {2}


def test_outside_the_area_warns_and_strict_rejects() -> None:
    bangkok = {**GOOD, "latitude": "13.75", "longitude": "100.5"}
    loose = _places([bangkok])
    assert len(loose.frame) == 1 and loose.problems[0].action == "warning"
    assert "outside the destination" in loose.problems[0].reason
    strict = _places([bangkok], strict=True)
    assert strict.frame.empty and strict.rejected_rows == {2}


@pytest.mark.parametrize(("change", "kind"), [
    ({"longitude": "200"}, "longitude out of range"),
    ({"latitude": "abc"}, "coordinates not numbers"),
    ({"latitude": ""}, "missing coordinates"),
    ({"name": "", "name_th": ""}, "missing name"),
    ({"type": "casino"}, "unknown category"),
    ({"type": ""}, "missing category"),
])
def test_bad_rows_are_rejected_with_row_field_and_reason(change: dict, kind: str) -> None:
    checked = _places([GOOD, {**GOOD, "name": "Second", **change}])
    assert len(checked.frame) == 1
    bad = [p for p in checked.problems if p.action == "rejected"]
    assert bad and bad[0].row == 3 and bad[0].reason.startswith(kind), checked.problems
    assert bad[0].field


def test_unknown_category_lists_the_known_ones_and_category_option_maps_it() -> None:
    rejected = _places([{**GOOD, "type": "Boutique"}])
    assert "known: temple" in rejected.problems[0].reason and "--category" in rejected.problems[0].reason
    default, mapping = validate.parse_category_options(["Boutique=hotel"])
    mapped = _places([{**GOOD, "type": "Boutique"}], category=default, category_map=mapping)
    assert mapped.frame.iloc[0].category == "hotel" and mapped.frame.iloc[0].layer == "accommodation"
    with pytest.raises(ImportRefusedError, match="not an atlas category"):
        validate.parse_category_options(["casino"])


def test_duplicate_ids_are_rejected_and_generated_ids_made_unique() -> None:
    rows = [{**GOOD, "id": "A1"}, {**GOOD, "id": "A1"}]
    checked = _places(rows)
    assert len(checked.frame) == 1 and checked.problems[0].reason.startswith("duplicate id")
    twins = _places([GOOD, GOOD])
    assert list(twins.frame.place_id) == ["att-wat-phra-singh", "att-wat-phra-singh-2"]


def test_accommodation_rooms_give_estimated_beds_and_hours_are_read() -> None:
    checked = _places([{**GOOD, "type": "guest house", "rooms": "12", "opening_hours": "Mo-Su 08:00-17:30"}])
    row = checked.frame.iloc[0]
    assert row.category == "guesthouse" and row.rooms == 12 and row.capacity == 24 and bool(row.estimated)
    assert (row.open_hour, row.close_hour) == (8, 18)


def test_thai_only_name_fills_both_names_with_a_warning() -> None:
    checked = _places([{**GOOD, "name": "วัดเจดีย์หลวง", "name_th": ""}])
    row = checked.frame.iloc[0]
    assert row.name_th == "วัดเจดีย์หลวง" and row.name_en == "วัดเจดีย์หลวง"
    assert checked.problems[0].action == "warning" and "no English name" in checked.problems[0].reason


def test_wkt_points_and_polygons_as_places() -> None:
    rows = [{"name": "A", "type": "temple", "wkt": "POINT (98.98 18.79)"},
            {"name": "B", "type": "temple", "wkt": "POLYGON ((98.98 18.79, 98.99 18.79, 98.99 18.80, 98.98 18.79))"},
            {"name": "C", "type": "temple", "wkt": "POINT (98.98"}]
    checked = _places(rows)
    assert list(checked.frame.name_en) == ["A", "B"]
    assert [p.reason.split(":")[0] for p in checked.problems if p.action != "warning"] == ["not a point",
                                                                                           "unreadable WKT"]


def _zones(geoms: list, **extra) -> validate.Checked:
    rows = [{"ADM2_EN": f"District {i}", "ADM2_TH": f"อำเภอ {i}", **extra} for i in range(len(geoms))]
    table = _table(rows, geometry=True, first_row=1)
    table.frame["geometry"] = geoms
    fm = fields.resolve(list(table.frame.columns), "zones", has_geometry=True)
    return validate.check_zones(table, fm, validate.Options(area=AREA, level="district"))


def test_zones_bowtie_is_repaired_point_rejected_outside_rejected_and_swapped_repaired() -> None:
    square = shapely.box(98.95, 18.75, 99.0, 18.8)
    bowtie = shapely.Polygon([(98.95, 18.75), (99.0, 18.8), (99.0, 18.75), (98.95, 18.8), (98.95, 18.75)])
    swapped = shapely.box(18.75, 98.95, 18.8, 99.0)
    checked = _zones([square, bowtie, shapely.Point(98.9, 18.7), shapely.box(100.4, 13.7, 100.6, 13.8), swapped])
    kinds = {p.row: (p.action, p.reason.split(":")[0]) for p in checked.problems}
    assert kinds == {2: ("repaired", "invalid geometry repaired"), 3: ("rejected", "not a polygon"),
                     4: ("rejected", "outside the destination"), 5: ("repaired", "swapped lat/lon")}
    assert list(checked.frame.zone_id) == ["district_district_0", "district_district_1", "district_district_4"]
    assert checked.frame.geometry.is_valid.all() and (checked.frame.area_km2 > 1).all()
    assert set(checked.frame.level) == {"district"}
