"""The query loader: names, bound parameters, identifier allow-list, and that every SQL file parses."""

from __future__ import annotations

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
    for bad in ("../etc/passwd", "app/../pipeline/create_meta", "other/x", "app/Upper"):
        with pytest.raises(QueryNotFoundError):
            sql.query_path(bad)


def test_parameters_must_match_exactly() -> None:
    con = connect(":memory:")
    sql.execute(con, "pipeline/create_zones")
    with pytest.raises(QueryParameterError, match="missing level"):
        sql.fetch_df(con, "app/zones")
    with pytest.raises(QueryParameterError, match="unexpected extra"):
        sql.fetch_df(con, "app/zones", {"level": "tourism_zone", "extra": 1})
    assert sql.fetch_df(con, "app/zones", {"level": "tourism_zone"}).empty


def test_values_are_bound_not_interpolated() -> None:
    con = connect(":memory:")
    sql.execute(con, "pipeline/create_zones")
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
