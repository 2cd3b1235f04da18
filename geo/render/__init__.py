"""Draw: Folium maps, Altair charts and the offline map assets (no queries, no Streamlit)."""
