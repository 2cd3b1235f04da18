"""Read-only SQL (geo/services/sqlconsole.py, geo.db.connect_console, ``geo sql``, the SQL page).

From a public connection and from the officials' console connection, COPY ... TO, ATTACH, INSTALL/LOAD,
file reads, writes, SET and PRAGMA all fail: refused by the statement check with a message, and refused by
the connection itself when the check is bypassed.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from geo.__main__ import main
from geo.db import connect, connect_console, console_cursor
from geo.errors import SqlRejectedError, SqlTimeoutError
from geo.services.sqlconsole import check_statement, csv_bytes, run_readonly
from geo.settings import ROOT

#: Statements that must never run, with a word the refusal names. (Each is refused by the statement check
#: before it reaches DuckDB; ``HOSTILE_RAW`` shows the connections refuse them on their own too.)
HOSTILE = [
    ("copy places to '/tmp/atlas-leak.csv'", "COPY"),
    ("copy (select * from places) to '/tmp/atlas-leak.parquet' (format parquet)", "COPY"),
    ("export database '/tmp/atlas-export'", "EXPORT"),
    ("attach '/tmp/other.duckdb' as other", "ATTACH"),
    ("detach atlas", "DETACH"),
    ("install httpfs", "INSTALL"),
    ("load httpfs", "LOAD"),
    ("create table t (a integer)", "CREATE"),
    ("create temp table t as select 1", "CREATE"),
    ("insert into places (place_id) values ('x')", "INSERT"),
    ("update places set name_en = 'x'", "UPDATE"),
    ("delete from places", "DELETE"),
    ("drop table places", "DROP"),
    ("set threads = 1", "SET"),
    ("reset memory_limit", "RESET"),
    ("use memory", "USE"),
    ("pragma enable_profiling", "PRAGMA"),
    ("pragma version", "PRAGMA"),
    ("pragma threads = 1", "PRAGMA"),
    ("call pragma_version()", "CALL"),
    ("checkpoint", "CHECKPOINT"),
    ("select 1; copy places to '/tmp/atlas-leak.csv'", "One statement at a time"),
    ("explain analyze copy places to '/tmp/atlas-leak.csv'", "EXPLAIN is allowed only"),
    ("/* hidden */ pragma version", "PRAGMA"),
]

#: Statements each connection must refuse by itself (executed raw, no statement check).
HOSTILE_RAW = [
    "copy (select 1) to '/tmp/atlas-leak.csv'",
    "attach '/tmp/other.duckdb' as other",
    "install httpfs",
    "load httpfs",
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "select * from glob('/etc/*')",
    "create table t (a integer)",
    "insert into places (place_id) values ('x')",
    "update places set name_en = 'x'",
    "set threads = 1",
    "set enable_external_access = true",
]

READS = ["select count(*) from places", "with a as (select 1 as x) select * from a", "from places limit 1",
         "describe places", "show tables", "summarize places", "values (1), (2)", "table places",
         "(select 1)", "-- a comment\nselect 1", "explain select * from places", "select 1;"]


@pytest.fixture(scope="module")
def own_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session database: public connections need a file no officials connection has open."""
    path = tmp_path_factory.mktemp("sql") / "atlas.duckdb"
    shutil.copy(atlas_db, path)
    return path


@pytest.fixture(scope="module")
def connections(own_db: Path):
    """A public-mode connection and the officials' console connection to the copy (opened once: ~1 s each)."""
    public, console = connect(own_db, "public"), connect_console(own_db)
    yield {"public": public, "console": console}
    public.close()
    console.close()


@pytest.fixture(params=["public", "console"])
def cursor(request, connections):
    """A fresh cursor on a public-mode connection, or on the officials' console connection."""
    con = connections[request.param]
    cur = con.cursor() if request.param == "public" else console_cursor(con)
    yield cur
    cur.close()


@pytest.mark.parametrize("query", READS)
def test_reads_are_allowed(query: str) -> None:
    assert check_statement(query) in ("SELECT", "EXPLAIN")


@pytest.mark.parametrize(("query", "word"), HOSTILE)
def test_statement_check_refuses_everything_but_one_read(query: str, word: str) -> None:
    with pytest.raises(SqlRejectedError, match=word):
        check_statement(query)


@pytest.mark.parametrize(("query", "word"), HOSTILE)
def test_hostile_statements_fail_with_a_message_on_both_connections(cursor, query: str, word: str) -> None:
    with pytest.raises(SqlRejectedError, match=word):
        run_readonly(cursor, query, row_limit=10, timeout_s=5)


@pytest.mark.parametrize("query", HOSTILE_RAW)
def test_connections_refuse_hostile_statements_on_their_own(cursor, query: str) -> None:
    with pytest.raises(duckdb.Error):
        cursor.execute(query)
    assert not Path("/tmp/atlas-leak.csv").exists()


@pytest.mark.parametrize("query", ["select * from read_csv('/etc/passwd')", "select * from read_text('/etc/hostname')",
                                   "select * from st_read('/etc/passwd')",
                                   f"select * from read_json('{ROOT / 'pyproject.toml'}')"])  # noqa: S608 - the test's own file
def test_file_reads_inside_a_select_fail_with_a_clear_message(cursor, query: str) -> None:
    with pytest.raises(SqlRejectedError, match="read-only SQL never does|failed"):
        run_readonly(cursor, query, row_limit=10, timeout_s=5)


def test_results_come_back_as_a_table(cursor) -> None:
    result = run_readonly(cursor, "select category, count(*) as n from places group by all order by n desc, category",
                          row_limit=100, timeout_s=10)
    assert list(result.frame.columns) == ["category", "n"] and not result.truncated
    assert result.frame["n"].sum() >= 200 and result.statement == "SELECT"


def test_row_limit_keeps_the_first_rows_and_says_there_are_more(cursor) -> None:
    result = run_readonly(cursor, "select * from range(100) t(i) order by i", row_limit=10, timeout_s=10)
    assert result.frame["i"].tolist() == list(range(10)) and result.truncated
    exact = run_readonly(cursor, "select * from range(10) t(i)", row_limit=10, timeout_s=10)
    assert len(exact.frame) == 10 and not exact.truncated


def test_a_query_past_its_time_limit_is_interrupted(cursor) -> None:
    started = time.perf_counter()
    with pytest.raises(SqlTimeoutError, match="longer than 1 s"):
        run_readonly(cursor, "select count(*) from range(100000000) a, range(100000) b", row_limit=10, timeout_s=1)
    assert time.perf_counter() - started < 10
    assert run_readonly(cursor, "select 42 as x", row_limit=1, timeout_s=5).frame["x"].tolist() == [42]


def test_geometry_shows_as_wkt_and_duplicate_names_are_told_apart(cursor) -> None:
    result = run_readonly(cursor, "select st_point(98.98, 18.79) as g, 1 as a, 2 as a", row_limit=5, timeout_s=5)
    assert result.frame.to_dict("records") == [{"g": "POINT (98.98 18.79)", "a": 1, "a_2": 2}]


def test_csv_has_a_bom_keeps_thai_and_defuses_formulas(cursor) -> None:
    result = run_readonly(cursor, "select 'วัดพระธาตุ' as name, '=HYPERLINK(\"x\")' as f, -3 as n, '@x' as at_sign",
                          row_limit=5, timeout_s=5)
    data = csv_bytes(result.frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["name,f,n,at_sign", "วัดพระธาตุ,\"'=HYPERLINK(\"\"x\"\")\",-3,'@x"]


def test_console_connection_writes_nothing_and_reaches_no_file(connections, own_db: Path, tmp_path: Path) -> None:
    before = own_db.read_bytes()
    (tmp_path / "secret.csv").write_text("a\nsecret\n", encoding="utf-8")
    cur = console_cursor(connections["console"])
    try:
        assert cur.execute("select current_database()").fetchone() == ("atlas",)
        for statement in ("create table atlas.t (a integer)", "copy places to '" + str(tmp_path / "x.csv") + "'",
                          "select * from read_csv('" + str(tmp_path / "secret.csv") + "')"):  # noqa: S608
            with pytest.raises(duckdb.Error):
                cur.execute(statement)
    finally:
        cur.close()
    assert own_db.read_bytes() == before and not (tmp_path / "x.csv").exists()


def test_cli_prints_rows_and_writes_csv(own_db: Path, tmp_path: Path, capsys) -> None:
    assert main(["sql", "--db", str(own_db), "--limit", "3", "select * from range(10) t(i)"]) == 0
    out = capsys.readouterr()
    assert out.out.split() == ["i", "0", "1", "2"] and "row limit of 3" in out.err
    target = tmp_path / "rows.csv"
    assert main(["sql", "--db", str(own_db), "--csv", str(target), "select 'ช้าง' as animal"]) == 0
    assert target.read_bytes() == "\ufeffanimal\nช้าง\n".encode()


def test_cli_public_refuses_file_reads_and_writes(own_db: Path, capsys) -> None:
    for query in ("select * from read_csv('/etc/passwd')", "copy places to '/tmp/atlas-leak.csv'",
                  "attach '/tmp/x.duckdb'", "set threads = 1", "create table t (a integer)"):
        assert main(["sql", "--public", "--db", str(own_db), query]) == 2
        assert capsys.readouterr().err.startswith("error: ")
    assert main(["sql", "--public", "--db", str(own_db), "--timeout", "1",
                 "select count(*) from range(100000000) a, range(100000) b"]) == 2
    assert "longer than 1 s" in capsys.readouterr().err


def test_sql_page_runs_a_query_and_offers_the_csv(atlas_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "sql.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    at.text_area(key="sql_query").input("select category, count(*) as n from places group by all order by n desc")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    frame = at.dataframe[-1].value
    assert list(frame.columns) == ["category", "n"] and len(frame) > 5
    at.text_area(key="sql_query").input("copy places to '/tmp/atlas-leak.csv'")
    at.button[0].click().run()
    assert "COPY statements are refused" in at.error[0].value
    assert not Path("/tmp/atlas-leak.csv").exists()


def test_sql_page_is_not_served_in_public_mode() -> None:
    from geo.settings import PUBLIC_PAGES, Settings

    assert "sql" not in PUBLIC_PAGES and not Settings(mode="public").serves_page("sql")
    assert Settings().serves_page("sql")


def test_a_second_public_connection_to_an_open_file_works(own_db: Path, connections) -> None:
    """DuckDB hands a second public connect the first one's instance (already locked): it must not reconfigure."""
    con = connect(own_db, "public")
    try:
        assert con.execute("select count(*) from places").fetchone()[0] >= 200
        with pytest.raises(duckdb.Error):
            con.execute("select * from read_csv('/etc/passwd')")
    finally:
        con.close()
