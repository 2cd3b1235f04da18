"""Exceptions with messages a user can act on; pages turn them into ``st.error``."""

from __future__ import annotations


class AtlasError(Exception):
    """Base class for every error the atlas raises on purpose."""


class ConfigError(AtlasError, ValueError):
    """A setting (environment variable or CLI option) has a value the atlas cannot use."""


class DatabaseMissingError(AtlasError, FileNotFoundError):
    """The DuckDB file the app was pointed at does not exist yet."""


class DatabaseUnreadableError(AtlasError, OSError):
    """The file the app was pointed at exists but is not a DuckDB database the atlas can open."""


class SpatialExtensionError(AtlasError, RuntimeError):
    """DuckDB's spatial extension could not be loaded from the installed wheel."""


class QueryNotFoundError(AtlasError, KeyError):
    """A query name does not match a ``.sql`` file under ``queries/``."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class QueryParameterError(AtlasError, ValueError):
    """Parameters passed to a query do not match the named parameters it declares."""


class SeedDataError(AtlasError, ValueError):
    """A seed or import file failed validation; the message names the file, row and reason."""


class BuildError(AtlasError, RuntimeError):
    """A database build failed; the previous database was left untouched."""


class FilterError(AtlasError, ValueError):
    """A filter value (from a widget or the URL) is outside what the data allows."""


class DataNotBuiltError(AtlasError, LookupError):
    """A table a page needs (flows or a rollup) is not in the database; rebuild it with flows."""


class FlowDataError(AtlasError, ValueError):
    """Flow rows (stays, visits, presence, trips) that refer to zones, places or types the atlas lacks."""


class ImportRefusedError(AtlasError, ValueError):
    """An import could not be done; the database is unchanged. ``problems`` lists every reason found
    (``geo.ingest.model.Problem``: row, field, reason), the message says the first few."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class AccountError(AtlasError, ValueError):
    """A local account cannot be added, changed or removed as asked (bad name, short password, unknown name)."""


class SqlRejectedError(AtlasError, ValueError):
    """A read-only SQL query was refused (not a single read statement) or failed; the message says why."""


class SqlTimeoutError(AtlasError, TimeoutError):
    """A read-only SQL query ran past its time limit and was interrupted."""


class PublishError(AtlasError, RuntimeError):
    """Publishing the public file failed; the previous published file was left untouched."""


class NotPublishedError(AtlasError, ValueError):
    """Public mode was pointed at a file that is not a published file it may serve (private tables in it, or
    published with a lower privacy floor than the server requires)."""


class EventError(AtlasError, ValueError):
    """An event cannot be added or removed as asked (no name, end before start, too long, unknown zone or id)."""
