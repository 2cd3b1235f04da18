"""Local accounts (geo/accounts.py): the users file, argon2 verification, the attempt limiter, ``geo user``."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from geo.__main__ import main
from geo.accounts import LimiterPolicy, SignInLimiter, UserStore, normalise_name
from geo.errors import AccountError, ConfigError

#: Cheap argon2 parameters: the tests check behaviour, not the cost.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    return UserStore(tmp_path / "conf" / "users.json", hasher=FAST)


def test_add_writes_a_private_file_with_argon2id_hashes_only(store: UserStore) -> None:
    store.add("Somchai", PASSWORD)
    mode = stat.S_IMODE(store.path.stat().st_mode)
    assert mode == 0o600 and stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert list(data["users"]) == ["somchai"] and data["version"] == 1
    assert data["users"]["somchai"]["hash"].startswith("$argon2id$")
    assert PASSWORD not in store.path.read_text(encoding="utf-8")
    assert [p.name for p in store.path.parent.iterdir()] == ["users.json"]  # no temporary file left


def test_verify_accepts_the_password_and_nothing_else(store: UserStore) -> None:
    store.add("somchai", PASSWORD)
    assert store.verify("somchai", PASSWORD) == "somchai"
    assert store.verify(" SomChai ", PASSWORD) == "somchai"
    assert store.verify("somchai", PASSWORD + " ") is None
    assert store.verify("somchai", "") is None
    assert store.verify("nobody", PASSWORD) is None
    assert store.verify("../../etc/passwd", PASSWORD) is None
    assert store.verify("somchai", "x" * 100_000) is None


def test_unknown_names_cost_an_argon2_verification_too(tmp_path: Path) -> None:
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash)
            return super().verify(hash, password)

    store = UserStore(tmp_path / "users.json", hasher=Counting(time_cost=1, memory_cost=8, parallelism=1))
    store.add("somchai", PASSWORD)
    store.verify("nobody", PASSWORD)
    store.verify("not a valid name!", PASSWORD)
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_add_refuses_duplicates_short_passwords_and_bad_names(store: UserStore) -> None:
    store.add("somchai", PASSWORD)
    with pytest.raises(AccountError, match="exists already"):
        store.add("SOMCHAI", PASSWORD)
    store.add("somchai", "another long password", replace=True)
    assert store.verify("somchai", "another long password") == "somchai"
    with pytest.raises(AccountError, match="at least 10"):
        store.add("malee", "short")
    for bad in ("", "a b", "-x", "x" * 65, "ชื่อ", "a/b"):
        with pytest.raises(AccountError):
            normalise_name(bad)


def test_remove_and_list(store: UserStore) -> None:
    assert store.names() == []  # no file yet
    store.add("malee", PASSWORD)
    store.add("somchai", PASSWORD)
    assert store.names() == ["malee", "somchai"]
    store.remove("Malee")
    assert store.names() == ["somchai"]
    with pytest.raises(AccountError, match="no account"):
        store.remove("malee")


def test_a_file_others_may_write_or_a_foreign_file_is_refused(store: UserStore) -> None:
    store.add("somchai", PASSWORD)
    os.chmod(store.path, 0o666)
    with pytest.raises(ConfigError, match="chmod 600"):
        store.load()
    os.chmod(store.path, 0o600)
    store.path.write_text('{"users": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a Tourism Atlas accounts file"):
        store.load()


def test_old_hashes_are_upgraded_on_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    UserStore(path, hasher=FAST).add("somchai", PASSWORD)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    assert UserStore(path, hasher=stronger).verify("somchai", PASSWORD) == "somchai"
    assert "t=2" in json.loads(path.read_text(encoding="utf-8"))["users"]["somchai"]["hash"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_locks_a_name_after_five_failures_then_lets_it_try_again() -> None:
    clock = Clock()
    limiter = SignInLimiter(LimiterPolicy(per_name=5, per_client=20, window_s=300, lock_s=300), clock=clock)
    for _ in range(4):
        limiter.record_failure("somchai", "10.0.0.5")
    assert limiter.seconds_locked("somchai", "10.0.0.5") == 0
    limiter.record_failure("Somchai", "10.0.0.5")
    assert limiter.seconds_locked("somchai", "10.0.0.5") == 300
    assert limiter.seconds_locked("somchai", "10.0.0.6") == 0  # another client is not locked out
    assert limiter.seconds_locked("malee", "10.0.0.5") == 0
    clock.now += 301
    assert limiter.seconds_locked("somchai", "10.0.0.5") == 0


def test_limiter_forgets_failures_outside_the_window_and_after_success() -> None:
    clock = Clock()
    limiter = SignInLimiter(LimiterPolicy(per_name=3, per_client=20, window_s=60, lock_s=60), clock=clock)
    limiter.record_failure("a", "c")
    limiter.record_failure("a", "c")
    clock.now += 61
    limiter.record_failure("a", "c")
    assert limiter.seconds_locked("a", "c") == 0
    limiter.record_failure("a", "c")
    limiter.record_success("a", "c")
    limiter.record_failure("a", "c")
    assert limiter.seconds_locked("a", "c") == 0


def test_limiter_locks_a_client_spraying_names() -> None:
    clock = Clock()
    limiter = SignInLimiter(LimiterPolicy(per_name=5, per_client=10, window_s=300, lock_s=120), clock=clock)
    for i in range(10):
        limiter.record_failure(f"name{i}", "203.0.113.9")
    assert limiter.seconds_locked("anyone", "203.0.113.9") == 120
    assert limiter.seconds_locked("anyone", "203.0.113.10") == 0


def test_cli_user_add_list_remove(tmp_path: Path, monkeypatch, capsys) -> None:
    users = tmp_path / "users.json"
    monkeypatch.setenv("ATLAS_USERS_FILE", str(users))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "Somchai", "--password-stdin"]) == 0
    assert "added somchai" in capsys.readouterr().out
    assert UserStore(users).verify("somchai", PASSWORD) == "somchai"
    assert main(["user", "list"]) == 0
    assert capsys.readouterr().out.split() == ["somchai"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "malee", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    assert main(["user", "remove", "somchai"]) == 0
    assert main(["user", "remove", "somchai"]) == 2
    assert main(["user", "remove"]) == 2


def test_users_file_inside_the_repository_is_refused(monkeypatch) -> None:
    from geo.settings import ROOT, get_settings

    monkeypatch.setenv("ATLAS_USERS_FILE", str(ROOT / "data" / "users.json"))
    with pytest.raises(ConfigError, match="outside the repository"):
        get_settings()
