"""Service texts translated when shown: route methods and notes, turn instructions, table names and keys."""

from __future__ import annotations

import pandas as pd

from geo import vocab
from geo.i18n import FALLBACK_MARK, using_language
from geo.roadgraph import turn_instruction
from geo.services import presence
from ui import names


def test_route_notes_and_orders_follow_the_language() -> None:
    far = vocab.FAR_FROM_ROAD_NOTE.format(name="Wat Umong", limit="500")
    assert vocab.route_text(far) == far and vocab.route_order_text("best order (exact)") == "Best order (exact)"
    with using_language("th"):
        assert vocab.route_text(far, {"Wat Umong": "วัดอุโมงค์"}).startswith("วัดอุโมงค์ ")
        assert "500" in vocab.route_text(far)
        assert vocab.route_text(vocab.ROAD_LABEL) != vocab.ROAD_LABEL
        assert all(vocab.route_text(n) != n for n in vocab.DAY_PLAN_NOTES)
        assert vocab.route_order_text("as chosen") != "As chosen"
        assert "exact" not in vocab.route_order_text("best order (exact)")
        assert vocab.route_text("something else") == "something else"


def test_turn_instructions_are_worded_in_the_language() -> None:
    assert turn_instruction(-45, "Huay Kaew Rd") == "Turn left onto Huay Kaew Rd"
    assert turn_instruction(170, "") == "Make a U-turn"
    with using_language("zh"):
        text = turn_instruction(-45, "Huay Kaew Rd")
    assert text.endswith("Huay Kaew Rd") and "Turn" not in text


def test_tables_get_one_name_column_in_the_language() -> None:
    df = pd.DataFrame({"zone_id": ["a", "b", ""], "name_en": ["Old City", "Nimman", presence.OUTSIDE_LABEL],
                       "name_th": ["เมืองเก่า", None, ""], "name_zh": ["清迈古城", None, None], "n": [1, 2, 3]})
    with using_language("zh"):
        shown = names.with_name(df)
    assert list(shown["name"])[:2] == ["清迈古城", f"Nimman{FALLBACK_MARK}"]
    assert shown["name"].iloc[2] != presence.OUTSIDE_LABEL  # the service's own label, translated
    assert list(shown.columns).index("name") == 1
    with using_language("th"):
        assert names.with_name(df)["name"].iloc[0] == "เมืองเก่า"
        assert list(names.category_words(pd.Series(["hotel", "temple", "unknown_key"])))[2] == "unknown_key"
        assert "hotel" not in list(names.category_words(pd.Series(["hotel"])))
        assert names.segment_words(pd.Series(["international:CN"])).iloc[0] == "จีน"
    places = pd.DataFrame({"name_en": ["Wat"], "zone_name": ["Old City"], "zone_name_th": ["เมืองเก่า"]})
    with using_language("th"):
        assert names.with_name(places, "zone_", "zone")["zone"].iloc[0] == "เมืองเก่า"


def test_the_forecast_is_named_when_shown_not_when_cached() -> None:
    from geo.services import forecast

    about = {"simulated": True, "measure_label": "visitors", "method": "seasonal naive"}
    assert forecast.about_label(about).startswith("Forecast from simulated flows")
    with using_language("th"):
        assert "Forecast" not in forecast.about_label(about)
    assert forecast.about_label({"method": ""}) == "Forecast"


def test_the_exported_day_plan_and_legs_carry_their_notes_in_the_readers_language() -> None:
    from ui import export

    days = pd.DataFrame({"step": [1, 2], "place_id": ["a", "b"], "name_en": ["Wat Umong", "Doi Suthep"],
                         "name_th": ["วัดอุโมงค์", "ดอยสุเทพ"], "name_zh": [None, "素贴山"],
                         "note": [vocab.DAY_PLAN_NOTES[2], ""]})
    far = vocab.FAR_FROM_ROAD_NOTE.format(name="Wat Umong", limit="500")
    legs = pd.DataFrame({"leg": [1], "from_name": ["Wat Umong"], "from_name_th": ["วัดอุโมงค์"], "to_name": ["Doi Suthep"],
                         "to_name_th": ["ดอยสุเทพ"], "note": [far], "path": [[[18.78, 98.95], [18.80, 98.92]]]})
    stops = days[["name_en", "name_th"]].assign(lat=[18.78, 18.80], lon=[98.95, 98.92])
    english = export.table("route_days", days)
    assert english is not None and list(english.frame["note"]) == [vocab.DAY_PLAN_NOTES[2], ""]
    with using_language("th"):
        plan = export.table("route_days", days)
        route = export.route("route_legs", legs, stops)
    assert plan is not None and route is not None
    assert plan.frame["name"].iloc[0] == "วัดอุโมงค์" and plan.frame["note"].iloc[0] not in ("", vocab.DAY_PLAN_NOTES[2])
    assert plan.frame["note"].iloc[1] == ""
    assert route.frame["note"].iloc[0].startswith("วัดอุโมงค์ ") and "500" in route.frame["note"].iloc[0]
    assert list(days["note"]) == [vocab.DAY_PLAN_NOTES[2], ""]  # the service's frame is left as it was


def test_dataset_names_and_the_atlas_own_sources_are_in_the_language_citations_stay(atlas_db) -> None:
    import re

    from geo.db import connect
    from geo.services import catalog

    con = connect(atlas_db, "officials", read_only=True)
    try:
        kinds, meta = catalog.data_kinds(con), catalog.provenance(con)
    finally:
        con.close()
    assert [vocab.source_text(s) for s in meta["sources"]] == list(meta["sources"])  # English: as stored
    assert vocab.dataset_text("places: my_file.csv") == "places: my_file.csv"
    thai = re.compile(r"[\u0E00-\u0E7F]")
    with using_language("th"):
        for text in [*kinds["part"], *meta["dataset"]]:
            assert thai.search(vocab.dataset_text(text)), text
        for text in [*kinds["detail"], *meta["sources"]]:
            assert thai.search(vocab.source_text(text)), text
        outline = vocab.source_text("drawn by the project: 22,682 km² against the official 20,107 km² (+13%)")
        assert thai.search(outline) and "22,682" in outline and "+13%" in outline
        assert vocab.dataset_text("places: my_file.csv").endswith("my_file.csv")
        nested = vocab.source_text("SIMULATED pings (geo/simulate.py) through geo aggregate: out.parquet (pipeline "
                                   "output, Parquet)")
        assert thai.search(nested) and "pipeline output" not in nested and "out.parquet" in nested
        citation = "[P1] NSO Statistical Yearbook Thailand 2025, Table 17.2, Chiang Mai row"
        assert vocab.source_text(citation) == citation  # a citation names a publication under its own title
        assert vocab.source_text("Tourism Authority of Thailand, 2025") == "Tourism Authority of Thailand, 2025"
