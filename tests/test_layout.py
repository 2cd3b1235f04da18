"""The folders follow the lifecycles, and which folder may import which is enforced here (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from geo.settings import ROOT

#: Third-party and standard-library imports are free; these rules are about the project's own packages.
OWN = ("geo", "ui", "bench", "pages", "tests")


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; ``from a import b`` counts as ``a`` and ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _own(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in OWN}


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_geo_folders_name_the_lifecycles() -> None:
    packages = {p.name for p in (ROOT / "geo").iterdir() if (p / "__init__.py").is_file()}
    assert packages == {"build", "services", "render", "ingest", "report", "publish"}
    assert (ROOT / "bench" / "run.py").is_file() and not (ROOT / "geo" / "bench.py").exists()


@pytest.mark.parametrize("path", _files("geo"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_streamlit_under_geo(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in ("streamlit", "streamlit_folium")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: Streamlit belongs in ui/ and pages/"


def test_build_and_services_never_import_each_other() -> None:
    for path in _files("geo/build"):
        bad = {n for n in _imports(path) if _under(n, "geo.services") or _under(n, "geo.render")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
    for path in _files("geo/services"):
        bad = {n for n in _imports(path) if _under(n, "geo.build") or _under(n, "geo.render")
               or _under(n, "geo.ingest")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_render_draws_without_querying_or_building() -> None:
    for path in _files("geo/render"):
        bad = {n for n in _imports(path) if _under(n, "geo.build") or _under(n, "geo.services") or n == "geo.sql"
               or _under(n, "geo.ingest")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_report_reads_services_and_draws_with_render_only() -> None:
    """geo/report (the report pack) sits above services and render; nothing below it imports it."""
    for path in _files("geo/report"):
        bad = {n for n in _imports(path) if _under(n, "geo.build") or _under(n, "geo.ingest") or _under(n, "ui")
               or _under(n, "bench") or n == "geo.sql" or n == "geo.db"}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
    for folder in ("geo/build", "geo/services", "geo/render", "geo/ingest"):
        for path in _files(folder):
            bad = {n for n in _imports(path) if _under(n, "geo.report")}
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_core_modules_import_only_the_core() -> None:
    """settings, errors, db, sql, vocab, text sit below every lifecycle (the CLI entry point excepted)."""
    for path in sorted((ROOT / "geo").glob("*.py")):
        if path.name == "__main__.py":
            continue
        bad = {n for n in _own(_imports(path)) if any(_under(n, p) for p in ("geo.build", "geo.services",
                                                                               "geo.render", "geo.ingest", "geo.report",
                                                                               "geo.publish", "ui", "bench"))}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_only_the_cli_reaches_the_benchmark() -> None:
    for folder in ("geo", "ui", "pages"):
        for path in _files(folder):
            bad = {n for n in _imports(path) if _under(n, "bench")}
            if path == ROOT / "geo" / "__main__.py":
                continue
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


#: What a page may import from the project: the UI layer, services, renderers, vocabulary, text escaping, errors,
#: the message catalogue (every shown string goes through geo.i18n) and the import lifecycle (the Data page's
#: upload form runs an import).
PAGE_ALLOWED = ("ui", "geo.services", "geo.render", "geo.vocab", "geo.text", "geo.errors", "geo.i18n", "geo.ingest")


@pytest.mark.parametrize("path", _files("pages") + [ROOT / "app.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_import_only_ui_services_render_and_vocab(path: Path) -> None:
    names = _imports(path)
    assert "duckdb" not in names, f"{path.relative_to(ROOT)} imports duckdb"
    bad = set()
    for n in _own(names):
        if n == "geo":  # ``from geo import vocab`` is recorded as geo and geo.vocab
            continue
        if not any(_under(n, allowed) for allowed in PAGE_ALLOWED):
            bad.add(n)
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}; pages use ui, services, render, vocab only"


def test_ui_never_builds() -> None:
    for path in _files("ui"):
        bad = {n for n in _imports(path) if _under(n, "geo.build") or _under(n, "bench")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_rules_see_a_violation(tmp_path: Path) -> None:
    """The scanner itself: a file importing streamlit and a build module is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom geo.build import seed\nfrom geo import vocab\n", encoding="utf-8")
    names = _imports(bad)
    assert "streamlit" in names and "geo.build.seed" in names and "geo.vocab" in names


def test_build_never_imports_the_importer() -> None:
    """Import builds on the build lifecycle (loaders, pipeline, rollups), never the other way round."""
    for path in _files("geo/build"):
        bad = {n for n in _imports(path) if _under(n, "geo.ingest")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_publish_reads_through_the_core_only_and_only_the_cli_runs_it() -> None:
    """geo/publish (the public file) uses the core (db, sql, settings, vocab, errors) and nothing above it; it
    does not reach services, render, ingest, report, ui or bench, and only the CLI imports it."""
    for path in _files("geo/publish"):
        bad = {n for n in _own(_imports(path)) if not (_under(n, "geo.publish") or n in ("geo", "geo.__version__")
                                                        or any(n == f"geo.{m}" or _under(n, f"geo.{m}") for m in
                                                               ("db", "sql", "settings", "vocab", "errors", "text", "i18n")))}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
    for folder in ("geo/build", "geo/services", "geo/render", "geo/ingest", "geo/report", "ui", "pages", "bench"):
        for path in _files(folder):
            bad = {n for n in _imports(path) if _under(n, "geo.publish")}
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
