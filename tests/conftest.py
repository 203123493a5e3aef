"""Shared fixtures: the bundled reference data and an isolated settings object."""

from __future__ import annotations

import dataclasses

import pytest

from geo.reference.data import load_reference
from geo.settings import Settings

SHARED_DATA = Settings().data_dir.parent.parent / "shared" / "data"


@pytest.fixture(scope="session")
def reference():
    """The bundled, validated reference layers (loaded once)."""
    return load_reference(Settings().data_dir)


@pytest.fixture
def settings(tmp_path):
    """Settings whose runtime files (database, cache, accounts) live in ``tmp_path``."""
    return dataclasses.replace(
        Settings(),
        var_dir=tmp_path,
        database_path=tmp_path / "infrakaart.sqlite",
        geocode_cache_path=tmp_path / "geocode-cache.sqlite",
        users_path=tmp_path / "gebruikers.toml",
        backup_dir=tmp_path / "backups",
        offline=True,
    )


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Pages see their runtime files (register, accounts) in ``tmp_path``, offline.

    Streamlit's process-wide caches (settings, store) are cleared before and after, so a
    page run in AppTest builds them from this environment.
    """
    import streamlit as st

    monkeypatch.setenv("INFRAKAART_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("INFRAKAART_OFFLINE", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def example_register(app_env, reference):
    """The pages' register: the example data and a guest teacher's name no page may show.

    See :func:`tests.app_pages.add_secret_activity`; returns the var dir.
    """
    from geo.register.examples import load_example_data
    from geo.register.store import Store
    from tests.app_pages import add_secret_activity

    with Store(app_env / "infrakaart.sqlite", reference) as store:
        load_example_data(store)
        add_secret_activity(store)
    return app_env


@pytest.fixture
def shown_maps(monkeypatch) -> dict[str, str]:
    """The HTML of every map a page shows (AppTest), by its key; the latest run's."""
    import pages._shared as shared

    maps: dict[str, str] = {}
    original = shared.show_map

    def record(fmap, *, key, **options):
        maps[key] = fmap.get_root().render()  # before st_folium renames the map
        return original(fmap, key=key, **options)

    monkeypatch.setattr(shared, "show_map", record)
    return maps
