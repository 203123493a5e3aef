"""Waiting in the browser for the exact state a test checks, never for "something".

Streamlit keeps the elements of the previous script run on screen while the next run is
on its way, and its "not running" flag still shows the *previous* run for a moment after
a widget changed (the browser asks for a rerun without changing the flag). A wait for
"some table", "a map path" or "not running" therefore passes on stale content when the
machine is busy. The rules here:

* **After an action, wait for its evidence, then for the run to end** (:func:`after_run`):
  an element that only the expected run draws — the heading of the target page, a caption
  that names the chosen school, a marker at the chosen partner's place — and then the idle
  flag, which from then on belongs to that run.
* **Computed states are polled until they equal the expected value**
  (:func:`wait_for_value`): the number of school markers, the positions of the partner
  markers, the query string; a failure says what was last seen.
* **Timeouts are generous** (:data:`EXPECT_TIMEOUT_MS`, :data:`WAIT_TIMEOUT_S`): CI runs
  on a loaded machine, and an exact wait costs nothing extra when the state is there.

The DOM knowledge lives here: the map is a Leaflet map in the iframe
``iframe[title="streamlit_folium.st_folium"]``, where streamlit-folium sets ``window.map``
once the whole map script has run; circle markers are ``path.leaflet-interactive`` with the
CSS classes ``ik-partner`` / ``ik-school``; mbo places are DivIcons ``.ik-mbo``; clustered
partners are ``.marker-cluster`` icons; data grids keep an accessible ``table[role=grid]``
with ``aria-rowcount`` / ``aria-colcount`` of the whole table.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from geo.settings import PROJECT_ROOT

T = TypeVar("T")

#: Default of Playwright's ``expect`` assertions and of page actions (ms). Playwright's own
#: default of 5 s is too short for a Streamlit rerun on a loaded CI machine.
EXPECT_TIMEOUT_MS = 60_000
#: Default of :func:`wait_until` and :func:`wait_for_value` (s).
WAIT_TIMEOUT_S = 60.0

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SCHOOL_MARKER = "path.leaflet-interactive.ik-school"
PARTNER_MARKER = "path.leaflet-interactive.ik-partner"
CLUSTER = ".marker-cluster"
MBO_MARKER = ".ik-mbo"

#: Navigation title → the page's ``st.title`` (the evidence that the page has been drawn).
PAGE_HEADINGS = {
    "Kaart": "Infrakaart",
    "School koppelen": "School koppelen",
    "Wat als": "Wat als: een extra mbo-infralocatie",
    "Over": "Over Infrakaart",
    "Beheer": "Beheer",
    "Ambassadeurs": "Ambassadeurs",
    "Jaaroverzicht": "Jaaroverzicht",
    "Bereik": "Bereik",
    "Inloggen": "Inloggen",
    "Account": "Inloggen",
}

#: Screenshots of the browser tests (git-ignored).
ARTEFACTS = PROJECT_ROOT / "tests" / "artefacts"


# -- polling ----------------------------------------------------------------------------

def wait_until(predicate: Callable[[], bool], *, timeout_s: float = WAIT_TIMEOUT_S,
               interval_s: float = 0.1, what: str = "voorwaarde") -> None:
    """Poll ``predicate`` until it holds; raise AssertionError after ``timeout_s``.

    A Playwright error inside ``predicate`` (an iframe replaced while it was read) counts
    as "not yet".
    """
    wait_for_value(lambda: bool(predicate()), True, timeout_s=timeout_s,
                   interval_s=interval_s, what=what)


def wait_for_value(read: Callable[[], T], expected: object, *,
                   timeout_s: float = WAIT_TIMEOUT_S, interval_s: float = 0.1,
                   what: str) -> T:
    """Poll ``read()`` until it equals ``expected``; return it.

    Raises
    ------
    AssertionError
        After ``timeout_s``, naming ``what``, the expected and the last value seen (or the
        last Playwright error, e.g. while an iframe was being replaced).
    """
    deadline = time.monotonic() + timeout_s
    last: object = "(niets gelezen)"
    while True:
        try:
            value = read()
        except PlaywrightError as err:
            last = f"fout: {str(err).splitlines()[0]}"
        else:
            if value == expected:
                return value
            last = value
        if time.monotonic() >= deadline:
            raise AssertionError(f"Niet gehaald binnen {timeout_s:.0f} s: {what} "
                                 f"(verwacht {expected!r}, laatst gezien {last!r})")
        time.sleep(interval_s)


# -- Streamlit ------------------------------------------------------------------------------

def wait_for_idle(page, *, timeout_ms: float = EXPECT_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and no script run is going on.

    Sound right after loading a URL (the flag reads ``initial`` until the first run) and
    after :func:`after_run` saw the evidence of a run; right after a widget changed it may
    still describe the previous run, so never use it alone there.
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]',
        state="attached", timeout=timeout_ms,
    )


def after_run(page, evidence, *, timeout_ms: float = EXPECT_TIMEOUT_MS) -> None:
    """Wait for ``evidence`` — a locator only the expected run draws — then for the run to end.

    The evidence must match exactly one element (Playwright's strict mode), so a stale copy
    next to the new one fails instead of passing.
    """
    expect(evidence).to_be_attached(timeout=timeout_ms)
    wait_for_idle(page, timeout_ms=timeout_ms)


def heading(page, text: str):
    """The page title ``text`` (an ``st.title``), matched exactly."""
    return page.get_by_role("heading", level=1, name=text, exact=True)


def nav_link(page, title: str):
    """The sidebar navigation entry called ``title``."""
    return page.locator('[data-testid="stSidebarNav"] a').filter(
        has=page.get_by_text(title, exact=True))


def nav_labels(page) -> list[str]:
    """The page titles in the sidebar navigation."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    # An entry's text is "<icon ligature>\n\n<title>": keep the title.
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts()
            if text.strip()]


def go_to(page, title: str, *, heading_text: str | None = None,
          timeout_ms: float = EXPECT_TIMEOUT_MS) -> None:
    """Switch page through the sidebar (keeps the session) and wait until it is drawn.

    Waits for the target page's own heading (:data:`PAGE_HEADINGS`, or ``heading_text``)
    and then for its run to end; the previous page's heading stays on screen until then.
    """
    link = nav_link(page, title)
    link.click()
    expect(link).to_have_attribute("aria-current", "page", timeout=timeout_ms)
    after_run(page, heading(page, heading_text or PAGE_HEADINGS[title]),
              timeout_ms=timeout_ms)


def tab_panel(page, name: str):
    """The content of the open tab ``name`` (closed tabs have no ``tabpanel`` role)."""
    return page.get_by_role("tabpanel", name=name, exact=True)


def record_websocket(page) -> list[bytes]:
    """Collect every websocket message the page receives (call before navigating).

    Streamlit sends all page content, including component arguments such as the map
    HTML and dataframes drawn on a canvas, over its websocket: searching these bytes
    finds data that never becomes DOM text.
    """
    received: list[bytes] = []

    def on_socket(socket) -> None:
        socket.on("framereceived", lambda payload: received.append(
            payload if isinstance(payload, bytes) else payload.encode("utf-8")))

    page.on("websocket", on_socket)
    return received


def iframe_documents(page) -> list[str]:
    """The live HTML of every (same-origin) iframe of the page, nested ones included."""
    docs = []
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        with contextlib.suppress(PlaywrightError):
            docs.append(frame.content())
    return docs


def save_screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot of ``page`` as ``tests/artefacts/<name>.png``."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# -- maps -----------------------------------------------------------------------------------

def map_frame(page, index: int = 0):
    """The Leaflet document inside the ``index``-th st_folium iframe (a frame locator)."""
    return page.frame_locator(MAP_IFRAME).nth(index)


def _in_map(page, index: int, script: str, arg: object = None) -> object:
    """Run ``script`` (a function of ``arg``) in the ``index``-th map iframe.

    Returns None while that iframe does not exist (yet) or is being replaced.
    """
    frames = page.locator(MAP_IFRAME)
    if frames.count() <= index:
        return None
    handle = frames.nth(index).element_handle(timeout=EXPECT_TIMEOUT_MS)
    try:
        frame = handle.content_frame()
        return None if frame is None else frame.evaluate(script, arg)
    finally:
        handle.dispose()


def in_map(page, script: str, arg: object = None, index: int = 0) -> object:
    """The result of ``script`` (a function of ``arg``) in the ``index``-th map iframe."""
    return _in_map(page, index, script, arg)


#: streamlit-folium sets ``window.map`` after the map script has run completely.
_MAP_BUILT = "() => !!(window.L && window.map instanceof L.Map && window.map._loaded)"


def maps_built(page) -> int | None:
    """The number of map iframes if every one has built its map, else None."""
    n = page.locator(MAP_IFRAME).count()
    return n if all(_in_map(page, i, _MAP_BUILT) for i in range(n)) else None


def wait_for_maps(page, n: int, *, timeout_s: float = WAIT_TIMEOUT_S) -> None:
    """Wait until the page has exactly ``n`` maps and each has finished building."""
    wait_for_value(lambda: maps_built(page), n, timeout_s=timeout_s,
                   what=f"{n} volledig opgebouwde kaart(en)")


def wait_for_map(page, index: int = 0, *, timeout_ms: float = 60_000) -> None:
    """Wait until the map iframe shows at least one Leaflet vector path.

    The benchmark's "map visible" moment (``bench/bench_browser.py``); tests wait for an
    exact state instead (:func:`wait_for_maps`, :func:`wait_for_value` on markers).
    """
    map_frame(page, index).locator("path.leaflet-interactive").first.wait_for(
        state="attached", timeout=timeout_ms)


def count(page, selector: str, index: int = 0) -> int:
    """Number of elements matching ``selector`` inside the map iframe."""
    return map_frame(page, index).locator(selector).count()


_PARTNER_TOTAL = """([single, cluster]) => {
    let total = document.querySelectorAll(single).length;
    for (const span of document.querySelectorAll(cluster + ' span')) {
        total += parseInt(span.textContent.trim() || '0', 10);
    }
    return total;
}"""


def partner_total(page, index: int = 0) -> int | None:
    """Partners on the map: single markers plus the numbers on cluster icons.

    Counted in one go inside the iframe, so a cluster chunk added between two counts
    cannot be counted twice or missed. None while the iframe is being replaced.
    """
    return _in_map(page, index, _PARTNER_TOTAL, [PARTNER_MARKER, CLUSTER])


_MARKERS = """([cls, tag, target, tol]) => {
    const map = window.map;
    if (!(window.L && map instanceof L.Map)) return null;
    const found = [];
    map.eachLayer(layer => {
        const names = (layer.options && layer.options.className) || '';
        if (!layer.getLatLng || typeof names !== 'string') return;
        if (!names.split(/\\s+/).includes(cls) || !layer._path || !layer._path.isConnected) return;
        const p = layer.getLatLng();
        if (target && Math.abs(p.lat - target[0]) <= tol && Math.abs(p.lng - target[1]) <= tol) {
            layer._path.setAttribute('data-e2e', tag);
        }
        found.push([p.lat, p.lng]);
    });
    return found;
}"""

#: Two positions closer than this (degrees, about 1 m) are the same place.
POSITION_TOLERANCE = 1e-5


def marker_positions(page, class_name: str, index: int = 0) -> list[tuple[float, float]] | None:
    """(lat, lon) of every circle marker with CSS class ``class_name`` drawn on the map.

    Markers inside a cluster are not drawn and not listed. None while the map is not
    built or its iframe is being replaced.
    """
    found = _in_map(page, index, _MARKERS, [class_name, "", None, 0])
    return None if found is None else sorted((lat, lon) for lat, lon in found)


def same_places(actual: Sequence[tuple[float, float]] | None,
                expected: Sequence[tuple[float, float]]) -> bool:
    """True when ``actual`` and ``expected`` are the same places (each within ~1 m)."""
    if actual is None or len(actual) != len(expected):
        return False
    left = list(actual)
    for lat, lon in expected:
        match = next((p for p in left if abs(p[0] - lat) <= POSITION_TOLERANCE
                      and abs(p[1] - lon) <= POSITION_TOLERANCE), None)
        if match is None:
            return False
        left.remove(match)
    return True


def wait_for_markers(page, class_name: str, expected: Sequence[tuple[float, float]], *,
                     index: int = 0, what: str, timeout_s: float = WAIT_TIMEOUT_S) -> None:
    """Wait until the ``class_name`` markers on the map are exactly at ``expected``."""
    places = sorted((float(lat), float(lon)) for lat, lon in expected)
    last: list = []

    def matches() -> bool:
        last[:] = [marker_positions(page, class_name, index)]
        return same_places(last[0], places)

    try:
        wait_until(matches, timeout_s=timeout_s, what=what)
    except AssertionError as err:
        raise AssertionError(f"{err}; verwacht {places}, laatst gezien {last}") from None


def tag_marker(page, class_name: str, place: tuple[float, float], tag: str,
               index: int = 0) -> bool:
    """Mark the drawn ``class_name`` marker at ``place`` with ``data-e2e="<tag>"``.

    Returns False while no such marker is drawn (map not built, marker still in a
    cluster chunk). Find it afterwards with ``map_frame(page).locator('[data-e2e=…]')``.
    """
    found = _in_map(page, index, _MARKERS, [class_name, tag, list(place), POSITION_TOLERANCE])
    return bool(found) and any(abs(lat - place[0]) <= POSITION_TOLERANCE
                               and abs(lon - place[1]) <= POSITION_TOLERANCE
                               for lat, lon in found)


# -- data grids -----------------------------------------------------------------------------

_READ_GRID = """grid => {
    const cells = {};
    for (const th of grid.querySelectorAll('thead th')) {
        cells['h:' + th.getAttribute('aria-colindex')] = th.innerText;
    }
    for (const tr of grid.querySelectorAll('tbody tr')) {
        for (const td of tr.querySelectorAll('td')) {
            cells[tr.getAttribute('aria-rowindex') + ':' + td.getAttribute('aria-colindex')]
                = td.innerText;
        }
    }
    return cells;
}"""

_SCROLL_GRID = """(frame, step) => {
    // step null: back to the left edge; else scroll right by a part of the width.
    const s = frame.querySelector('.dvn-scroller');
    if (!s) return;
    if (step === null) s.scrollLeft = 0;
    else s.scrollLeft = s.scrollLeft + Math.max(50, s.clientWidth * step);
}"""

_HEADER_COLUMNS = """grid => Array.from(grid.querySelectorAll('thead th'),
    th => Number(th.getAttribute('aria-colindex')))"""


def grid_rows(dataframe, *, rows: int,
              timeout_ms: float = EXPECT_TIMEOUT_MS) -> list[dict[str, str]]:
    """Rows of one ``st.dataframe`` (a locator of its ``stDataFrame``) as ``{header: text}``.

    Waits until the grid holds exactly ``rows`` data rows (``aria-rowcount``) and all of
    them are in its accessible table. That table holds only the columns in view, so the
    grid is scrolled sideways, each time waiting for the next column, until every column
    of ``aria-colcount`` has been read.
    """
    grid = dataframe.locator('table[role="grid"]')
    expect(grid).to_have_attribute("aria-rowcount", str(rows + 1), timeout=timeout_ms)
    columns = int(grid.get_attribute("aria-colcount"))
    handle = grid.element_handle()
    page = dataframe.page
    dataframe.evaluate(_SCROLL_GRID, None)
    page.wait_for_function(
        "([g, n]) => g.querySelectorAll('tbody tr').length === n "
        "&& g.querySelector('thead th[aria-colindex=\"1\"]') !== null",
        arg=[handle, rows], timeout=timeout_ms)
    cells: dict[str, str] = {}
    seen: set[int] = set()
    while True:
        cells.update(grid.evaluate(_READ_GRID))
        seen.update(grid.evaluate(_HEADER_COLUMNS))
        if seen >= set(range(1, columns + 1)):
            break
        # The accessible table follows the scroll a moment later: wait for a column
        # further right than any seen so far (there is one: not all have been seen).
        dataframe.evaluate(_SCROLL_GRID, 0.7)
        page.wait_for_function(
            f"([g, last]) => Math.max(0, ...({_HEADER_COLUMNS})(g)) > last",
            arg=[handle, max(seen)], timeout=timeout_ms)
    dataframe.evaluate(_SCROLL_GRID, None)
    headers = {key[2:]: text.strip() for key, text in cells.items() if key.startswith("h:")}
    table: dict[int, dict[str, str]] = {}
    for key, text in cells.items():
        row, _, col = key.partition(":")
        if row != "h":
            table.setdefault(int(row), {})[headers.get(col, col)] = text.strip()
    if len(table) != rows:
        raise AssertionError(f"{len(table)} rijen gelezen, {rows} verwacht")
    return [table[r] for r in sorted(table)]
