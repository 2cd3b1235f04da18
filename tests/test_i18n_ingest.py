"""Import problems in the reader's language: the same checks give English reasons by default (the CLI, every
other ingest test) and Thai or Chinese ones when the context's language is set (the Data page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.errors import ImportRefusedError
from geo.i18n import using_language
from geo.ingest import fields, read, validate
from geo.ingest.model import Problem, action_label, kind_text, reason_text
from geo.ingest.run import ImportReport
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
