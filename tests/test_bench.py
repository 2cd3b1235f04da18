"""The benchmark runs on a small N and reports every metric (a number, or null with a reason); no timing asserted."""

from __future__ import annotations

import json

import pytest

from bench import run as bench
from bench.run import METRIC_KEYS, BenchOptions, app_pages, format_table, status
from geo.__main__ import main

pytestmark = pytest.mark.slow

SMALL = BenchOptions(pings=30_000, days=7, zone_points=5_000, map_cells=300, warm_runs=1, settle_s=0.25)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    doc = bench.main_bench(BenchOptions(**{**SMALL.__dict__, "workdir": out.parent}), out, quiet=True)
    assert json.loads(out.read_text()) == json.loads(json.dumps(doc, default=str))
    return doc


def test_every_metric_is_a_number_or_null_with_a_reason(small_run: dict) -> None:
    for key in METRIC_KEYS:
        assert key in small_run
        value = small_run[key]
        if value is None:
            assert small_run["reasons"].get(key), f"{key} is null without a reason"
        else:
            assert isinstance(value, int | float) and value >= 0, key
    assert set(small_run["peak_rss_mb"]) == {"build", "app"}
    assert small_run["zone_join_speedup"] is not None  # needs only zones: always measurable


def test_every_metric_is_measured_now_that_pipeline_and_pages_exist(small_run: dict) -> None:
    assert small_run["reasons"] == {}
    assert all(small_run[key] is not None for key in METRIC_KEYS)
    assert small_run["details"]["n_pings"] > 0
    assert "pages_with_errors" not in small_run["details"]


def test_records_machine_versions_and_n(small_run: dict) -> None:
    assert small_run["n_pings_requested"] == SMALL.pings
    assert small_run["machine"]["cores_logical"] >= 1 and small_run["machine"]["memory_gb"] > 0
    assert {"python", "duckdb", "streamlit", "folium"} <= set(small_run["versions"])
    assert small_run["details"]["zone_join"]["disagreements_with_sjoin"] == (
        small_run["details"]["zone_join"]["disagreements_on_a_zone_edge"]
    )


def test_sorts_and_pipeline_runs_alternate_and_the_best_of_each_is_compared(small_run: dict) -> None:
    pipeline = small_run["details"]["pipeline"]
    runs = bench.DEFAULT_PIPELINE_RUNS
    assert pipeline["run_order"] == ["pipeline", "sort"] * runs
    assert pipeline["settle_s"] == SMALL.settle_s > 0
    assert bench.BenchOptions().settle_s == bench.SETTLE_S > 0
    assert len(pipeline["pipeline_runs"]) == len(pipeline["sort_runs"]) == runs
    assert pipeline["pipeline_s"] == min(pipeline["pipeline_runs"])
    assert pipeline["sort_s"] == min(pipeline["sort_runs"])
    assert small_run["pipeline_vs_sort_ratio"] == round(pipeline["pipeline_s"] / pipeline["sort_s"], 3)


def test_table_lists_every_metric_with_target_and_status(small_run: dict) -> None:
    table = format_table(small_run)
    for key in METRIC_KEYS:
        assert key in table
    assert "status" in table.splitlines()[0]


def test_temporary_database_is_removed(small_run: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert "db" not in small_run["details"]


def test_status_compares_against_targets() -> None:
    assert status("pipeline_vs_sort_ratio", 1.49) == "pass"
    assert status("pipeline_vs_sort_ratio", 1.51) == "MISS"
    assert status("zone_join_speedup", 25.0) == "pass"
    assert status("zone_join_speedup", None) == "n/a"
    assert status("pipeline_pings_per_s", 1e6) == "—"


def test_app_pages_are_read_from_app_py() -> None:
    pages = app_pages()
    assert pages and all(p.startswith("pages/views/") and p.endswith(".py") for p in pages)


def test_cli_bench_writes_json(tmp_path) -> None:
    out = tmp_path / "b.json"
    code = main(["bench", "--pings", "20000", "--zone-points", "5000", "--no-pages", "--quiet",
                 "--workdir", str(tmp_path), "--json", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    assert set(METRIC_KEYS) <= set(doc)
    assert doc["warm_rerun_p95_ms"] is None and "no-pages" in doc["reasons"]["warm_rerun_p95_ms"]


def test_cli_bench_measures_pages_on_an_existing_database(tmp_path, atlas_db) -> None:
    out = tmp_path / "pages.json"
    code = main(["bench", "--db", str(atlas_db), "--warm-runs", "1", "--quiet", "--json", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    for key in ("warm_rerun_p95_ms", "cold_rerun_ms", "max_map_payload_bytes", "peak_rss_mb_app"):
        assert doc[key] is not None and doc[key] > 0, (key, doc["reasons"], doc["details"].get("app"))
    for key in ("pipeline_vs_sort_ratio", "presence_vs_groupby_ratio", "zone_join_speedup", "peak_rss_mb_build"):
        assert doc[key] is None and "--db" in doc["reasons"][key]
    assert doc["details"]["existing_db"] == str(atlas_db.resolve()) and doc["n_pings_requested"] is None
    assert "pages_with_errors" not in doc["details"]
    assert atlas_db.is_file()  # read, never removed


def test_cli_bench_db_must_exist(tmp_path, capsys) -> None:
    assert main(["bench", "--db", str(tmp_path / "none.duckdb"), "--quiet"]) == 2
    assert "no database at" in capsys.readouterr().err
