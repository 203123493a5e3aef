"""View functions: what each page shows, computed without Streamlit.

One module per page. A page reads its widgets, calls its view function and renders the
result; the view function returns plain data (tables, a folium map, Dutch messages,
download bytes), so it is tested with plain pytest.
"""
