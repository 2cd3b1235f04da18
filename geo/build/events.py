"""The event calendar in the database: the seed calendar's festivals and the events officials add.

``events`` holds one row per event window (``queries/schema/create_events.sql``). A build fills it from the
festival rows of ``data/seed/calendar.csv`` (rows with the same name and dates are one event: the calendar
gives a festival extra rows that shift its origin mix or overnight share) with the zones of the venues
``data/seed/event_effects.csv`` names, and carries over the events officials added to the database it
replaces. ``check_event`` is the one validation both the CLI and the Events page's form go through
(``geo.ingest.events``).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from geo import sql
from geo.db import connect
from geo.errors import EventError
from geo.i18n import _

#: Longest event an official may add (days): a baseline of the same weekdays around it needs data around it.
MAX_EVENT_DAYS = 31
#: Longest name and note kept.
MAX_NAME = 120
MAX_NOTE = 500
SOURCES = ("calendar", "official")
_UNSAFE = re.compile(r"[^a-z0-9]+")
_PAREN = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Event:
    """One event window: local days ``start_day``..``end_day`` inclusive, held in ``zones`` ([] = city-wide)."""

    event_id: str
    name: str
    start_day: date
    end_day: date
    zones: tuple[str, ...] = ()
    applies_to: str = "all"
    source: str = "official"
    note: str = ""


def event_id(name: str, start_day: date) -> str:
    """A stable id: the start date and the name's ASCII words (``2026-04-13-songkran-2026``)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = _UNSAFE.sub("-", folded).strip("-")[:60].strip("-")
    return f"{start_day:%Y-%m-%d}-{words or 'event'}"


def check_event(name: str, start_day: date, end_day: date, zones: tuple[str, ...] | list[str], known_zones: set[str],
                *, note: str = "") -> Event:
    """An official's event, checked: a name, start <= end, at most ``MAX_EVENT_DAYS`` days, known zones.

    Raises ``EventError`` with what to change.
    """
    name = " ".join(str(name).split())
    if not name:
        raise EventError(_("Give the event a name."))
    if len(name) > MAX_NAME:
        raise EventError(_("The event name is longer than {n} characters; shorten it.").format(n=MAX_NAME))
    if end_day < start_day:
        raise EventError(_("The event ends ({end}) before it starts ({start}); swap the dates.").format(
            end=end_day.isoformat(), start=start_day.isoformat()))
    days = (end_day - start_day).days + 1
    if days > MAX_EVENT_DAYS:
        raise EventError(_("The event lasts {days} days; at most {n} are allowed (split a longer season into "
                           "events).").format(days=days, n=MAX_EVENT_DAYS))
    clean = tuple(dict.fromkeys(z.strip() for z in zones if z and z.strip()))
    unknown = [z for z in clean if z not in known_zones]
    if unknown:
        raise EventError(_("Unknown zone {zones}; use tourism zone ids ({known}).").format(
            zones=", ".join(unknown), known=", ".join(sorted(known_zones))))
    return Event(event_id(name, start_day), name, start_day, end_day, clean, "all", "official",
                 " ".join(str(note).split())[:MAX_NOTE])


def calendar_events(seed_dir: Path, place_zones: dict[str, str]) -> list[Event]:
    """The festivals of ``seed_dir/calendar.csv`` as events (one per name and dates), zoned by their venues."""
    path = seed_dir / "calendar.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("kind") == "festival"]
    venues: list[tuple[str, tuple[str, ...]]] = []
    effects = seed_dir / "event_effects.csv"
    if effects.is_file():
        with effects.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                zones = (place_zones.get(p.strip()) for p in r.get("places", "").split("|"))
                venues.append((r["event"], tuple(dict.fromkeys(z for z in zones if z))))
    events: dict[tuple[str, str, str], Event] = {}
    for r in rows:
        key = (r["name"], r["date_from"], r["date_to"])
        applies = r.get("applies_to") or "all"
        if key in events:
            if applies == "all":  # the festival's own row names who it is for; the others shift its mix
                events[key] = Event(**{**events[key].__dict__, "applies_to": "all"})
            continue
        start, end = date.fromisoformat(r["date_from"]), date.fromisoformat(r["date_to"])
        short = _PAREN.sub("", r["name"]).strip() or r["name"]
        zones = next((z for prefix, z in venues if r["name"].startswith(prefix)), ())
        events[key] = Event(event_id(short, start), short, start, end, zones, applies, "calendar", r["name"])
    return sorted(events.values(), key=lambda e: (e.start_day, e.event_id))


def insert_event(con: duckdb.DuckDBPyConnection, event: Event) -> None:
    """Write ``event`` (replacing a row with the same id); creates the table in a database built before it."""
    sql.execute(con, "schema/create_events")
    sql.execute(con, "build/insert_event", {
        "event_id": event.event_id, "name": event.name, "start_day": event.start_day, "end_day": event.end_day,
        "zones": list(event.zones), "applies_to": event.applies_to, "source": event.source, "note": event.note,
        "added_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    })


def seed_events(con: duckdb.DuckDBPyConnection, seed_dir: Path) -> int:
    """Create ``events`` and fill it with the seed calendar's festivals; returns how many."""
    sql.execute(con, "schema/create_events")
    place_zones = {r["place_id"]: r["zone_id"] for r in sql.fetch_df(con, "build/place_zones").to_dict("records")
                   if isinstance(r["zone_id"], str)}
    events = calendar_events(seed_dir, place_zones)
    for event in events:
        insert_event(con, event)
    return len(events)


def known_zones(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tourism zone ids an event may name."""
    return set(sql.fetch_df(con, "build/zone_ids")["zone_id"])


def has_events(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the open database has an ``events`` table."""
    return bool(sql.execute(con, "build/table_exists", {"name": "events"}).fetchone()[0])


def carry_events(con: duckdb.DuckDBPyConnection, previous: Path) -> str | None:
    """Copy the officials' events of the database at ``previous`` into ``con``; a line for the build report."""
    if not previous.is_file():
        return None
    try:
        old = connect(previous, "officials", read_only=True)
    except Exception as exc:  # an unreadable old file must not stop a rebuild
        return f"the events officials added to the previous {previous.name} could not be read ({exc}); add them again"
    try:
        if not has_events(old):
            return None
        rows = sql.fetch_df(old, "build/official_events").to_dict("records")
    finally:
        old.close()
    for r in rows:
        insert_event(con, Event(r["event_id"], r["name"], _day(r["start_day"]), _day(r["end_day"]),
                                tuple(r["zones"]), r["applies_to"], "official", r["note"] or ""))
    return f"events officials added kept from the previous database: {len(rows)}" if rows else None


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]
