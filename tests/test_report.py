"""The report pack (``geo.report.pack``, ``python -m geo report``): the PDF renders, holds the Overview's KPIs, is small.

The default report is built once per module from the session database and read back with poppler's
``pdftotext`` and ``pdftoppm`` (Debian ``poppler-utils``, installed by ``make test``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.__main__ import main
from geo.db import connect
from geo.errors import FilterError
from geo.render.report_doc import Figure, KpiTable, Paragraph, ReportDoc, Table
from geo.render.report_text import TEXTS, text, translated_keys
from geo.report.pack import SECTIONS, ReportOptions, build_report, page_count, parse_sections, report_filters
from geo.services import geography
from geo.settings import ROOT
from tests.markdown_helpers import shown
from tests.presence_fixtures import flows_database

#: The report must stay printable and mailable.
MAX_BYTES = 5 * 1024 * 1024


def _pdftotext(pdf: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is missing (make test installs it)"
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.fixture(scope="module")
def flows_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flows_database(atlas_db, tmp_path_factory.mktemp("report-flows"))


@pytest.fixture(scope="module")
def report(flows_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, object]:
    """The default report (every section, the pages' default filters) as a file, its text and the result."""
    con = connect(flows_db, read_only=True)
    try:
        options = ReportOptions(filters=report_filters(con), calendar=ROOT / "data" / "seed" / "calendar.csv",
                                database=flows_db.name)
        result = build_report(con, options)
    finally:
        con.close()
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(result.pdf)
    return path, _pdftotext(path), result


def test_report_is_a_small_printable_pdf(report) -> None:
    path, _, result = report
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) < MAX_BYTES
    assert page_count(data) >= 1 + len(SECTIONS) + 1  # title page, a section each, sources
    assert result.seconds["total"] > 0
    assert shutil.which("pdftoppm"), "poppler-utils is missing (make test installs it)"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(path.with_suffix(""))],
                   check=True)
    first = next(path.parent.glob("report-*1.png"))
    assert first.read_bytes().startswith(b"\x89PNG") and first.stat().st_size > 2_000
    with __import__("PIL.Image").Image.open(first) as img:
        width, height = img.size
    assert abs(height / width - 297 / 210) < 0.02  # A4 portrait


def test_report_text_has_title_sections_sources_page_numbers_and_simulated(report) -> None:
    _, body, _ = report
    assert "Tourism report: Chiang Mai" in body
    for section in SECTIONS:
        assert text(f"section_{section}") in body
    assert "Data sources and definitions" in body
    assert "SIMULATED visitor data" in body and "SIMULATED" in body.replace("SIMULATED visitor data", "")
    pages = page_count(report[0].read_bytes())
    assert f"1 / {pages}" in body and f"{pages} / {pages}" in body


def test_report_holds_the_kpis_the_overview_shows(report, flows_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_DB", str(flows_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/views/overview.py")
    at.run()
    assert not at.exception
    metrics = {m.label: shown(m.value) for m in at.metric}
    _, body, _ = report
    for label in ("Visitors (people-days)", "Overnight (people-days)", "Day-trippers (people-days)",
                  "International share", "Dwell per attraction visit", "Busiest hour", "Visitors per day",
                  "Busiest zone"):
        value = " ".join(metrics[label].split())
        assert value in body, f"{label}: {value!r} not in the report"
        assert label in body


def _written(doc: ReportDoc) -> list[str]:
    """Every text the report typeset (title page, section titles, KPI rows, tables, notes, captions)."""
    out = [doc.title, doc.subtitle, doc.banner, doc.footer, doc.contents_title]
    out += [t for fact in doc.facts for t in fact]
    for section in doc.sections:
        out.append(section.title)
        for block in section.blocks:
            if isinstance(block, KpiTable):
                out += [*block.header, *(t for r in block.rows for t in (r.label, r.value, r.previous, r.change))]
            elif isinstance(block, Table):
                out += [block.title, *block.columns, *(c for r in block.rows for c in r)]
            elif isinstance(block, Paragraph):
                out.append(block.text)
            elif isinstance(block, Figure):
                out.append(block.caption)
    return [t for t in out if t]


@pytest.fixture(scope="module", params=["th", "zh"])
def translated_report(request: pytest.FixtureRequest, flows_db: Path,
                      tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, ReportDoc]:
    """The whole report in Thai and in Chinese (``build_report``; the command line writes it too)."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"report-{lang}") / f"report-{lang}.pdf"
    con = connect(flows_db, read_only=True)
    try:
        options = ReportOptions(filters=report_filters(con), lang=lang, database=flows_db.name,
                                calendar=ROOT / "data" / "seed" / "calendar.csv")
        result = build_report(con, options)
    finally:
        con.close()
    # the PDF read back is the one built with ``doc`` (a second build could cross a minute and print another
    # "generated" time); the command line writes the same report beside it
    out.write_bytes(result.pdf)
    cli_out = out.with_name(f"report-{lang}-cli.pdf")
    assert main(["report", "--out", str(cli_out), "--db", str(flows_db), "--lang", lang, "--quiet"]) == 0
    assert cli_out.read_bytes()[:5] == b"%PDF-"
    return lang, out, result.doc


def test_translated_report_text_is_extracted_as_written(translated_report) -> None:
    """Shape check: every text the report wrote comes back from pdftotext unchanged (no dotted circles, no
    reordered or lost marks; whitespace aside, since table cells wrap), in the report's own script."""
    lang, path, doc = translated_report
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(raw.split())
    written = _written(doc)
    missing = [t for t in written if "".join(t.split()) not in flat]
    assert not missing, missing[:5]
    assert "\u25cc" not in raw  # the dotted circle a shaper puts under a mark it could not attach
    script = r"[\u0e00-\u0e7f]" if lang == "th" else r"[\u4e00-\u9fff]"
    assert re.search(script, doc.title) and re.search(script, doc.banner)
    for section in doc.sections:
        assert re.search(script, section.title), section.title


def test_translated_report_has_no_untranslated_label(translated_report, flows_db: Path) -> None:
    """Labels, headers and notes are in the report's language: the only Latin words left are data (English
    names marked * where the data has no name in the language, source file paths, the database name)."""
    lang, _, doc = translated_report
    con = connect(flows_db, read_only=True)
    try:
        zones = geography.list_zones(con)
    finally:
        con.close()
    labels = [doc.title, doc.subtitle, doc.banner, doc.contents_title, *(k for k, _v in doc.facts)]
    for section in doc.sections:
        labels.append(section.title)
        for block in section.blocks:
            if isinstance(block, KpiTable):
                labels += [*block.header, *(r.label for r in block.rows)]
            elif isinstance(block, Table):
                labels += [block.title, *block.columns]
    english = [t for t in labels if re.search(r"[A-Za-z]{3,}", t.replace("UTC", ""))]
    assert not english, english
    names = {rec["zone_id"]: rec["name_th" if lang == "th" else "name_zh"] for rec in zones.to_dict("records")}
    assert names["old_city"] and names["old_city"] in " ".join(t for t in _written(doc))
    if lang == "th":  # Buddhist-era years on the title page
        period = dict(doc.facts)["ช่วงเวลา"]
        assert re.search(r"25[0-9]{2}", period) and not re.search(r"20[0-9]{2}", period)


def test_report_for_one_zone_and_section_from_the_command_line(flows_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "zone.pdf"
    code = main(["report", "--out", str(out), "--db", str(flows_db), "--zone", "old_city", "--sections", "flows"])
    assert code == 0 and out.read_bytes().startswith(b"%PDF-")
    assert "wrote" in capsys.readouterr().out
    body = _pdftotext(out)
    assert "Old City" in body and "Flows and routes" in body and "Visitor density" not in body


def test_report_command_line_errors_are_one_line(flows_db: Path, tmp_path: Path, capsys) -> None:
    assert main(["report", "--out", str(tmp_path / "x.pdf"), "--db", str(flows_db), "--zone", "atlantis"]) == 2
    assert "Unknown zone 'atlantis'" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "x.pdf"), "--db", str(flows_db), "--sections", "weather"]) == 2
    assert main(["report", "--out", str(tmp_path / "x.pdf"), "--db", str(flows_db), "--from", "2026-10-01",
                 "--to", "2026-09-01"]) == 2
    assert not (tmp_path / "x.pdf").exists()


def test_hostile_texts_print_verbatim(hostile_db: Path, tmp_path: Path) -> None:
    from tests.hostile_fixtures import EVERYTHING

    con = connect(hostile_db, read_only=True)
    try:
        result = build_report(con, ReportOptions(filters=report_filters(con), sections=("capacity", "places")))
    finally:
        con.close()
    (tmp_path / "h.pdf").write_bytes(result.pdf)
    body = "".join(_pdftotext(tmp_path / "h.pdf").split())  # table cells wrap long names anywhere
    for payload in ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "`+alert(1)+`", "${alert(1)}",
                    "[Session expired](https://example.invalid/login)", EVERYTHING):
        assert "".join(payload.split()) in body, payload


def test_sections_and_languages() -> None:
    assert parse_sections(None) == SECTIONS
    assert parse_sections("places, overview") == ("overview", "places")
    with pytest.raises(FilterError, match="weather"):
        parse_sections("overview,weather")
    with pytest.raises(FilterError, match="language"):
        ReportOptions(filters=None, lang="fr")  # type: ignore[arg-type]
    assert text("section_density", "en") == "Visitor density"
    assert text("section_density", "th") == "ความหนาแน่นของผู้มาเยือน"
    assert text("section_density", "zh") == "游客密度"
    assert text("report_title", "zh", destination="清迈") == "旅游报告：清迈"
    for lang in ("th", "zh"):  # every report text has its translation in the catalogue
        assert translated_keys(lang) == set(TEXTS), sorted(set(TEXTS) - translated_keys(lang))
    assert text("section_density", "xx") == "Visitor density"  # an unknown language falls back to English


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.hostile_fixtures import build_hostile_database

    return build_hostile_database(tmp_path_factory.mktemp("hostile-report") / "hostile.duckdb")


# --- the events section (issue 16: event impact exportable like the rest) ---------------------------------------

YI_PENG = "2025-11-05-yi-peng-and-loy-krathong-2025"


def _events_section(doc: ReportDoc):
    return next(s for s in doc.sections if s.title == text("section_events"))


def _has_colour(png: bytes, rgb: tuple[int, int, int], tolerance: int = 6) -> bool:
    import io

    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        pixels = np.asarray(img.convert("RGB"), dtype=int)
    return bool((np.abs(pixels - np.array(rgb)).max(axis=2) <= tolerance).any())


def test_report_has_each_events_impact_as_the_page_computes_it(report, flows_db: Path) -> None:
    from geo.i18n import format_number
    from geo.render.event_maps import DIVERGING
    from geo.services import events

    _, body, result = report
    section = _events_section(result.doc)
    headings = [b.text for b in section.blocks if isinstance(b, Paragraph) and b.tone == "heading"]
    # the session database's six weeks hold Yi Peng 2025, first by date; then the forecast
    assert headings[0].startswith("Yi Peng and Loy Krathong 2025 · 2025-11-05 – 2025-11-06")
    assert headings[-1] == "Forecast: the next 12 weeks"
    con = connect(flows_db, read_only=True)
    try:
        impact = events.event_impact(con, YI_PENG)
    finally:
        con.close()
    kpis = next(b for b in section.blocks if isinstance(b, KpiTable))
    assert kpis.header[1:3] == ("Event days", "Baseline days")
    visitors, overnight, hours = kpis.rows
    assert visitors.label == "Visitors per day (estimate)"     # estimated people, labelled
    assert visitors.value == format_number(impact.visitors_event, decimals=1)
    assert visitors.previous == format_number(impact.visitors_baseline, decimals=1)
    assert visitors.change == f"{impact.uplift:+.1%}"
    assert overnight.label == "Overnight share" and overnight.change.endswith("pp")
    assert hours.value == ", ".join(f"{h:02d}:00" for h in impact.busiest_hours)
    zones = next(b for b in section.blocks if isinstance(b, Table) and b.title == "Uplift per zone")
    assert len(zones.rows) == len(impact.zones)
    best = impact.zones.sort_values(["in_event", "change"], ascending=[False, False]).iloc[0]
    assert zones.rows[0][-1] == f"{best['uplift']:+.1%}"
    mix = next(b for b in section.blocks if isinstance(b, Table) and b.title == "Origin mix")
    assert {r[0] for r in mix.rows} == {"Domestic", "International", "Residents"}
    # the change map is a picture on the page's diverging scale: both ends of the ramp are drawn
    change_map = next(b for b in section.blocks if isinstance(b, Figure) and b.kind == "png")
    assert change_map.data[:4] == b"\x89PNG"
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in DIVERGING]
    assert _has_colour(change_map.data, rgb[0]) or _has_colour(change_map.data, rgb[1])   # fewer: blue
    assert _has_colour(change_map.data, rgb[-1]) or _has_colour(change_map.data, rgb[-2])  # more: red
    # printed, with the labels an official quotes them with
    for words in ("Yi Peng and Loy Krathong 2025", "Uplift per zone", "minus the baseline days", "Origin mix",
                  "Simulated flows: the effects are the simulator's", "Measure: estimated people"):
        assert words in body, words
    assert "too short for a forecast" in body   # six weeks of data


def test_report_events_chosen_by_id_from_the_command_line(flows_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.pdf"
    father = "2025-12-05-father-s-day-long-weekend-2025"
    assert main(["report", "--out", str(out), "--db", str(flows_db), "--sections", "events", "--events",
                 f"{father},no-such-event", "--quiet"]) == 0
    body = _pdftotext(out)
    assert "Events and forecast" in body and "Father's Day" in body
    assert "Yi Peng and Loy Krathong 2025 ·" not in body and "Overview" not in body
    out2 = tmp_path / "none.pdf"
    assert main(["report", "--out", str(out2), "--db", str(flows_db), "--sections", "events", "--events",
                 "no-such-event", "--quiet"]) == 0
    assert "No event of the calendar with data falls in this period" in _pdftotext(out2)
