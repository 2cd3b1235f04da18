"""The Data page's upload form (AppTest): check only by default, then import; refusals leave the file as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.db import connect
from geo.settings import ROOT
from tests.test_ingest_run import PLACES_CSV

TIMEOUT = 120


@pytest.fixture
def db(atlas_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "atlas.duckdb"
    shutil.copy2(atlas_db, target)
    monkeypatch.setenv("ATLAS_DB", str(target))
    return target


def _submit(name: str, content: bytes, *, dry_run: bool, **fields: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "data.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="import_file").set_value((name, content, "text/csv"))
    at.checkbox(key="import_dry_run").set_value(dry_run)
    for key, value in fields.items():
        widget = at.selectbox(key=key) if key == "import_layer" else at.text_input(key=key)
        widget.set_value(value)
    next(b for b in at.button if b.label == "Check and import").click()
    return at.run()


def _count(db: Path) -> int:
    con = connect(db, "officials", read_only=True)  # same configuration as the page's cached connection
    try:
        return con.execute("select count(*) from places").fetchone()[0]
    finally:
        con.close()


def test_the_form_states_its_limit_checks_then_imports(db: Path) -> None:
    before = _count(db)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    checked = _submit("register.csv", PLACES_CSV.encode(), dry_run=True)
    assert not checked.exception
    assert any("50 MB" in c.value for c in checked.caption)
    assert any("Check only: 3 of 4 rows would be imported" in i.value for i in checked.info)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    problems = checked.dataframe[-1].value
    assert list(problems["row"]) == [3, 4, 5] and "unknown category" in problems["reason"].iloc[2]
    done = _submit("register.csv", PLACES_CSV.encode(), dry_run=False, import_attribution="Test register")
    assert any("Imported 3 of 4 rows from register" in s.value for s in done.success), [s.value for s in done.success]
    assert _count(db) == before + 3


def test_a_refused_upload_shows_why_and_changes_nothing(db: Path) -> None:
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    at = _submit("districts.geojson", b"var x = {};", dry_run=False, import_layer="zones", import_level="district")
    assert any("Not imported; the database is unchanged" in e.value and "JavaScript" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


def test_a_replaced_file_is_read_fresh_not_from_duckdbs_cached_instance(tmp_path: Path) -> None:
    import os

    import duckdb

    from ui import state

    def make(path: Path, n: int) -> None:
        con = duckdb.connect(str(path))
        con.execute("create table t as select * from range($n)", {"n": n})
        con.close()

    live, new = tmp_path / "atlas.duckdb", tmp_path / "new.duckdb"
    make(live, 1)
    make(new, 5)
    try:
        first = state._shared_connection(str(live), "officials", 1.0)
        assert first.execute("select count(*) from t").fetchone()[0] == 1
        os.replace(new, live)
        second = state._shared_connection(str(live), "officials", 2.0)
        assert second.execute("select count(*) from t").fetchone()[0] == 5
    finally:
        state.release_connections()


def test_a_road_network_uploads_through_the_form(db: Path, tmp_path: Path) -> None:
    from tests.road_fixtures import one_way_block

    extract = one_way_block(tmp_path / "block.osm.pbf").read_bytes()
    at = _submit("block.osm.pbf", extract, dry_run=False, import_layer="roads")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    con = connect(db, "officials", read_only=True)
    try:
        assert con.execute("select count(*) from road_edges").fetchone()[0] == 3
    finally:
        con.close()


def test_the_problems_table_is_in_the_readers_language(db: Path) -> None:
    """Under ?lang=th the upload's problems (reason and action) are Thai; the file's own values stay as written."""
    import contextvars
    import re

    from geo import i18n

    def th(message: str) -> str:
        def run() -> str:
            i18n.set_language("th")
            return i18n._(message)
        return contextvars.copy_context().run(run)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "th"
    at.switch_page("pages/views/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="import_file").set_value(("register.csv", PLACES_CSV.encode(), "text/csv"))
    at.checkbox(key="import_dry_run").set_value(True)
    next(b for b in at.button if b.label == th("Check and import")).click()
    with i18n.using_language("th"):  # AppTest formats the selectboxes' options (format_func) in the test's context
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    problems = at.dataframe[-1].value
    assert list(problems["row"]) == [3, 4, 5]
    thai = re.compile(r"[\u0E00-\u0E7F]")
    assert all(thai.search(r) for r in problems["reason"]), list(problems["reason"])
    assert "unknown category" not in " ".join(problems["reason"]) and "'casino'" in problems["reason"].iloc[2]
    assert set(problems["action"]) <= {th(a) for a in ("rejected", "repaired", "warning")}
    assert not {"rejected", "repaired", "warning"} & set(problems["action"])
