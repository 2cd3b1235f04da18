"""ASGI entry point: ``streamlit run serve.py`` serves app.py with the atlas's HTTP middleware (ui/server.py).

``make run`` and the browser suite start the app through this file; ``streamlit run app.py`` still works
but without the guards (a nested unknown address then shows Streamlit's blank shell).
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from ui.server import NestedPathGuard, StaticCache

# app.py navigates with st.navigation. Streamlit 1.67 decides per process, from the mere existence of a
# pages/ folder next to the main script, to run a fresh server's first session as the old folder-based
# multipage app: the first deep link (/density) then gets a "Page not found" dialog over the right page.
# st.navigation itself clears this flag on its first run; clearing it at start-up does the same for the
# first visitor.
PagesManager.uses_pages_directory = False

# StaticCache answers repeated requests for static files (Streamlit's frontend bundle, the map component,
# Leaflet) from memory: most of a new browser's server CPU otherwise (docs/reliability.md).
app = st.App("app.py", middleware=[Middleware(NestedPathGuard), Middleware(StaticCache)])
