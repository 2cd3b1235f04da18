"""ASGI entry point: ``streamlit run serve.py`` serves app.py with the atlas's HTTP guards (ui/server.py).

``make run`` and the browser suite start the app through this file; ``streamlit run app.py`` still works
but without the guards (a nested unknown address then shows Streamlit's blank shell).
"""

import streamlit as st
from starlette.middleware import Middleware

from ui.server import NestedPathGuard

app = st.App("app.py", middleware=[Middleware(NestedPathGuard)])
