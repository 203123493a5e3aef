"""Benchmark: the Kaart page in a real browser (Chromium through Playwright).

Uses the e2e harness (fake PDOK, example register, ``streamlit run`` on 127.0.0.1) and
measures, on the bundled data:

* ``kaart_eerste_bezoek_s`` — the very first visit after the server started (reference
  data loaded, caches filled): navigation until the first Leaflet path in the map iframe;
* ``kaart_zichtbaar_s`` — later visits, each a new browser context (a new session):
  navigation until the map shows its first vector path;
* ``kaart_compleet_s`` — the same visits until every school marker is drawn;
* ``filter_naar_kaart_s`` — ticking/unticking "Alleen scholen met vmbo" until the number
  of school markers on the map has changed to the expected one.

Median, minimum and maximum of ``REPEATS`` repetitions. Without Chromium the benchmark
reports that it was skipped instead of failing.
"""

from __future__ import annotations

import json
import statistics
import time

from geo.reference.data import REGIONS, load_reference
from geo.settings import Settings
from tests.e2e.browser import SCHOOL_MARKER, count, wait_for_map, wait_until
from tests.e2e.harness import chromium_available, running_app

REPEATS = 5


def _summary(values: list[float]) -> dict:
    return {"mediaan": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "n": len(values)}


def run() -> dict:
    """Time map rendering and a filter change in Chromium; JSON-serialisable figures."""
    if not chromium_available():
        return {"overgeslagen": "Chromium ontbreekt op /usr/bin/chromium"}
    reference = load_reference(Settings().data_dir)
    schools = reference.scholen
    schools = schools[schools["lat"].notna()
                      & schools["arbeidsmarktregio_code"].isin(list(REGIONS))]
    n_all, n_vmbo = len(schools), int(schools["heeft_vmbo"].astype(bool).sum())

    visible, complete, filtered = [], [], []
    with running_app(warm_up=False) as app:
        page = app.new_page()
        started = time.perf_counter()
        page.goto(app.url, wait_until="commit")
        wait_for_map(page, timeout_ms=120_000)
        first_visit = time.perf_counter() - started
        page.context.close()

        for _ in range(REPEATS):
            page = app.new_page()
            started = time.perf_counter()
            page.goto(app.url, wait_until="commit")
            wait_for_map(page)
            visible.append(time.perf_counter() - started)
            wait_until(lambda page=page: count(page, SCHOOL_MARKER) == n_all,
                       interval_s=0.02, what="alle schoolmarkers")
            complete.append(time.perf_counter() - started)
            page.context.close()

        page = app.new_page()
        page.goto(app.url)
        wait_for_map(page)
        wait_until(lambda: count(page, SCHOOL_MARKER) == n_all, what="alle schoolmarkers")
        checkbox = page.locator('[data-testid="stSidebar"]').get_by_text(
            "Alleen scholen met vmbo")
        for i in range(2 * REPEATS):
            target = n_vmbo if i % 2 == 0 else n_all
            started = time.perf_counter()
            checkbox.click()
            wait_until(lambda target=target: count(page, SCHOOL_MARKER) == target,
                       interval_s=0.02, what=f"{target} schoolmarkers na het filter")
            filtered.append(time.perf_counter() - started)
        page.context.close()

    return {
        "scholen": n_all,
        "vmbo_scholen": n_vmbo,
        "kaart_eerste_bezoek_s": round(first_visit, 3),
        "kaart_zichtbaar_s": _summary(visible),
        "kaart_compleet_s": _summary(complete),
        "filter_naar_kaart_s": _summary(filtered),
        "browser": "Chromium (headless, /usr/bin/chromium) via Playwright",
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
