"""The lean page of issue 13: the lean prototype map through st_folium, nothing else.

The baseline of ``bench/bench_browser.py`` for "Kaart page: navigate → map visible". It
reads the same register as the app (``INFRAKAART_DATABASE_PATH``), computes the same
choropleth indicator and shows :func:`bench.bench_map.lean_map` (plain folium, every point
layer one compact array turned into markers in the browser) with the same local Leaflet
files and the same streamlit-folium call, without sidebar, filters or table.

Run by the benchmark with ``streamlit run`` on 127.0.0.1 from a folder that has the
project's ``static/`` beside the script (Streamlit serves ``static/`` next to the script).
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from bench.bench_map import lean_map
from geo.output.assets import use_assets
from geo.reference.data import load_reference
from geo.register.store import Store
from geo.settings import Settings


@st.cache_resource
def _register() -> tuple[Settings, Store]:
    settings = Settings.from_env()
    return settings, Store(settings.database_path, load_reference(settings.data_dir))


settings, store = _register()
st.title("Lean")
partners = store.organisations()
fmap = lean_map(store.reference, partners[partners["actief"]], store.schools(),
                store.mbo_locations())
st_folium(use_assets(fmap, settings.asset_mode), height=640, use_container_width=True,
          returned_objects=[], key="lean_map")
