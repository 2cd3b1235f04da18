"""Local officials' accounts: a JSON file of argon2 password hashes, and the sign-in attempt limiter.

The file lives outside the repository (``ATLAS_USERS_FILE``, default ``~/.config/tourism-atlas/users.json``)
and holds only names and argon2id hashes (``argon2-cffi``)::

    {"version": 1, "users": {"somchai": {"hash": "$argon2id$v=19$...", "created": "2026-12-01T08:00:00+00:00"}}}

It is written atomically (a temporary file in the same folder, fsync, rename) with mode 0600 in a folder
of mode 0700, and refused when anyone but its owner may write it (someone who can write it can add an
account). ``python -m geo user add|remove|list`` manages it; the app only reads it (and re-hashes a
password on sign-in when the hashing parameters were raised).

``SignInLimiter`` counts failed sign-ins in the server process (one Streamlit server is one process, so
an in-process store sees every attempt; it starts empty after a restart): too many failures for one
name from one client, or from one client over any names, lock further attempts for a while.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import AccountError, ConfigError

#: Account names: what officials type; lower-cased, so "Somchai" and "somchai" are one account.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
#: Shortest password ``user add`` accepts.
MIN_PASSWORD_LENGTH = 10
#: Longest password checked (argon2 takes any length; this bounds the work one attempt can ask for).
MAX_PASSWORD_LENGTH = 1024
FILE_VERSION = 1


def normalise_name(name: str) -> str:
    """The stored form of an account name (trimmed, lower-case); ``AccountError`` when it is not allowed."""
    clean = name.strip().lower()
    if not NAME_PATTERN.match(clean):
        msg = ("account names are 1 to 64 characters: letters, digits and . _ @ - "
               f"(starting with a letter or digit), got {name[:80]!r}")
        raise AccountError(msg)
    return clean


@dataclass(frozen=True)
class Account:
    """One local account: its name, argon2 hash and creation time (ISO 8601, UTC)."""

    name: str
    hash: str
    created: str


class UserStore:
    """The local accounts file: read, add, remove, verify. Every write replaces the whole file atomically."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = Path(path)
        self.hasher = hasher or PasswordHasher()
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None

    # -- reading ---------------------------------------------------------------------------------------
    def _check_permissions(self) -> None:
        """Refuse a file that others may write (they could add an account) or that is not a regular file."""
        info = self.path.stat()
        if not stat.S_ISREG(info.st_mode):
            msg = f"ATLAS_USERS_FILE {self.path} is not a regular file"
            raise ConfigError(msg)
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            msg = (f"the accounts file {self.path} may be written by other users (mode "
                   f"{stat.S_IMODE(info.st_mode):o}); make it private: chmod 600 {self.path}")
            raise ConfigError(msg)

    def load(self) -> dict[str, Account]:
        """Every account by name; an empty dict when the file does not exist yet."""
        if not self.path.exists():
            return {}
        self._check_permissions()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            users = data["users"]
            if data.get("version") != FILE_VERSION or not isinstance(users, dict):
                raise ValueError
            return {name: Account(name, str(u["hash"]), str(u.get("created", "")))
                    for name, u in users.items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            msg = (f"the accounts file {self.path} is not a Tourism Atlas accounts file (version {FILE_VERSION}); "
                   "fix or remove it, then add accounts with `python -m geo user add NAME`")
            raise ConfigError(msg) from None

    def names(self) -> list[str]:
        """Account names, sorted."""
        return sorted(self.load())

    # -- writing ---------------------------------------------------------------------------------------
    def _write(self, accounts: dict[str, Account]) -> None:
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
        payload = {"version": FILE_VERSION,
                   "users": {a.name: {"hash": a.hash, "created": a.created}
                             for a in sorted(accounts.values(), key=lambda a: a.name)}}
        fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=folder)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, indent=2, ensure_ascii=False)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _check_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            msg = f"passwords are at least {MIN_PASSWORD_LENGTH} characters"
            raise AccountError(msg)
        if len(password) > MAX_PASSWORD_LENGTH:
            msg = f"passwords are at most {MAX_PASSWORD_LENGTH} characters"
            raise AccountError(msg)

    def add(self, name: str, password: str, *, replace: bool = False) -> Account:
        """Add ``name`` (or set a new password with ``replace=True``); returns the stored account."""
        name = normalise_name(name)
        self._check_password(password)
        with self._lock:
            accounts = self.load()
            if name in accounts and not replace:
                msg = f"account {name!r} exists already; use --replace to set a new password"
                raise AccountError(msg)
            account = Account(name, self.hasher.hash(password), datetime.now(UTC).isoformat(timespec="seconds"))
            accounts[name] = account
            self._write(accounts)
        return account

    def remove(self, name: str) -> None:
        """Remove ``name``; ``AccountError`` when there is no such account."""
        name = normalise_name(name)
        with self._lock:
            accounts = self.load()
            if name not in accounts:
                msg = f"no account {name!r} in {self.path}"
                raise AccountError(msg)
            del accounts[name]
            self._write(accounts)

    # -- checking --------------------------------------------------------------------------------------
    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("not a password: equalises the time of an unknown name")
        return self._dummy_hash

    def verify(self, name: str, password: str) -> str | None:
        """The account name when ``password`` is right for ``name``, else None.

        An unknown or malformed name costs the same argon2 verification as a known one, so the time taken
        does not tell whether a name exists. A hash made with older parameters is re-hashed and stored.
        """
        try:
            clean = normalise_name(name)
        except AccountError:
            clean = ""
        account = self.load().get(clean) if clean else None
        if len(password) > MAX_PASSWORD_LENGTH:
            password = password[:MAX_PASSWORD_LENGTH + 1]  # still wrong, bounded work
        try:
            self.hasher.verify(account.hash if account else self._dummy(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if account is None:
            return None
        if self.hasher.check_needs_rehash(account.hash):
            try:
                self.add(clean, password, replace=True)
            except (AccountError, OSError):
                pass  # the sign-in stands; the old hash stays until the file can be written
        return clean


@dataclass(frozen=True)
class LimiterPolicy:
    """How many failures, in what window, lock sign-in for how long."""

    #: Failures for one name from one client within the window that lock that pair.
    per_name: int = 5
    #: Failures from one client over any names within the window that lock the client.
    per_client: int = 20
    window_s: float = 300.0
    lock_s: float = 300.0


class SignInLimiter:
    """Failed sign-in attempts in this process, keyed by (name, client) and by client; thread-safe."""

    def __init__(self, policy: LimiterPolicy | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or LimiterPolicy()
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._locked_until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _keys(self, name: str, client: str) -> list[tuple[tuple[str, str], int]]:
        return [((name.strip().lower()[:64], client), self.policy.per_name), (("", client), self.policy.per_client)]

    def seconds_locked(self, name: str, client: str) -> float:
        """Seconds until ``name`` may try again from ``client`` (0 when it may try now)."""
        now = self.clock()
        with self._lock:
            waits = [self._locked_until.get(key, 0.0) - now for key, _ in self._keys(name, client)]
        return max(0.0, *waits)

    def record_failure(self, name: str, client: str) -> None:
        """Count a failed attempt; lock the pair or the client once its failures reach the limit."""
        now = self.clock()
        with self._lock:
            for key, limit in self._keys(name, client):
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while times and times[0] <= now - self.policy.window_s:
                    times.popleft()
                if len(times) >= limit:
                    self._locked_until[key] = now + self.policy.lock_s
                    times.clear()
            self._prune(now)

    def record_success(self, name: str, client: str) -> None:
        """Forget the failures of ``name`` from ``client`` (the client's own count stays)."""
        with self._lock:
            key = self._keys(name, client)[0][0]
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)

    def _prune(self, now: float) -> None:
        """Drop expired entries so the store stays small under a spray of names."""
        if len(self._failures) + len(self._locked_until) < 10_000:
            return
        for key in [k for k, t in self._locked_until.items() if t <= now]:
            del self._locked_until[key]
        for key in [k for k, d in self._failures.items() if not d or d[-1] <= now - self.policy.window_s]:
            del self._failures[key]
