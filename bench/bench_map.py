"""Building the full partner map vs a naive ``GeoDataFrame.explore()`` of the same layers.

Both draw: the 5 regions, the subregions, the 46 municipalities, a choropleth of the
white-spot score per subregion, the 270 schools, the mbo places and the register (the
example partners, and 10× as many synthetic ones). Figures: build + render time and HTML
size. The naive baseline keeps every vertex and every column, as a first attempt would.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis import indicators as analysis
from geo.analysis.names import CHOROPLETH_INDICATORS
from geo.output import maps, partner_maps
from geo.reference.data import WGS84, load_reference
from geo.reference.regions import unit_polygons
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.settings import Settings

REPEATS = 3


def _register(reference, scale: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "b.sqlite", reference) as store:
        load_example_data(store)
        partners = store.organisations()
        schools, mbo = store.schools(), store.mbo_locations()
    if scale > 1:
        rng = np.random.default_rng(7)
        copies = []
        for i in range(scale):
            copy = partners.copy()
            copy["lat"] = copy["lat"] + rng.normal(0, 0.02, len(copy))
            copy["lon"] = copy["lon"] + rng.normal(0, 0.03, len(copy))
            copy["naam"] = copy["naam"] + f" ({i})"
            copies.append(copy)
        partners = pd.concat(copies, ignore_index=True)
    return partners, schools, mbo


def _ours(reference, partners, schools, mbo) -> str:
    division = reference.default_division
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    label, fmt = CHOROPLETH_INDICATORS["score"]
    fmap = partner_maps.build_partner_map(
        layers=maps.boundary_layers(reference, division), partners=partners, schools=schools,
        mbo=mbo, choropleth=(unit_polygons("subregio", reference, division), table, "score",
                             label, fmt),
    )
    return fmap.get_root().render()


def _naive(reference, partners, schools, mbo) -> str:
    division = reference.default_division
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    fmap = reference.regios.explore(name="regio's", tiles="OpenStreetMap")
    unit_polygons("subregio", reference, division).merge(table, on="code").explore(
        m=fmap, column="score", name="subregio's")
    reference.gemeenten.explore(m=fmap, name="gemeenten", style_kwds={"fillOpacity": 0})

    def points(frame):
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                                crs=WGS84)

    points(schools.dropna(subset=["lat"])).explore(m=fmap, name="scholen")
    points(mbo.dropna(subset=["lat"])).explore(m=fmap, name="mbo")
    points(partners.dropna(subset=["lat"])).explore(m=fmap, column="soort", name="partners")
    return fmap.get_root().render()


def _measure(build, *args) -> dict:
    times, size = [], 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        html = build(*args)
        times.append(time.perf_counter() - started)
        size = len(html.encode("utf-8"))
    return {"seconden_mediaan": round(statistics.median(times), 3), "html_kB": size // 1024}


def run() -> dict:
    reference = load_reference(Settings().data_dir)
    results = {}
    for scale in (1, 10):
        partners, schools, mbo = _register(reference, scale)
        ours = _measure(_ours, reference, partners, schools, mbo)
        naive = _measure(_naive, reference, partners, schools, mbo)
        results[f"partners_{len(partners)}"] = {
            "infrakaart": ours,
            "explore_baseline": naive,
            "verhouding_tijd": round(naive["seconden_mediaan"] / ours["seconden_mediaan"], 2),
            "verhouding_grootte": round(naive["html_kB"] / max(ours["html_kB"], 1), 2),
        }
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
