"""The build command: atomic builds, info output, CLI errors."""

from __future__ import annotations

import json
import re

import pytest

from geo.__main__ import main
from geo.build.run import BuildOptions, build_database
from geo.db import connect
from geo.errors import BuildError
from tests.seed_fixtures import PLACES, write_seed


def test_build_seed_only_loads_places_zones_cells(tmp_path) -> None:
    seed = write_seed(tmp_path / "seed")
    report = build_database(tmp_path / "a.duckdb", BuildOptions(flows=False, seed_dir=seed))
    assert report.counts["places"] == len(PLACES)
    assert report.counts["zones"] == 2
    assert report.counts["cells"] > 0
    con = connect(tmp_path / "a.duckdb", read_only=True)
    zone_of = dict(con.execute("select place_id, zone_id from places").fetchall())
    assert zone_of["att-wat-phra-singh"] == "west"
    assert zone_of["att-night-bazaar"] == "east"
    # every cell has a zone, and each place's cell matches h3 at the configured resolution
    assert con.execute("select count(*) from cells where zone_id is null").fetchone()[0] == 0


def test_failed_build_leaves_old_database_byte_identical(tmp_path) -> None:
    db = tmp_path / "atlas.duckdb"
    build_database(db, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "good")))
    before = db.read_bytes()
    bad_row = ("att-bad", "attraction", "temple", "Bad", "วัด", 98.98, 18.79, "", "", "", "true", "", "", "t")
    bad = write_seed(tmp_path / "bad", places=[*PLACES, bad_row])
    with pytest.raises(BuildError, match="left unchanged.*look swapped"):
        build_database(db, BuildOptions(flows=False, seed_dir=bad))
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["atlas.duckdb"]


def test_failed_build_without_old_database_leaves_nothing(tmp_path) -> None:
    seed = write_seed(tmp_path / "seed", zones=[])
    with pytest.raises(BuildError, match="no features"):
        build_database(tmp_path / "new.duckdb", BuildOptions(flows=False, seed_dir=seed))
    assert not (tmp_path / "new.duckdb").exists()
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []


def test_info_json_lists_tables_and_meta(tmp_path, capsys) -> None:
    db = tmp_path / "a.duckdb"
    build_database(db, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "seed")))
    assert main(["info", "--db", str(db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["tables"]["places"] == len(PLACES)
    assert info["tables"]["zones"] == 2 and info["tables"]["cells"] > 0
    assert info["meta"]["places"]["simulated"] is False


def test_cli_build_reports_counts_time_and_peak_memory(tmp_path, capsys) -> None:
    assert main(["build", "--db", str(tmp_path / "b.duckdb"), "--no-flows"]) == 0
    out = capsys.readouterr().out
    assert "places" in out and f"built {tmp_path / 'b.duckdb'} in " in out
    peak = re.search(r"peak memory ([\d,]+) MB", out)
    assert peak and int(peak.group(1).replace(",", "")) > 50, out


def test_cli_reports_missing_database_as_error(tmp_path, capsys) -> None:
    assert main(["info", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "make build" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["build", "--visitors", "10", "--pings", "10"])
