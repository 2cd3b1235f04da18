"""Languages outside the pages: formatting (Babel, Buddhist era), display names, catalogues, and every map and
chart builder speaking Thai and Chinese (``geo.i18n``, ``geo.render``)."""

from __future__ import annotations

import contextvars
import json
import re
import string
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import folium
import h3
import pandas as pd
import pytest
from babel.messages.pofile import read_po

from geo import i18n
from geo.i18n import (
    compile_catalogues,
    display_name,
    format_date,
    format_month,
    format_number,
    format_percent,
    language_from_env,
    month_name,
    using_language,
    weekday_name,
)
from geo.render import capacity_maps, charts, flow_maps, place_maps, presence_maps
from geo.render.base import Legend
from geo.render.fonts import cjk_font_files, families, has_cjk_font, has_thai_font
from geo.vocab import origin_label, translate_origin

DAY = date(2026, 12, 6)  # a Sunday


# --- formatting ----------------------------------------------------------------------------------------


def test_thai_dates_count_years_in_the_buddhist_era() -> None:
    assert format_date(DAY, "th") == "6 ธ.ค. 2569"
    assert format_date(DAY, "th", "long") == "6 ธันวาคม พ.ศ. 2569"
    assert format_date(DAY, "th", "full") == "วันอาทิตย์ที่ 6 ธันวาคม พ.ศ. 2569"
    assert format_date(DAY, "th", "short") == "6/12/69"
    assert format_date(datetime(2026, 12, 6, 23, 59), "th") == "6 ธ.ค. 2569"


def test_thai_dates_in_the_common_era_on_request() -> None:
    assert format_date(DAY, "th", buddhist_era=False) == "6 ธ.ค. 2026"
    assert format_date(DAY, "th", "long", buddhist_era=False) == "6 ธันวาคม ค.ศ. 2026"  # Babel's own era
    assert format_month(DAY, "th", buddhist_era=False) == "ธันวาคม 2026"
    assert i18n.year_number(2026, "th") == 2569 and i18n.year_number(2026, "th", buddhist_era=False) == 2026


def test_year_fields_in_quoted_literals_are_left_alone() -> None:
    assert format_date(DAY, "th", "'year' y") == "year 2569"
    assert format_date(date(2000, 1, 2), "th", "d/M/yy") == "2/1/43"  # 2543 BE


def test_thai_and_chinese_month_and_weekday_names() -> None:
    assert format_month(DAY, "th") == "ธันวาคม 2569"
    assert format_month((2026, 1), "th", "abbreviated") == "ม.ค. 2569"
    assert format_month(DAY, "zh") == "2026年12月"
    assert format_month(DAY, "en") == "December 2026"
    assert [month_name(m, "th") for m in (1, 4, 12)] == ["มกราคม", "เมษายน", "ธันวาคม"]
    assert [month_name(m, "zh") for m in (1, 12)] == ["一月", "十二月"]
    assert month_name(12, "zh", "abbreviated") == "12月"
    assert [weekday_name(d, "zh") for d in (0, 6)] == ["周一", "周日"]
    assert [weekday_name(d, "zh", "wide") for d in (0, 6)] == ["星期一", "星期日"]
    assert weekday_name(6, "th", "wide") == "วันอาทิตย์"
    assert weekday_name(0, "en") == "Mon"


def test_chinese_and_english_dates() -> None:
    assert format_date(DAY, "zh") == "2026年12月6日"
    assert format_date(DAY, "zh", "full") == "2026年12月6日星期日"
    assert format_date(DAY, "en") == "Dec 6, 2026"


def test_numbers_and_percentages() -> None:
    assert format_number(12345.678, "th", 1) == "12,345.7"
    assert format_number(12345, "zh") == "12,345"
    assert format_number(None, "en") == "—" and format_number(float("nan"), "en", empty="") == ""
    assert format_percent(0.3456, "en") == "34.6%" and format_percent(0.5, "zh", 0) == "50%"
    assert format_percent(None, "th") == "—"


def test_formatting_follows_the_context_language() -> None:
    with using_language("th"):
        assert format_date(DAY) == "6 ธ.ค. 2569"
        with using_language("zh"):
            assert format_month(DAY) == "2026年12月"
        assert i18n.get_language() == "th"
    assert i18n.get_language() == i18n.DEFAULT_LANGUAGE


def test_language_from_the_environment() -> None:
    assert language_from_env({"LANG": "th_TH.UTF-8"}) == "th"
    assert language_from_env({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert language_from_env({"ATLAS_LANG": "zh", "LANG": "th_TH.UTF-8"}) == "zh"
    assert language_from_env({"LANG": "C.UTF-8"}) == "en"
    assert language_from_env({"LANG": "fr_FR.UTF-8"}) == "en"
    assert language_from_env({}) == "en"


# --- names ---------------------------------------------------------------------------------------------

TEMPLE = {"name_en": "Wat Phra Singh", "name_th": "วัดพระสิงห์", "name_zh": "帕辛寺"}


def test_display_name_in_each_language() -> None:
    assert [display_name(TEMPLE, lang) for lang in ("en", "th", "zh")] == ["Wat Phra Singh", "วัดพระสิงห์", "帕辛寺"]


def test_display_name_falls_back_with_a_mark() -> None:
    no_zh = {**TEMPLE, "name_zh": None}
    assert display_name(no_zh, "zh") == "Wat Phra Singh*"
    assert display_name(no_zh, "zh", mark=False) == "Wat Phra Singh"
    assert display_name({"name_en": "", "name_th": "วัด"}, "en") == "วัด*"
    assert display_name({"name_en": "Gate", "name_th": float("nan")}, "th") == "Gate*"
    assert display_name({"name_en": "Gate", "name_th": pd.NA}, "th") == "Gate*"
    assert display_name({}, "th") == ""


def test_display_name_reads_prefixed_columns_and_the_context_language() -> None:
    row = {"origin_name_en": "Old City", "origin_name_th": "เมืองเก่า", "origin_name_zh": "古城"}
    assert display_name(row, "th", prefix="origin_") == "เมืองเก่า"
    with using_language("zh"):
        assert display_name(row, prefix="origin_") == "古城"


def test_origins_in_the_reader_language() -> None:
    assert origin_label("international:CN", "zh") == "中国" and origin_label("international:CN", "en") == "China"
    assert translate_origin("Bangkok", "th") == "กรุงเทพมหานคร" and translate_origin("Bangkok", "zh") == "曼谷"
    assert translate_origin("United Kingdom", "th") == "สหราชอาณาจักร"
    assert translate_origin("Chiang Mai residents", "zh") == "清迈居民"
    assert translate_origin("Atlantis", "zh") == "Atlantis"


# --- catalogues ----------------------------------------------------------------------------------------

LOCALE = Path(i18n.LOCALE_DIR)


def _fields(text: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)


@pytest.mark.parametrize("lang", ["th", "zh"])
def test_catalogue_is_complete_and_keeps_placeholders(lang: str) -> None:
    with (LOCALE / lang / "LC_MESSAGES" / "atlas.po").open("rb") as fh:
        catalog = read_po(fh)
    # (singular id, translated forms): plural entries carry a tuple of each
    messages = [(m.id[0] if isinstance(m.id, tuple) else m.id, m.string if isinstance(m.string, tuple) else (m.string,),
                 m.fuzzy) for m in catalog if m.id]
    assert len(messages) > 300
    untranslated = [mid for mid, strings, fuzzy in messages if not all(strings) or fuzzy]
    assert not untranslated, untranslated[:5]
    for mid, strings, _fuzzy in messages:
        assert all(_fields(s) == _fields(mid) for s in strings), mid
    script = r"[\u0e00-\u0e7f]" if lang == "th" else r"[\u4e00-\u9fff]"
    # every message with words in it reads in the language's script; placeholders ({name}) and acronyms (MAPE)
    # are not words a translator changes
    worded = [(mid, strings) for mid, strings, _fuzzy in messages
              if re.search(r"[A-Za-z]*[a-z][A-Za-z]*", re.sub(r"\{[^{}]*\}", "", mid))
              and re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^{}]*\}", "", mid)) and not mid.startswith("--")]
    assert [mid for mid, strings in worded if not re.search(script, strings[0])] == []


def test_compile_catalogues_writes_stale_mo_files_only(tmp_path: Path) -> None:
    po = tmp_path / "th" / "LC_MESSAGES" / "atlas.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Zone"\nmsgstr "เขต"\n', encoding="utf-8")
    assert compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert compile_catalogues(tmp_path) == []  # up to date
    import gettext

    assert gettext.translation("atlas", localedir=tmp_path, languages=["th"]).gettext("Zone") == "เขต"


def test_translation_is_per_context() -> None:
    ctx = contextvars.copy_context()
    ctx.run(i18n.set_language, "zh")
    assert ctx.run(i18n._, "Zone") == "区域"
    assert i18n._("Zone") == "Zone"


# --- fonts ---------------------------------------------------------------------------------------------


def test_thai_and_chinese_fonts_are_installed() -> None:
    """``make setup`` installs fonts-thai-tlwg and fonts-noto-cjk; without them charts draw boxes."""
    assert has_thai_font() and has_cjk_font()
    assert any("NotoSansCJK" in p.name for p in cjk_font_files())
    assert families("zh")[0] == "Noto Sans CJK SC" and families("th")[0] == "Loma"


# --- every builder in Thai and Chinese -----------------------------------------------------------------

ZONES = json.dumps({"type": "FeatureCollection", "level": "tourism_zone", "features": [{
    "type": "Feature",
    "geometry": {"type": "Polygon", "coordinates": [[[98.97, 18.77], [99.0, 18.77], [99.0, 18.8], [98.97, 18.77]]]},
    "properties": {"zone_id": "west", "name_en": "W", "name_th": "ตะวันตก", "name_zh": "西区", "area_km2": 1.0},
}]})


def _places(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame([{"place_id": f"p{i}", "layer": "attraction" if i % 2 else "accommodation",
                          "category": "temple" if i % 2 else "hotel", "name_en": f"W{i}", "name_th": f"วัด {i}",
                          "name_zh": f"寺 {i}", "lat": 18.78 + i * 1e-3, "lon": 98.98 + i * 1e-3,
                          "zone_name": "W", "zone_name_en": "W", "zone_name_th": "ตะวันตก", "zone_name_zh": "西区",
                          "rooms": 10 + i, "price_band": "mid", "open_hour": 8, "close_hour": 17} for i in range(n)])


def _cells() -> pd.DataFrame:
    ids = sorted(h3.grid_disk(h3.latlng_to_cell(18.7883, 98.9853, 8), 2))
    lat_lon = [h3.cell_to_latlng(c) for c in ids]
    return pd.DataFrame({"cell": [int(c, 16) for c in ids], "lat": [p[0] for p in lat_lon],
                         "lon": [p[1] for p in lat_lon], "present": [float(i) + 0.5 for i in range(len(ids))],
                         "zone_id": "west"})


def _corridors() -> pd.DataFrame:
    return pd.DataFrame([{"rank": 1, "origin": "a", "origin_name_en": "A", "origin_name_th": "ก", "origin_name_zh": "甲",
                          "origin_lon": 98.98, "origin_lat": 18.79, "destination": "b", "destination_name_en": "B",
                          "destination_name_th": "ข", "destination_name_zh": "乙", "destination_lon": 99.0,
                          "destination_lat": 18.78, "trips": 100, "trips_per_day": 10.0, "share": 0.8},
                         {"rank": 2, "origin": "b", "origin_name_en": "B", "origin_name_th": "ข", "origin_name_zh": "乙",
                          "origin_lon": 99.0, "origin_lat": 18.78, "destination": "a", "destination_name_en": "A",
                          "destination_name_th": "ก", "destination_name_zh": "甲", "destination_lon": 98.98,
                          "destination_lat": 18.79, "trips": 40, "trips_per_day": 4.0, "share": 0.2}])


def _route() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    legs = pd.DataFrame([{"leg": 1, "from_name": "A", "from_name_th": "ก", "from_name_zh": "甲", "to_name": "B",
                          "to_name_th": "ข", "to_name_zh": "乙", "distance_km": 1.5, "minutes": 3.6,
                          "path": [[18.79, 98.98], [18.79, 98.99], [18.78, 99.0]], "on_roads": True,
                          "snap_from_m": 12.0, "snap_to_m": 30.0, "note": ""},
                         {"leg": 2, "from_name": "B", "from_name_th": "ข", "from_name_zh": "乙", "to_name": "C",
                          "to_name_th": "ค", "to_name_zh": "丙", "distance_km": 2.0, "minutes": 4.8,
                          "path": [[18.78, 99.0], [18.77, 99.01]], "on_roads": False, "note": "500 ม. / 500 米"}])
    stops = pd.DataFrame([{"place_id": p, "name_en": e, "name_th": t, "name_zh": z, "lon": lon, "lat": lat}
                          for p, e, t, z, lon, lat in (("a", "A", "ก", "甲", 98.98, 18.79), ("b", "B", "ข", "乙", 99.0, 18.78),
                                                       ("c", "C", "ค", "丙", 99.01, 18.77))])
    return legs, stops, "—"


def _loads() -> pd.DataFrame:
    line = '{"type":"LineString","coordinates":[[98.98,18.79],[98.99,18.79]]}'
    return pd.DataFrame([{"rank": 1, "segment_id": 7, "trips": 120, "busier_direction": 80, "highway": "primary",
                          "name": "", "name_th": "ถนน", "ref": "", "length_m": 250.0, "geometry": line},
                         {"rank": 2, "segment_id": 8, "trips": 15, "busier_direction": 15, "highway": "residential",
                          "name": "", "name_th": "", "ref": "", "length_m": 120.0, "geometry": line}])


def _pressure() -> pd.DataFrame:
    return pd.DataFrame([{"zone_id": "west", "name_en": "W", "name_th": "ตะวันตก", "name_zh": "西区", "pressure": 0.9,
                          "pressure_class": "high", "pressure_label": "High (0.80–0.99)", "colour": "#fc8d59",
                          "beds": 10, "rooms": 5, "overnight_per_night": 9.0}])


def _catchment() -> tuple[dict[str, Any], float, pd.DataFrame]:
    place = {"place_id": "att-x", "name_en": "T", "name_th": "วัด", "name_zh": "寺", "lon": 98.985, "lat": 18.788}
    acc = pd.DataFrame([{"place_id": "acc-x", "category": "hotel", "name_en": "H", "name_th": "โรงแรม",
                         "name_zh": "酒店", "lon": 98.99, "lat": 18.785, "zone_id": "west", "rooms": 5, "beds": 10,
                         "price_band": "mid", "estimated": True, "distance_m": 500.0}])
    return place, 1000.0, acc


MAPS: list[tuple[str, Callable[[], folium.Map]]] = [
    ("places", lambda: place_maps.places_map(_places(), ZONES, zoom=11)),
    ("places_result", lambda: place_maps.places_result_map(_places(), ZONES, _places().iloc[0].to_dict(),
                                                           _places().head(2).assign(distance_m=5.0))),
    ("pressure", lambda: capacity_maps.pressure_map(ZONES, _pressure(), *_catchment())),
    ("corridors", lambda: flow_maps.corridor_map(_corridors(), ZONES, level="zone")),
    ("route", lambda: flow_maps.route_map(*_route(), ZONES,
                                          turns=pd.DataFrame([{"leg": 1, "lat": 18.79, "lon": 98.99,
                                                               "instruction": "→ ถนน"}]))),
    ("road_load", lambda: flow_maps.road_load_map(_loads(), ZONES, level="zone")),
    ("heat", lambda: presence_maps.heat_map(_cells(), ZONES)),
    ("choropleth", lambda: presence_maps.choropleth_map(_cells(), ZONES)),
    ("choropleth_empty", lambda: presence_maps.choropleth_map(_cells().head(0), ZONES)),
]


def _walk(element: Any) -> Iterator[Any]:
    for child in list(getattr(element, "_children", {}).values()):
        yield child
        yield from _walk(child)


def _map_labels(m: folium.Map) -> list[str]:
    """Every label a reader sees on the map: legends, layer names, tooltips, popup headers."""
    out: list[str] = []
    for el in _walk(m):
        if isinstance(el, Legend):
            out += [el.title, el.note, *(label for _colour, label in el.items)]
        if getattr(el, "layer_name", None) and getattr(el, "control", False):
            out.append(str(el.layer_name))
        if isinstance(el, folium.GeoJsonTooltip) and el.labels:
            out += [str(a) for a in (el.aliases or [])]
        if isinstance(el, folium.Tooltip):
            out.append(re.sub(r"<[^>]+>", " ", str(el.text)))
        if isinstance(el, folium.Popup):
            html = "".join(str(c.data) for c in el.html._children.values() if hasattr(c, "data"))
            out.append(re.sub(r"<[^>]+>", " ", html))
        if isinstance(el, presence_maps.HexLayer):
            out.append(el.unit)
        if isinstance(el, folium.GeoJson) and isinstance(el.data, dict):
            for feature in el.data.get("features", []):
                props = feature.get("properties", {})
                out += [re.sub(r"<[^>]+>", " ", str(props[k])) for k in ("tip", "popup", "pressure_txt", "class_txt")
                        if k in props]
    return [t for t in out if t]


#: Latin text allowed in a translated label: units and the H3 grid's name. Names in the test data are Thai,
#: Chinese or one or two Latin letters (the English names a Thai reader sees as the "other name").
ALLOWED_LATIN = re.compile(r"\bH3\b|\bkm\b|\bKB\b")


def _english(labels: list[str]) -> list[str]:
    return [t for t in labels if re.search(r"[A-Za-z]{3,}", ALLOWED_LATIN.sub("", t))]


@pytest.mark.parametrize("lang", ["th", "zh"])
@pytest.mark.parametrize(("name", "build"), MAPS, ids=[n for n, _ in MAPS])
def test_every_map_speaks_the_language(lang: str, name: str, build: Callable[[], folium.Map]) -> None:
    with using_language(lang):
        labels = _map_labels(build())
    assert labels, name
    assert not _english(labels), (name, _english(labels))
    with using_language("en"):
        english = _map_labels(build())
    assert _english(english)  # the same map in English has English labels: the check above can fail


def _season() -> pd.DataFrame:
    return pd.DataFrame({"month_start": [date(2026, 1, 1), date(2026, 2, 1)] * 3,
                         "visitor_type": ["overnight"] * 2 + ["day_tripper"] * 2 + ["resident"] * 2,
                         "avg_daily_visitors": [10.0, 12.0, 3.0, 4.0, 1.0, 1.0], "days_with_data": [31, 28] * 3})


def _charts() -> list[tuple[str, Callable[[], Any]]]:
    festivals = pd.DataFrame({"start": [pd.Timestamp(2026, 1, 10)], "end": [pd.Timestamp(2026, 1, 12)],
                              "name": ["ยี่เป็ง"], "applies_to": ["เชียงใหม่"]})
    hw = pd.DataFrame({"weekday": [0, 6], "hour": [9, 10], "present": [5.0, 7.0]})
    mix = pd.DataFrame({"origin": ["China", "Bangkok", "Chiang Mai residents", "Other markets"],
                        "segment_group": ["international", "domestic", "resident", "other"],
                        "visitors": [50, 30, 10, 5], "share": [0.5, 0.3, 0.1, 0.05]})
    profile = pd.DataFrame({"hour": [9, 10], "present": [5.0, 7.0]})
    zones = pd.DataFrame({"zone_id": ["west"], "name_en": ["W"], "name_th": ["ตะวันตก"], "name_zh": ["西区"],
                          "present": [3.0], "visitor_hours": [30], "share": [1.0]})
    by_day = pd.DataFrame({"day": ["Mon", "Sun"], "visits": [3, 4]})
    return [
        ("seasonality", lambda: charts.seasonality_chart(_season(), festivals, date(2026, 1, 1), date(2026, 1, 31))),
        ("hour_weekday", lambda: charts.hour_weekday_chart(hw)),
        ("origins", lambda: charts.origin_chart(mix)),
        ("hour", lambda: charts.hour_chart(profile, i18n._("People present by hour (average day)"), (9, 10))),
        ("supply_demand", lambda: charts.supply_demand_chart(_pressure())),
        ("zone_presence", lambda: charts.zone_presence_chart(zones, i18n._("People present by zone"))),
        ("visits_by_day", lambda: charts.visits_bar_chart(by_day, "day", i18n._("Weekday"), i18n._("Visits"),
                                                          ["Mon", "Sun"])),
    ]


def _chart_labels(spec: Any, key: str = "") -> Iterator[str]:
    """Titles, axis and legend titles, tooltip titles, scale domains and the data values charts print."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == "datasets":
                for rows in v.values():
                    for row in rows:
                        yield from (str(row[c]) for c in ("kind", "day", "measure", "group", "origin", "zone",
                                                          "name_en") if c in row)
            elif k == "labelExpr":
                continue
            else:
                yield from _chart_labels(v, k)
    elif isinstance(spec, list):
        for v in spec:
            yield from _chart_labels(v, key)
    elif isinstance(spec, str) and key in ("title", "text", "domain"):
        yield spec


@pytest.mark.parametrize("lang", ["th", "zh"])
def test_every_chart_speaks_the_language(lang: str) -> None:
    for name, build in _charts():
        with using_language(lang):
            spec = build().to_dict()
        labels = list(_chart_labels(spec))
        assert labels, name
        assert not _english(labels), (name, _english(labels))
        assert spec["config"]["locale"]["time"]["months"][0] == month_name(1, lang), name
        with using_language("en"):
            english = list(_chart_labels(build().to_dict()))
        assert _english(english), name


def test_thai_month_axis_counts_buddhist_era_years() -> None:
    with using_language("th"):
        spec = charts.seasonality_chart(_season(), pd.DataFrame(columns=["start", "end", "name", "applies_to"]),
                                        date(2026, 1, 1), date(2026, 1, 31)).to_dict()
    axes = [layer["encoding"]["x"].get("axis", {}) for layer in spec["layer"] if "x" in layer.get("encoding", {})]
    assert any("+ 543" in a.get("labelExpr", "") for a in axes)


def test_english_charts_are_unchanged_by_languages() -> None:
    """English specs carry no locale: the pages' English charts stay byte-identical."""
    spec = charts.hour_weekday_chart(pd.DataFrame({"weekday": [0], "hour": [9], "present": [5.0]})).to_dict()
    assert "locale" not in spec.get("config", {})
    assert spec["title"] == "People present by hour and weekday (average day)"


def test_static_map_image_draws_chinese_labels() -> None:
    """The map image (report, PNG export) labels zones in the reader's language with a CJK font."""
    from geo.render.static_map import map_png

    with using_language("zh"):
        png = map_png(place_maps.places_map(_places(), ZONES), title=i18n._("Places by category"), label_field="name")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


# --- Chinese names in the database and the published file ----------------------------------------------


def test_chinese_names_reach_the_database_and_the_published_file(atlas_db: Path, public_db: Path) -> None:
    from geo.db import connect
    from geo.services import geography

    for path in (atlas_db, public_db):
        con = connect(path, read_only=True)
        try:
            places = geography.list_places(con).set_index("place_id")
            zones = geography.list_zones(con).set_index("zone_id")
        finally:
            con.close()
        assert places.loc["att-wat-phra-singh", "name_zh"] == "帕辛寺"
        assert places.loc["att-wat-phra-singh", "zone_name_zh"] == "清迈古城（护城河内）"
        assert pd.isna(places.loc["att-wat-lok-molee", "name_zh"])  # no Chinese name: English with a mark
        assert display_name(places.loc["att-wat-lok-molee"].to_dict(), "zh") == "Wat Lok Molee*"
        assert zones.loc["old_city", "name_zh"] == "清迈古城（护城河内）"
        assert zones["name_zh"].notna().all()


def test_names_zh_file_is_checked(tmp_path: Path) -> None:
    from geo.build import seed
    from geo.errors import SeedDataError

    good = tmp_path / "names_zh.csv"
    good.write_text("kind,id,name_zh\nplace,att-x,寺\nzone,old_city,古城\n", encoding="utf-8")
    assert seed.read_names_zh(good) == {"place": {"att-x": "寺"}, "zone": {"old_city": "古城"}}
    assert seed.read_names_zh(tmp_path / "missing.csv") == {"place": {}, "zone": {}}
    for body in ("kind,id,name_zh\nplace,att-x,Wat\n", "kind,id,name_zh\nroad,x,路\n",
                 "kind,id,name_zh\nplace,a,寺\nplace,a,庙\n", "id,name_zh\na,寺\n"):
        good.write_text(body, encoding="utf-8")
        with pytest.raises(SeedDataError):
            seed.read_names_zh(good)
    frame = pd.DataFrame({"place_id": ["att-x"]})
    with pytest.raises(SeedDataError, match="att-y"):
        seed.with_names_zh(frame, "place_id", {"att-y": "寺"})


# --- the command line ----------------------------------------------------------------------------------


def test_cli_messages_in_the_chosen_language(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.__main__ import main

    args = ["import", str(tmp_path / "nope.csv"), "--layer", "places", "--db", str(tmp_path / "x.duckdb")]
    assert main([*args, "--lang", "th"]) == 2
    err = capsys.readouterr().err
    assert "ข้อผิดพลาด:" in err and "ฐานข้อมูลไม่มีการเปลี่ยนแปลง" in err
    monkeypatch.setenv("ATLAS_LANG", "zh")  # the default when --lang is not given
    assert main(args) == 2
    assert "错误：" in capsys.readouterr().err
    assert main([*args, "--lang", "en"]) == 2
    assert "error: " in capsys.readouterr().err


def test_gpx_in_the_reader_language() -> None:
    from geo.render.export import route_gpx

    legs, stops, _label = _route()
    with using_language("zh"):
        gpx = route_gpx(legs, stops).decode("utf-8")
    assert "<name>旅游地图集路线</name>" in gpx and "<name>1. 甲</name>" in gpx and "第 1 段：甲 → 乙" in gpx
