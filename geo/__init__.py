"""Tourism Atlas core: connections, queries, data build, services and map builders (no Streamlit)."""

__version__ = "0.1.0"
