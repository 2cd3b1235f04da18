"""Streamlit-side helpers: the one place that owns caching, the shared sidebar filters and URL state."""
