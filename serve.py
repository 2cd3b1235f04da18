"""ASGI entry point: ``streamlit run serve.py`` serves app.py with the atlas's HTTP middleware (ui/server.py).

``make run`` and the browser suite start the app through this file; ``streamlit run app.py`` still works
but without the guards (a nested unknown address then shows Streamlit's blank shell).

Officials' sign-in is resolved here, once, when the server starts (``ui.auth.startup_plan``): a server
that would serve the officials' pages without sign-in on a non-loopback address logs why and exits
(status 2) before it answers anything. With sign-in off, ``LocalOnlyGuard`` also refuses any request that
did not come from this machine.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from ui.auth import startup_plan
from ui.server import LocalOnlyGuard, NestedPathGuard, StaticCache

plan = startup_plan()

# Streamlit 1.67 treats an app with a ``pages/`` folder beside its main script as a directory-based
# multipage app until some session has called ``st.navigation``: the first script run of a fresh server
# then resolves its address against ``pages/*.py`` (none here: the scripts live in pages/views/), sends
# "Page not found" (a modal dialog over the page, e.g. a deep link to /density) and runs app.py anyway.
# app.py always calls ``st.navigation``, so say so from the start. (Internal flag, checked by
# tests/browser/test_signin.py opening a deep link as a fresh server's first request.)
if getattr(PagesManager, "uses_pages_directory", None) is None:
    PagesManager.uses_pages_directory = False

# StaticCache answers repeated requests for static files (Streamlit's frontend bundle, the map component,
# Leaflet) from memory: most of a new browser's server CPU otherwise (docs/reliability.md).
app = st.App("app.py", middleware=[
    Middleware(LocalOnlyGuard, enabled=plan.mode == "off"),
    Middleware(NestedPathGuard),
    Middleware(StaticCache),
])
