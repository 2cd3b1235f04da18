"""Tourism Atlas — Streamlit entry point: page config and navigation (page scripts live in pages/views/, see pages/README.md)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Tourism Atlas · Chiang Mai", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page("pages/views/atlas_map.py", title="Atlas map", icon=":material/map:", url_path="map", default=True),
    st.Page("pages/views/overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
    st.Page("pages/views/density.py", title="Visitor density", icon=":material/local_fire_department:", url_path="density"),
    st.Page("pages/views/flows.py", title="Flows and routes", icon=":material/route:", url_path="flows"),
    st.Page("pages/views/capacity.py", title="Accommodation and capacity", icon=":material/hotel:", url_path="capacity"),
    st.Page("pages/views/places.py", title="Places", icon=":material/place:", url_path="places"),
    st.Page("pages/views/data.py", title="Data", icon=":material/database:", url_path="data"),
]

st.navigation(PAGES).run()
