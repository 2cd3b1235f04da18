"""Typed settings for the atlas, each with a documented default and an environment override.

Every option is read here and nowhere else. ``get_settings()`` reads the environment each
call (cheap), so tests isolate settings with ``monkeypatch.setenv``.

| variable | default | meaning |
|---|---|---|
| ``ATLAS_DB`` | ``data/atlas.duckdb`` | DuckDB file the app reads and ``geo build`` writes |
| ``ATLAS_MODE`` | ``officials`` | ``officials`` (all pages) or ``public`` (serves the published file) |
| ``ATLAS_PUBLIC_DB`` | ``data/public.duckdb`` | published file (``geo publish``) the public mode serves |
| ``ATLAS_PRIVACY_FLOOR`` | ``10`` | fewest distinct people behind any published row (``geo publish`` default; public mode refuses a file published with less) |
| ``ATLAS_DUCKDB_THREADS`` | ``2`` | DuckDB worker threads per connection |
| ``ATLAS_DUCKDB_MEMORY`` | ``4GB`` | DuckDB memory limit per connection |
| ``ATLAS_CACHE_TTL`` | ``600`` | seconds a cached service result lives in the app |
| ``ATLAS_TILES`` | ``OpenStreetMap`` | base-map tiles name, or ``none`` for a blank (offline) base |
| ``ATLAS_STATIC_URL`` | ``app/static`` | URL prefix where the app serves Leaflet and plugin assets |
| ``ATLAS_ROUTE_SPEED_KMH`` | ``25`` | assumed average door-to-door speed (km/h) for straight-line route times |
| ``ATLAS_AUTH`` | ``auto`` | officials' sign-in: ``oidc``, ``local``, ``off``; ``auto`` = ``oidc`` when secrets.toml has ``[auth]``, else ``off`` on a loopback address and ``local`` on any other |
| ``ATLAS_USERS_FILE`` | ``~/.config/tourism-atlas/users.json`` | local accounts (argon2 hashes), kept outside the repository |
| ``ATLAS_OIDC_ALLOW`` | (empty) | OIDC: comma-separated e-mail addresses or ``@domain`` entries allowed in (empty: whoever the provider signs in) |
| ``ATLAS_SQL_TIMEOUT`` | ``20`` | seconds a query on the SQL page (and ``geo sql``) may run |
| ``ATLAS_SQL_ROW_LIMIT`` | ``5000`` | most rows the SQL page shows and downloads |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from geo.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
"""Repository root (holds app.py, data/, queries/)."""

Mode = Literal["officials", "public"]

#: Pages (their URL names in app.py's ``PAGES``) served in public mode, from the published file only
#: (``geo publish``, docs/privacy.md): every figure on them is public fact (places, zones) or a sum of
#: published rows, each of at least the privacy floor of distinct people. The Data page (tables, provenance,
#: uploads) is for officials.
PUBLIC_PAGES: frozenset[str] = frozenset({"map", "overview", "density", "flows", "capacity", "places"})
MODES: tuple[str, ...] = ("officials", "public")
#: Officials' sign-in (``ATLAS_AUTH``); ``auto`` is resolved against the bind address and secrets by ui/auth.py.
AUTH_MODES: tuple[str, ...] = ("auto", "oidc", "local", "off")


def _default_users_file() -> Path:
    """``$XDG_CONFIG_HOME/tourism-atlas/users.json`` (``~/.config/...``): outside the repository."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "tourism-atlas" / "users.json"


#: H3 resolution for every hex aggregation. Resolution 8 cells average 0.74 km² (edge ≈ 0.53 km):
#: fine enough to separate Nimman from the Old City and a temple from its neighbouring market,
#: coarse enough that the province (~20,000 km²) is ~27,000 cells and city-scale maps stay small.
H3_RESOLUTION = 8

#: DuckDB storage format of database files the atlas creates. DuckDB's default (v0.10.2, readable by
#: every DuckDB since 0.10) writes strings ~30% slower; duckdb is pinned (pyproject.toml), so files need
#: only be readable by this version and later. Measured in docs/benchmarks.md ("Storage format").
STORAGE_VERSION = "v1.5.0"

#: Chiang Mai province bounding box (lon/lat, WGS84) with a small margin; every seed point lies inside.
PROVINCE_BBOX = (98.03, 17.23, 99.60, 20.15)

#: Map defaults: Chiang Mai old city (Tha Phae Gate area).
MAP_CENTER = (18.7883, 98.9853)
MAP_ZOOM = 12


@dataclass(frozen=True)
class Settings:
    """Every runtime option of the atlas, resolved from the environment."""

    db_path: Path = field(default_factory=lambda: ROOT / "data" / "atlas.duckdb")
    mode: Mode = "officials"
    #: The published file (``python -m geo publish``) public mode serves instead of ``db_path``.
    public_db_path: Path = field(default_factory=lambda: ROOT / "data" / "public.duckdb")
    privacy_floor: int = 10
    duckdb_threads: int = 2
    duckdb_memory: str = "4GB"
    cache_ttl: int = 600
    tiles: str = "OpenStreetMap"
    static_url: str = "app/static"
    seed_dir: Path = field(default_factory=lambda: ROOT / "data" / "seed")
    static_dir: Path = field(default_factory=lambda: ROOT / "static")
    h3_resolution: int = H3_RESOLUTION
    #: Average speed for route times when no road network is imported: 25 km/h is a car or songthaew in
    #: Chiang Mai city traffic, applied to the straight-line distance (so times are optimistic).
    route_speed_kmh: float = 25.0
    #: Largest file the Data page's upload form accepts (MB); the CLI has its own --max-mb (default 200).
    #: Streamlit's own server.maxUploadSize (.streamlit/config.toml) is the outer bound (200 MB).
    upload_max_mb: int = 50
    #: Officials' sign-in mode as configured (``auto`` until ui/auth.py resolves it).
    auth: str = "auto"
    users_file: Path = field(default_factory=_default_users_file)
    #: OIDC: who may come in (e-mail addresses, ``@domain`` entries); empty = whoever the provider accepts.
    oidc_allow: tuple[str, ...] = ()
    #: Read-only SQL (SQL page, ``geo sql``): time limit in seconds and most rows returned.
    sql_timeout_s: int = 20
    sql_row_limit: int = 5000

    @property
    def duckdb_memory_bytes(self) -> int:
        """``duckdb_memory`` in bytes, as DuckDB reads it (MB and GB are powers of 1000)."""
        return int(float(self.duckdb_memory[:-2]) * (10**6 if self.duckdb_memory[-2:].upper() == "MB" else 10**9))

    @property
    def is_public(self) -> bool:
        """True when the app runs as the hosted read-only public view."""
        return self.mode == "public"

    @property
    def served_db(self) -> Path:
        """The file the app opens: the published file in public mode, the officials' database otherwise."""
        return self.public_db_path if self.is_public else self.db_path

    def serves_page(self, name: str) -> bool:
        """True when the page ``name`` (its URL name in app.py) is served in this mode (officials: every page;
        public: ``PUBLIC_PAGES``)."""
        return not self.is_public or name in PUBLIC_PAGES


def _int_env(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        msg = f"{name} must be a whole number, got {raw!r}"
        raise ConfigError(msg) from None
    if value < minimum:
        msg = f"{name} must be at least {minimum}, got {value}"
        raise ConfigError(msg)
    return value


def _path_env(name: str, default: Path) -> Path:
    raw = os.environ.get(name, "").strip()
    path = Path(raw) if raw else default
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def get_settings() -> Settings:
    """Resolve settings from the environment; raise ``ConfigError`` with the variable name on bad values."""
    mode = os.environ.get("ATLAS_MODE", "officials").strip().lower() or "officials"
    if mode not in MODES:
        msg = f"ATLAS_MODE must be one of {', '.join(MODES)}, got {mode!r}"
        raise ConfigError(msg)
    db_path = _path_env("ATLAS_DB", ROOT / "data" / "atlas.duckdb")
    public_db_path = _path_env("ATLAS_PUBLIC_DB", ROOT / "data" / "public.duckdb")
    memory = os.environ.get("ATLAS_DUCKDB_MEMORY", "4GB").strip() or "4GB"
    if not memory[:-2].replace(".", "", 1).isdigit() or memory[-2:].upper() not in ("MB", "GB"):
        msg = f"ATLAS_DUCKDB_MEMORY must look like '512MB' or '4GB', got {memory!r}"
        raise ConfigError(msg)
    auth = os.environ.get("ATLAS_AUTH", "auto").strip().lower() or "auto"
    if auth not in AUTH_MODES:
        msg = f"ATLAS_AUTH must be one of {', '.join(AUTH_MODES)}, got {auth!r}"
        raise ConfigError(msg)
    users = os.environ.get("ATLAS_USERS_FILE", "").strip()
    users_file = Path(users).expanduser() if users else _default_users_file()
    if not users_file.is_absolute():
        users_file = (Path.cwd() / users_file).resolve()
    if users_file.resolve().is_relative_to(ROOT):
        msg = f"ATLAS_USERS_FILE must lie outside the repository ({ROOT}), got {users_file}"
        raise ConfigError(msg)
    return Settings(
        db_path=db_path,
        mode=mode,
        public_db_path=public_db_path,  # type: ignore[arg-type]
        privacy_floor=_int_env("ATLAS_PRIVACY_FLOOR", 10, minimum=1),
        duckdb_threads=_int_env("ATLAS_DUCKDB_THREADS", 2, minimum=1),
        duckdb_memory=memory,
        cache_ttl=_int_env("ATLAS_CACHE_TTL", 600, minimum=0),
        tiles=os.environ.get("ATLAS_TILES", "OpenStreetMap").strip() or "OpenStreetMap",
        static_url=os.environ.get("ATLAS_STATIC_URL", "app/static").strip().strip("/") or "app/static",
        route_speed_kmh=float(_int_env("ATLAS_ROUTE_SPEED_KMH", 25, minimum=1)),
        upload_max_mb=min(_int_env("ATLAS_UPLOAD_MAX_MB", 50, minimum=1), 200),
        auth=auth,
        users_file=users_file,
        oidc_allow=tuple(a.strip().lower() for a in os.environ.get("ATLAS_OIDC_ALLOW", "").split(",") if a.strip()),
        sql_timeout_s=_int_env("ATLAS_SQL_TIMEOUT", 20, minimum=1),
        sql_row_limit=_int_env("ATLAS_SQL_ROW_LIMIT", 5000, minimum=1),
    )
