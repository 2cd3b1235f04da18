"""Import problems in the reader's language: the same checks give English reasons by default (the CLI, every
other ingest test) and Thai or Chinese ones when the context's language is set (the Data page)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import h3
import pytest

from geo.errors import ImportRefusedError
from geo.i18n import using_language
from geo.ingest import fields, read, validate
from geo.ingest.model import SQL_REASONS, Problem, action_label, kind_text, match_sql_reason, reason_text
from geo.ingest.run import ImportOptions, ImportReport, import_file
from tests.test_ingest_validate import AREA, GOOD, _table

THAI = re.compile(r"[\u0E00-\u0E7F]")
HAN = re.compile(r"[\u4E00-\u9FFF]")


def _check(rows: list[dict]) -> validate.Checked:
    table = _table(rows)
    fm = fields.resolve(list(table.frame.columns), "places")
    return validate.check_places(table, fm, validate.Options(area=AREA))


BAD_ROWS = [GOOD, {**GOOD, "name": "", "name_th": ""}, {**GOOD, "name": "Casino", "type": "casino"},
            {**GOOD, "name": "Far", "latitude": "13.75", "longitude": "100.50"}]


def test_row_reasons_are_english_by_default() -> None:
    reasons = [p.reason for p in _check(BAD_ROWS).problems]
    assert any(r.startswith("missing name:") for r in reasons)
    assert any(r.startswith("unknown category: 'casino'") for r in reasons)
    assert any(r.startswith("outside the destination: (13.75000, 100.50000)") for r in reasons)


@pytest.mark.parametrize(("lang", "script"), [("th", THAI), ("zh", HAN)])
def test_row_reasons_follow_the_language(lang: str, script: re.Pattern[str]) -> None:
    with using_language(lang):
        checked = _check(BAD_ROWS)
    english = [p.reason for p in _check(BAD_ROWS).problems]
    reasons = [p.reason for p in checked.problems]
    assert len(reasons) == len(english) >= 3
    for reason, source in zip(reasons, english, strict=True):
        assert script.search(reason), (reason, source)
        assert not reason.startswith(source.split(":")[0])  # the kind is translated, not only the details
    assert any("'casino'" in r for r in reasons)  # values from the file are shown as they are
    assert any("13.75000" in r for r in reasons)


@pytest.mark.parametrize(("lang", "script"), [("th", THAI), ("zh", HAN)])
def test_a_refused_file_says_why_in_the_language(tmp_path: Path, lang: str, script: re.Pattern[str]) -> None:
    bad = tmp_path / "zones.geojson"
    bad.write_text("var zones = {};", encoding="utf-8")
    with using_language(lang), pytest.raises(ImportRefusedError) as err:
        read.read_table(bad)
    assert script.search(str(err.value)) and "`var zones =`" in str(err.value)
    with pytest.raises(ImportRefusedError) as err_en:
        read.read_table(bad)
    assert "this is JavaScript" in str(err_en.value)


def test_sql_reasons_and_actions_are_translated_when_read_back() -> None:
    with using_language("th"):
        assert THAI.search(reason_text("unknown segment: Mars"))
        assert reason_text("unknown segment: Mars").endswith(": Mars")
        assert THAI.search(reason_text("missing device: the device id is empty"))
        assert THAI.search(kind_text("time in the future")) and THAI.search(action_label("rejected"))
        assert reason_text("something else: x") == "something else: x"
        assert THAI.search(str(Problem(4, "lat", "x", "rejected")))
    assert reason_text("unknown segment: Mars") == "unknown segment: Mars"
    assert action_label("rejected") == "rejected"


def test_the_summary_counts_translated_kinds_in_the_language() -> None:
    with using_language("zh"):
        checked = _check(BAD_ROWS)
        report = ImportReport(name="t.csv", layer="places", format="csv", level=None, rows_read=4, accepted=2,
                              repaired=0, rejected=2, warnings=1, problems=checked.problems)
        lines = report.summary_lines()
    assert any(HAN.search(line) for line in lines[2:]), lines


# --- every reason the SQL checks write, worded whole in the reader's language -------------------------------

CELL = h3.latlng_to_cell(18.7877, 98.9931, 8)  # Old City, one of the atlas's cells
BAD_FILES = {
    "pings": ("device_id;timestamp;lat;lon;segment\n"
              "a1;2025-11-02 08:00:00;18.7886;98.9814;resident\n"
              "b2;02/11/2025 09:00;98.9901;18.7999;international:cn\n"      # swapped
              "b2;2025-11-02 09:30:00;13.75;100.5;international:CN\n"       # outside the box
              "c3;1969-12-31 23:00:00;18.79;98.98;resident\n"
              "c3;2999-01-01 00:00:00;18.79;98.98;resident\n"
              "c3;2025-11-02 10:00:00;18.79;200.0;resident\n"
              "c3;2025-11-02 10:00:00;18.79;x;resident\n"
              "c3;2025-11-02 10:00:00;18.79;98.98;tourist\n"
              ";2025-11-02 10:00:00;18.79;98.98;resident\n"
              "d4;;18.79;98.98;resident\n"),
    "visits": ("hour,cell,segment,visitor_type,visitors,dwell_minutes\n"
               f"2025-11-03 08:00,{CELL},resident,,3,\n"
               f"2025-11-03 09:30,{CELL},resident,,3,\n"                     # inside the hour: repaired
               f"yesterday,{CELL},resident,,3,\n"
               f"1969-12-31 23:00,{CELL},resident,,3,\n"
               f"2999-01-01 00:00,{CELL},resident,,3,\n"
               "2025-11-03 10:00,,resident,,3,\n"
               "2025-11-03 10:00,zzz,resident,,3,\n"
               f"2025-11-03 10:00,{h3.latlng_to_cell(18.7877, 98.9931, 7)},resident,,3,\n"
               f"2025-11-03 10:00,{h3.latlng_to_cell(13.75, 100.5, 8)},resident,,3,\n"
               f"2025-11-03 11:00,{CELL},aliens,,3,\n"
               f"2025-11-03 11:00,{CELL},resident,martian,3,\n"
               f"2025-11-03 11:00,{CELL},resident,,abc,\n"
               f"2025-11-03 11:00,{CELL},resident,,-1,\n"
               f"2025-11-03 11:00,{CELL},resident,,1.5,\n"
               f"2025-11-03 11:00,{CELL},resident,,99999999999,\n"
               f"2025-11-03 11:00,{CELL},resident,,3,abc\n"
               f"2025-11-03 11:00,{CELL},resident,,3,-5\n"
               f"2025-11-03 08:00,{CELL},resident,,4,\n"),                    # duplicate key
    "trips": ("day,origin,destination,segment,visitor_type,trips\n"
              "2025-11-03,old_city,nimman,resident,,3\n"
              "someday,old_city,nimman,resident,,3\n"
              "1969-12-31,old_city,nimman,resident,,3\n"
              "3000-01-01,old_city,nimman,resident,,3\n"
              "2025-11-03,,nimman,resident,,3\n"
              "2025-11-03,old_city,,resident,,3\n"
              "2025-11-03,Atlantis,nimman,resident,,3\n"
              "2025-11-03,old_city,Atlantis,resident,,3\n"
              "2025-11-03,old_city,nimman,aliens,,3\n"
              "2025-11-03,old_city,nimman,resident,martian,3\n"
              "2025-11-03,old_city,nimman,resident,,abc\n"
              "2025-11-03,old_city,nimman,resident,,-3\n"
              "2025-11-03,old_city,nimman,resident,,1.5\n"
              "2025-11-03,old_city,nimman,resident,,99999999999\n"
              "2025-11-03,old_city,nimman,resident,,4\n"),                   # duplicate key
}


def _fixed_runs(template: str) -> list[str]:
    """The template's own text between placeholders, as runs of 3+ words a translation must not keep."""
    return [part.strip(" ;:,()") for part in re.split(r"\{\w+\}", template)
            if len(re.findall(r"[A-Za-z]+", part)) >= 3]


@pytest.mark.parametrize("layer", sorted(BAD_FILES))
def test_every_sql_reason_is_a_template_and_is_worded_whole_in_thai_and_chinese(
        atlas_db: Path, tmp_path: Path, layer: str) -> None:
    db = tmp_path / "atlas.duckdb"
    shutil.copy2(atlas_db, db)
    src = tmp_path / f"{layer}.csv"
    src.write_text(BAD_FILES[layer], encoding="utf-8")
    options = ImportOptions(layer=layer, dry_run=True)
    english = [p for p in import_file(src, options, db).problems if p.row is not None]
    assert len(english) >= 8
    templates = []
    for problem in english:
        matched = match_sql_reason(problem.reason)
        assert matched is not None, f"no template in SQL_REASONS for {problem.reason!r}: keep the two in step"
        templates.append(matched[0])
        assert reason_text(problem.reason) == problem.reason  # English: unchanged, byte for byte
    for lang, script in (("th", THAI), ("zh", HAN)):
        with using_language(lang):
            translated = [p for p in import_file(src, options, db).problems if p.row is not None]
        assert [p.row for p in translated] == [p.row for p in english]
        for problem, source, template in zip(translated, english, templates, strict=True):
            assert script.search(problem.reason), (lang, source.reason)
            for run in _fixed_runs(template):
                assert run not in problem.reason, (lang, problem.reason)


def test_the_reason_templates_are_distinct_and_a_value_from_the_file_is_kept_as_it_is() -> None:
    assert len(set(SQL_REASONS)) == len(SQL_REASONS)
    reason = "unknown segment: {x}; use resident, domestic[:Province] or international[:ISO country code]"
    assert reason_text(reason) == reason
    with using_language("zh"):
        assert "{x}" in reason_text(reason) and HAN.search(reason_text(reason))
        assert HAN.search(reason_text("unreadable time: (empty)"))
        assert "(empty)" not in reason_text("unreadable time: (empty)")
