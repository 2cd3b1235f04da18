"""Tourism Atlas — Streamlit entry point: page config and navigation (pages live in pages/)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Tourism Atlas · Chiang Mai", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page("pages/atlas_map.py", title="Atlas map", icon="🗺️", url_path="map", default=True),
]

st.navigation(PAGES).run()
