"""The query loader: names, bound parameters, identifier allow-list, and that every SQL file parses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from geo import sql
from geo.db import connect
from geo.errors import QueryNotFoundError, QueryParameterError


def test_declared_params_ignore_comments_and_strings() -> None:
    text = "-- uses $ghost\nselect '$lit' as a, $start as s from t where x = $end and y = $start"
    assert sql.declared_params(text) == {"start", "end"}


def test_unknown_and_malformed_names_are_rejected() -> None:
    with pytest.raises(QueryNotFoundError, match="queries/app/nope.sql"):
        sql.load_query("app/nope")
    for bad in ("../etc/passwd", "app/../schema/create_meta", "other/x", "app/Upper"):
        with pytest.raises(QueryNotFoundError):
            sql.query_path(bad)


def test_parameters_must_match_exactly() -> None:
    con = connect(":memory:")
    sql.execute(con, "schema/create_zones")
    with pytest.raises(QueryParameterError, match="missing level"):
        sql.fetch_df(con, "app/zones")
    with pytest.raises(QueryParameterError, match="unexpected extra"):
        sql.fetch_df(con, "app/zones", {"level": "tourism_zone", "extra": 1})
    assert sql.fetch_df(con, "app/zones", {"level": "tourism_zone"}).empty


def test_values_are_bound_not_interpolated() -> None:
    con = connect(":memory:")
    sql.execute(con, "schema/create_zones")
    hostile = "x'; drop table zones; --"
    assert sql.fetch_df(con, "app/zones", {"level": hostile}).empty
    assert sql.fetch_one(con, "app/table_count", idents={"table": "zones"}) == {"n": 0}


def test_identifiers_only_from_allow_list() -> None:
    con = connect(":memory:")
    with pytest.raises(QueryParameterError, match="not allowed"):
        sql.fetch_one(con, "app/table_count", idents={"table": "zones; drop table meta"})
    with pytest.raises(QueryParameterError, match="not allowed"):
        sql.fetch_one(con, "app/table_count")


def test_every_query_file_is_one_parseable_statement() -> None:
    con = connect(":memory:")
    files = sorted(sql.QUERIES_DIR.glob("*/*.sql"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        body = sql._STRIP.sub(" ", text).strip().rstrip(";")
        assert ";" not in body, f"{path.name} holds more than one statement"
        # extract_statements parses without executing (unknown tables are fine at this stage)
        statements = con.extract_statements(sql._IDENT.sub('"places"', text))
        assert len(statements) == 1, path.name


# ---------------------------------------------------------------------------------------------
# queries/ mirrors the lifecycles, and every file is found from its caller

#: Where the Python that names queries lives (the tests are not callers: a query only a test runs is unused).
CALLER_DIRS = ("geo", "bench", "ui", "pages")
#: The runner functions whose query-name argument must be a literal (or a name bound to one).
RUNNERS = {"execute", "fetch_df", "fetch_one", "render", "load_query", "query_path"}


def _caller_sources() -> list[Path]:
    root = sql.QUERIES_DIR.parent
    files = [p for d in CALLER_DIRS for p in sorted((root / d).rglob("*.py"))]
    return [*files, root / "app.py"]


def _query_files() -> list[Path]:
    return sorted(sql.QUERIES_DIR.rglob("*.sql"))


def test_query_folders_are_exactly_the_groups() -> None:
    folders = sorted(p.name for p in sql.QUERIES_DIR.iterdir() if p.is_dir())
    assert folders == sorted(sql.GROUPS)
    for path in _query_files():
        rel = path.relative_to(sql.QUERIES_DIR)
        assert len(rel.parts) == 2 and rel.parts[0] in sql.GROUPS, f"queries/{rel} is outside the groups"
        assert sql.query_path(f"{rel.parts[0]}/{path.stem}") == path


def test_names_outside_the_groups_are_refused() -> None:
    for name in ("pipeline/create_meta", "queries/app/zones", "apps/zones", "app/zones/x", "app/zones\n"):
        with pytest.raises(QueryNotFoundError):
            sql.query_path(name)
    with pytest.raises(QueryNotFoundError, match="schema, build, rollups, app, bench"):
        sql.query_path("pipeline/create_meta")


def test_query_names_are_never_built_with_f_strings() -> None:
    """A search for a file's name finds its caller: no f-string passed to a runner or spelling a group."""
    prefixes = tuple(f"{g}/" for g in sql.GROUPS)
    problems = []
    for path in _caller_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(sql.QUERIES_DIR.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNERS:
                if any(isinstance(a, ast.JoinedStr) for a in [*node.args, *(k.value for k in node.keywords)]):
                    problems.append(f"{rel}:{node.lineno} {node.func.attr}(f'...')")
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and str(head.value).startswith(prefixes):
                    # the rollup runner names the files it globs (queries/rollups/*.sql, in name order)
                    if not (rel == "geo/build/rollups.py" and head.value == "rollups/"):
                        problems.append(f"{rel}:{node.lineno} f'{head.value}...'")
    assert problems == []


def test_every_query_file_has_a_caller() -> None:
    """Each file is named by a string literal in the Python sources, or run by the rollup runner."""
    from geo.build import rollups

    name = re.compile(rf"^(?:{'|'.join(sql.GROUPS)})/[a-z0-9_]+$")
    literals = set()
    for path in _caller_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and name.match(node.value):
                literals.add(node.value)
    run_by_runner = set(rollups.rollup_names())
    files = {f"{p.parent.name}/{p.stem}" for p in _query_files()}
    assert run_by_runner == {f for f in files if f.startswith("rollups/")}
    assert sorted(files - literals - run_by_runner) == []


def test_earth_radius_is_bound_not_written_in_sql() -> None:
    """The radius comes from geo.vocab.EARTH_RADIUS_M as $earth_radius_m, never as a number in a file."""
    users = []
    for path in _query_files():
        text = path.read_text(encoding="utf-8")
        assert "6371008" not in sql._STRIP.sub(" ", text), path.name
        if "earth_radius_m" in sql.declared_params(text):
            users.append(f"{path.parent.name}/{path.stem}")
    assert sorted(users) == [
        "app/capacity_catchment", "app/placeinfo_nearby", "build/create_stay_candidates",
        "build/detect_stays_sql", "build/insert_stays", "build/stay_stream",
    ]


def test_nearby_and_catchment_share_their_distance_steps() -> None:
    """The two app queries repeat the target and haversine steps on purpose (see their header): same text."""

    def steps(name: str) -> tuple[str, str]:
        text = sql.load_query(name)
        target = re.search(r"with target as \(.*?\n\),", text, re.S)
        measured = re.search(r"\nmeasured as \(.*?\n\),", text, re.S)
        assert target and measured, name
        return target.group(0), measured.group(0)

    assert steps("app/capacity_catchment") == steps("app/placeinfo_nearby")
    assert "earth_radius_m" in sql.declared_params(sql.load_query("app/placeinfo_nearby"))
