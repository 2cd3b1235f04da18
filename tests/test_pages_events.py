"""The Events and forecast page through AppTest: an event's impact, the URL's event, the add-event form, the forecast."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import ROOT
from tests.markdown_helpers import shown

TIMEOUT = 90
YI_PENG = "2025-11-05-yi-peng-and-loy-krathong-2025"


def _page(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "events.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_events_page_shows_an_events_impact(atlas_env) -> None:
    at = _page(event=YI_PENG)
    _ok(at)
    assert at.title[0].value == "Events and forecast"
    assert at.selectbox(key="events_event").value == YI_PENG
    labels = {m.label for m in at.metric}
    assert {"Visitors per day, event days", "Overnight share", "Busiest hours (event days)"} <= labels
    captions = " ".join(shown(c.value) for c in at.caption)
    # the session database is built with expansion weights, so the page reads estimated people (issue 16)
    assert "baseline day(s)" in captions and "estimated people" in captions
    assert "Simulated flows" in captions
    # the session database holds six weeks: too short for a forecast, and the page says so
    assert any("too short for a forecast" in shown(i.value) for i in at.info)


def test_events_page_survives_an_unknown_event_in_the_url(atlas_env) -> None:
    at = _page(event="no-such-event")
    _ok(at)
    assert at.selectbox(key="events_event").value == YI_PENG   # the first event with data


def test_event_without_data_says_so(atlas_env) -> None:
    at = _page(event="2026-04-13-songkran-2026")  # after the session database's six weeks
    _ok(at)
    assert any("no presence data on its days" in shown(i.value) for i in at.info)


def test_add_event_form_stores_the_event(atlas_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "atlas.duckdb"
    shutil.copyfile(atlas_db, db)
    monkeypatch.setenv("ATLAS_DB", str(db))
    at = _page()
    _ok(at)
    at.text_input(key="events_add_name").set_value("Lantern night market")
    at.date_input(key="events_add_start").set_value(date(2025, 11, 20))
    at.date_input(key="events_add_end").set_value(date(2025, 11, 21))
    at.multiselect(key="events_add_zones").set_value(["old_city"])
    at.button(key="FormSubmitter:events_add_form-Add event").click()
    at.run()
    _ok(at)
    assert any("Added 2025-11-20-lantern-night-market" in shown(s.value) for s in at.success)
    assert at.selectbox(key="events_event").value == "2025-11-20-lantern-night-market"
    assert "baseline day(s)" in " ".join(shown(c.value) for c in at.caption)
    # a second time: refused with a message, nothing written
    at.text_input(key="events_add_name").set_value("Lantern night market")
    at.date_input(key="events_add_start").set_value(date(2025, 11, 20))
    at.date_input(key="events_add_end").set_value(date(2025, 11, 21))
    at.button(key="FormSubmitter:events_add_form-Add event").click()
    at.run()
    assert any("exists already" in shown(e.value) for e in at.error)


def test_events_page_exports_its_tables_map_and_charts(atlas_env, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.export
    from geo.render.static_map import map_png
    from ui.state import DRAWN_KEY

    seen: dict = {}
    original = ui.export.section

    def section(page, filters, *tables, **kwargs):
        seen.update(page=page, tables={t.name: t for t in tables if t is not None}, **kwargs)
        original(page, filters, *tables, **kwargs)

    monkeypatch.setattr(ui.export, "section", section)
    at = _page(event=YI_PENG)
    _ok(at)
    assert seen["page"] == "events" and seen["extra"] == {"event": YI_PENG}
    assert {"calendar", "uplift_by_zone", "change_by_cell", "origin_mix", "segment_groups", "hours"} <= set(seen["tables"])
    zones = seen["tables"]["uplift_by_zone"]
    assert len(zones.geometry(zones.frame)) == len(zones.frame)   # zone polygons joined
    # the zones export carries the same uplift as the table on the page
    shown_table = at.dataframe[0].value
    assert shown_table["uplift"].astype(float).round(9).fillna(-1).tolist() == \
        zones.frame["uplift"].astype(float).round(9).fillna(-1).tolist()
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("PNG") >= 4 and "HTML" in labels   # three charts and the change map
    # the same downloads as every page: each table as CSV, all of them as one workbook, the report pack
    assert labels.count("CSV") == len(seen["tables"]) and "All tables as Excel (.xlsx)" in labels
    assert "Report pack (PDF)" in labels
    # the pack is the chosen event's: its days as the period, its impact in the events section
    assert seen["report_events"] == (YI_PENG,)
    assert (seen["report_filters"].start, seen["report_filters"].end) == (date(2025, 11, 5), date(2025, 11, 6))
    from io import BytesIO

    import pandas as pd

    from geo.render import export

    book = pd.read_excel(BytesIO(export.xlsx_bytes({n: t.frame for n, t in seen["tables"].items()}, [("Page", "events")])),
                         sheet_name=None)
    assert set(seen["tables"]) <= set(book)
    assert len(book["uplift_by_zone"]) == len(zones.frame)
    csv = export.csv_bytes(zones.frame).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("zone_id") and len(csv.splitlines()) == len(zones.frame) + 1
    # the change map becomes a picture with its legend (geo.render.static_map knows the hex layer)
    drawn = [d for d in at.session_state[DRAWN_KEY] if d.kind == "map"]
    assert [d.key for d in drawn] == ["events_change_map"]
    for item in drawn:
        assert map_png(item.builder(*item.args, **item.kwargs), title="t", caption="c")[:4] == b"\x89PNG"


def test_events_page_without_flows_keeps_the_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.build.run import BuildOptions, build_database

    db = tmp_path / "atlas.duckdb"
    build_database(db, BuildOptions(flows=False))
    monkeypatch.setenv("ATLAS_DB", str(db))
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    assert any("no visitor flows yet" in shown(i.value) for i in at.info)
    assert at.text_input(key="events_add_name") is not None
