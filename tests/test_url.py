"""ui/url.py: the URL form of the shared filters and of page widgets; garbage never raises, notes are plain text."""

from __future__ import annotations

from datetime import date

import pytest

from geo.services.filters import Filters, default_filters
from geo.text import ECHO_LIMIT
from tests.markdown_helpers import shown
from ui import url

FIRST, LAST = date(2025, 11, 1), date(2026, 10, 31)


def test_empty_query_is_the_default_view() -> None:
    parsed = url.from_query({}, FIRST, LAST)
    assert parsed.filters == default_filters(FIRST, LAST) and parsed.notes == ()


def test_round_trip_of_every_filter() -> None:
    f = Filters(start=date(2026, 1, 1), end=date(2026, 1, 31), weekdays=(5, 6), hours=(6, 22),
                segments=("international",), categories=("temple", "market"), zone_level="district")
    q = url.to_query(f, FIRST, LAST)
    assert q == {"start": "2026-01-01", "end": "2026-01-31", "wd": "5,6", "h": "6-22", "seg": "international",
                 "cat": "temple,market", "level": "district"}
    assert url.from_query(q, FIRST, LAST, ("tourism_zone", "district")).filters == f
    assert url.to_query(default_filters(FIRST, LAST), FIRST, LAST) == {}


def test_level_must_be_one_of_the_levels_offered() -> None:
    """Any loaded level name is accepted (an import may name it freely); others fall back with one note."""
    levels = ("tourism_zone", "subdistrict", "watershed_2024")
    chosen = url.from_query({"level": "watershed_2024"}, FIRST, LAST, levels).filters
    assert chosen.zone_level == "watershed_2024"
    parsed = url.from_query({"level": "district"}, FIRST, LAST, levels)
    assert parsed.filters.zone_level == "tourism_zone"
    assert parsed.notes == ("Ignored URL parameter level='district': the zone levels offered are "
                            "tourism_zone, subdistrict, watershed_2024; using the default.",)
    # by default only the tourism zones are offered (public mode, or a database without other levels)
    note = url.from_query({"level": "subdistrict"}, FIRST, LAST).notes[0]
    assert note.startswith("Ignored URL parameter level")


@pytest.mark.parametrize(("key", "raw"), [
    ("wd", "9"), ("wd", "x"), ("wd", "1" * 400), ("h", "22-6"), ("h", "-1-3"), ("h", "1-2-3"), ("seg", "aliens"),
    ("seg", "domestic,domestic,x"), ("cat", "[Session expired - sign in again](https://example.invalid/login)"),
    ("level", "![x](https://example.invalid/p.png)"), ("start", "2026-13-01"), ("start", "x" * 100_000),
    ("end", "1900-01-01"),
])
def test_garbage_falls_back_to_the_default_with_one_note(key: str, raw: str) -> None:
    parsed = url.from_query({key: raw}, FIRST, LAST)
    base = default_filters(FIRST, LAST)
    assert len(parsed.notes) == 1
    note = parsed.notes[0]
    assert note.startswith("Ignored URL parameter") and note.endswith("using the default.")
    assert len(note) < ECHO_LIMIT + 160  # the raw value is cut, never echoed whole
    field = {"wd": "weekdays", "h": "hours", "seg": "segments", "cat": "categories", "level": "zone_level",
             "start": "start", "end": "end"}[key]
    assert getattr(parsed.filters, field) == getattr(base, field)


def test_a_note_shows_the_payload_as_text_not_as_a_link() -> None:
    payload = "[Session expired - sign in again](https://example.invalid/login)"
    note = url.from_query({"cat": payload}, FIRST, LAST).notes[0]
    md = url.note_markdown(note)
    assert "](" not in md and "https://" not in md  # no link or autolink can form
    assert shown(md) == note and payload in note  # the reader sees exactly the plain note


def test_page_param_reads_allowed_values_and_notes_the_rest() -> None:
    p = url.PageParam("top", "fl_top", 20, ("5", "10", "20"), parse=int, why="top is 5, 10 or 20")
    assert p.read({}) == (20, None)
    assert p.read({"top": "10"}) == (10, None)
    value, note = p.read({"top": "7"})
    assert value == 20 and note == "Ignored URL parameter top='7': top is 5, 10 or 20; using the default."
    assert p.url_value(20) is None and p.url_value(10) == "10"


def test_page_param_parse_errors_of_any_kind_fall_back() -> None:
    def overflow(raw: str) -> int:
        raise OverflowError(raw)

    p = url.PageParam("d_cell", "dens_click", None, parse=overflow)
    value, note = p.read({"d_cell": "-1"})
    assert value is None and "d_cell='-1'" in note
    value, note = url.PageParam("q", "pl_q", "", parse=int).read({"q": "y" * 100_000})
    assert value == "" and len(note) < 200


def test_page_param_keeps_the_valid_part_of_a_list() -> None:
    def parse(raw: str) -> list[str] | url.Partial:
        ids = raw.split(",")
        known = [i for i in ids if i in {"a", "b"}]
        return url.Partial(known, ",".join(i for i in ids if i not in {"a", "b"})) if len(known) < len(ids) else known

    p = url.PageParam("route", "fl_route", [], parse=parse, to_url=",".join, why="names no place")
    value, note = p.read({"route": "a,zzz,b"})
    assert value == ["a", "b"] and note == "Ignored part of URL parameter route: 'zzz' names no place."
    assert p.url_value(["a", "b"]) == "a,b" and p.url_value([]) is None


def test_a_page_param_cannot_take_a_shared_filter_key() -> None:
    with pytest.raises(ValueError, match="shared filter key"):
        url.PageParam("cat", "x", "")


# ---------------------------------------------------------------------------------------------------------------
# the public view's month range (ui/public.py draws it; these parse and write its URL form)

MONTHS = tuple(date(2026, m, 1) for m in range(1, 11))


def test_public_months_default_to_the_last_three_and_stay_out_of_the_url() -> None:
    parsed = url.months_from_query({}, MONTHS)
    assert (parsed.filters.start, parsed.filters.end) == (date(2026, 8, 1), date(2026, 10, 31))
    assert parsed.notes == ()
    assert url.months_to_query(parsed.filters, MONTHS) == {}
    assert url.months_from_query({}, MONTHS[:2]).filters.start == date(2026, 1, 1)  # fewer months: all of them


def test_public_months_round_trip_and_read_a_date_as_its_month() -> None:
    parsed = url.months_from_query({"start": "2026-02", "end": "2026-03", "wd": "5,6", "seg": "domestic"}, MONTHS)
    f = parsed.filters
    assert (f.start, f.end, f.weekdays, f.segments) == (date(2026, 2, 1), date(2026, 3, 31), (5, 6), ("domestic",))
    assert url.months_to_query(f, MONTHS) == {"start": "2026-02", "end": "2026-03", "wd": "5,6", "seg": "domestic"}
    whole = url.months_from_query({"start": "2026-02-17", "end": "2026-02-18"}, MONTHS).filters
    assert (whole.start, whole.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert url.month_end(date(2024, 2, 1)) == date(2024, 2, 29) and url.month_end(date(2026, 12, 1)).day == 31


@pytest.mark.parametrize("query", [{"start": "2025-12"}, {"start": "2026-05", "end": "2026-04"}, {"end": "2027-01"},
                                   {"start": "[x](https://example.invalid)"}, {"start": "2026-13"}])
def test_public_months_outside_the_published_ones_fall_back_with_a_note(query) -> None:
    parsed = url.months_from_query(query, MONTHS)
    assert (parsed.filters.start, parsed.filters.end) == (date(2026, 8, 1), date(2026, 10, 31))
    assert len(parsed.notes) == 1 and parsed.notes[0].startswith("Ignored URL parameter start/end=")
