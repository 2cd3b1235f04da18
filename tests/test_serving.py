"""How the app is served (.streamlit/config.toml): settings that cut per-session server work."""

from __future__ import annotations

import ast
import tomllib

import pytest

from geo.settings import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
PAGE_SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages" / "views").glob("*.py"))]


def test_no_source_watcher() -> None:
    # With a watcher every new session walked every loaded module on the event loop (docs/reliability.md).
    assert CONFIG["server"]["fileWatcherType"] == "none"
    assert CONFIG["server"]["runOnSave"] is False


def test_magic_is_off() -> None:
    assert CONFIG["runner"]["magicEnabled"] is False


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_no_page_relies_on_magic(script) -> None:
    """Magic would draw bare expressions; with it off a page must not need it (it would silently draw less)."""
    from streamlit.runtime.scriptrunner import magic

    transformed = ast.unparse(magic.add_magic(script.read_text(), str(script)))
    assert "__streamlitmagic__." not in transformed, f"{script.name} has a bare expression magic would write"
