"""An official adds an event to the calendar (or removes one they added): `python -m geo event` and the Events page.

The row goes into the ``events`` table of the officials' database (``geo.build.events``), so every page and
export sees it at once and a rebuild carries it over. The write is one transaction on a writable
connection; the caller closes its read-only connections to the file first (DuckDB keeps one instance per
file in a process).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from geo import sql
from geo.build.events import Event, check_event, insert_event, known_zones
from geo.db import connect
from geo.errors import DatabaseMissingError, EventError
from geo.i18n import _
from geo.settings import Settings, get_settings


def _writable(db_path: Path | str | None, settings: Settings | None):
    settings = settings or get_settings()
    path = Path(db_path) if db_path is not None else settings.db_path
    if not path.is_file():
        msg = _("No atlas database at {path}. Build it with `make build` first.").format(path=str(path))
        raise DatabaseMissingError(msg)
    return connect(path, "officials", read_only=False, settings=settings)


def add_event(
    name: str, start_day: date, end_day: date, zones: tuple[str, ...] | list[str] = (), *, note: str = "",
    db_path: Path | str | None = None, settings: Settings | None = None,
) -> Event:
    """Check and store an official's event; returns it. Raises ``EventError`` (nothing written) when it is invalid
    or an event with the same id (start date and name) exists already."""
    con = _writable(db_path, settings)
    try:
        event = check_event(name, start_day, end_day, tuple(zones), known_zones(con), note=note)
        sql.execute(con, "schema/create_events")
        if sql.execute(con, "build/event_exists", {"event_id": event.event_id}).fetchone()[0]:
            msg = _("An event {id} exists already; choose another name or remove it first.").format(id=event.event_id)
            raise EventError(msg)
        insert_event(con, event)
        con.execute("checkpoint")
    finally:
        con.close()
    return event


def remove_event(event_id: str, *, db_path: Path | str | None = None, settings: Settings | None = None) -> None:
    """Remove an event an official added. Raises ``EventError`` for an unknown id or a calendar festival."""
    con = _writable(db_path, settings)
    try:
        sql.execute(con, "schema/create_events")
        gone = sql.execute(con, "build/delete_official_event", {"event_id": event_id}).fetchall()
        if not gone:
            msg = _("No event {id} added by an official; `python -m geo event list` shows the ids (calendar "
                    "festivals come from data/seed/calendar.csv and cannot be removed here).").format(id=event_id)
            raise EventError(msg)
        con.execute("checkpoint")
    finally:
        con.close()
