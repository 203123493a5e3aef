"""Benchmark: the Kaart page in a real browser (Chromium through Playwright).

Uses the e2e harness (fake PDOK, ``streamlit run`` on 127.0.0.1) twice: with the example
register, and with a register of 2,000 partners (the examples plus scattered copies,
:func:`bench.synthetic.fill_register`, written through the register's API). Each run
measures

* ``kaart_eerste_bezoek_s`` — the very first visit after the server started (reference
  data loaded, caches filled): navigation until the first Leaflet path in the map iframe;
* ``kaart_zichtbaar_s`` — later visits, each a new browser context (a new session):
  navigation until the map shows its first vector path;
* ``kaart_compleet_s`` — the same visits until the map is complete: every school marker
  and every partner (single markers plus the numbers on the cluster icons);
* ``filter_scholen_s`` / ``filter_compleet_s`` — ticking/unticking "Alleen scholen met
  vmbo" until the number of school markers is the expected one / and every partner is
  back on the map;
* ``opnieuw_tekenen_compleet_s`` — the full re-render of the same map for comparison:
  in the same session, from the page Over back to Kaart until the map is complete (each
  round: filter on, filter off, re-render, so both see the same load);
  ``verhouding_filter_tov_opnieuw_tekenen`` is ``filter_compleet_s`` over it (medians).

With 2,000 partners also

* ``lean`` — the lean page (``bench/lean_page.py``: the lean prototype map of
  ``bench/bench_map.py`` through st_folium, on the same register) served by its own
  ``streamlit run``: navigation until the first Leaflet path, each visit right after a
  Kaart visit, and ``verhouding_zichtbaar_tov_lean`` (Kaart over lean, medians);
* ``server_geheugen`` — the resident memory of the app's server process (with any child
  processes, from ``/proc``; now and at its peak): right after the start, after the
  measurements above, and after every page has been visited (``na_alle_paginas``, the
  goal): Kaart, School koppelen, Wat als and Over in a public session, Beheer,
  Ambassadeurs and Jaaroverzicht signed in as the board, both sessions still open.

Median, minimum and maximum of the repetitions; ``doelen_gehaald`` holds the goals of
issue 13. Without Chromium the benchmark reports that it was skipped instead of failing.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import statistics
import time
from pathlib import Path

from bench.synthetic import fill_register
from geo.reference.data import REGIONS, load_reference
from geo.settings import PROJECT_ROOT, Settings
from tests.e2e.browser import (
    MAP_IFRAME,
    PAGE_HEADINGS,
    SCHOOL_MARKER,
    after_run,
    count,
    go_to,
    heading,
    nav_link,
    partner_total,
    wait_for_idle,
    wait_for_map,
    wait_until,
)
from tests.e2e.harness import (
    BOARD_PASSWORD,
    BOARD_USER,
    chromium_available,
    running_app,
    streamlit_server,
)

#: Registers measured: None is the example register as it is.
SIZES = (None, 2_000)
#: Repetitions per measurement, per register size.
REPEATS = {None: 5, 2_000: 5}
#: The size at which the goals hold, the lean page runs and the memory is read.
GOAL_SIZE = 2_000
MEMORY_GOAL_MB = 400

#: Generous limits for one wait (s): a loaded, shared 2-core machine at 2,000 partners.
WAIT_S = 300.0
LEAN_PAGE = Path(__file__).with_name("lean_page.py")
PUBLIC_PAGES = ("School koppelen", "Wat als", "Over")
STAFF_PAGES = ("Beheer", "Ambassadeurs", "Jaaroverzicht")


def _summary(values: list[float]) -> dict:
    return {"mediaan": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "n": len(values)}


def _ratio(ours: dict, base: dict) -> float:
    return round(ours["mediaan"] / max(base["mediaan"], 1e-9), 2)


# -- what the map should show --------------------------------------------------------------

def _expected(app) -> dict:
    """School and partner counts of the Kaart with its default filters, from the data."""
    schools = load_reference(Settings().data_dir).scholen
    schools = schools[schools["lat"].notna()
                      & schools["arbeidsmarktregio_code"].isin(list(REGIONS))]
    with app.store() as store:
        orgs = store.organisations()
    return {"organisaties": len(orgs),
            "partners": int((orgs["actief"] & orgs["lat"].notna()).sum()),
            "scholen": len(schools),
            "vmbo_scholen": int(schools["heeft_vmbo"].astype(bool).sum())}


def _complete(page, schools: int, partners: int) -> bool:
    return count(page, SCHOOL_MARKER) == schools and partner_total(page) == partners


def _wait_complete(page, schools: int, partners: int) -> None:
    wait_until(lambda: _complete(page, schools, partners), timeout_s=WAIT_S,
               interval_s=0.02, what=f"{schools} scholen en {partners} partners op de kaart")


# -- the Kaart page --------------------------------------------------------------------------

def _visit_kaart(app, expected: dict) -> tuple[float, float]:
    """A visit in a new session: seconds until the map shows a path, and until complete."""
    page = app.new_page()
    started = time.perf_counter()
    page.goto(app.url, wait_until="commit")
    wait_for_map(page, timeout_ms=WAIT_S * 1000)
    visible = time.perf_counter() - started
    _wait_complete(page, expected["scholen"], expected["partners"])
    complete = time.perf_counter() - started
    page.context.close()
    return visible, complete


def _visits(app, expected: dict, repeats: int, lean_url: str | None = None) -> dict:
    """First visit, then ``repeats`` visits in new sessions: map visible and complete.

    With ``lean_url`` each Kaart visit is followed by one of the lean page, so a busy
    moment of the machine weighs on both alike.
    """
    first_visit = _visit_kaart(app, expected)[0]
    lean_first = _time_to_map(app, lean_url) if lean_url else None  # fills its caches
    visible, complete, lean = [], [], []
    for _ in range(repeats):
        kaart = _visit_kaart(app, expected)
        visible.append(kaart[0])
        complete.append(kaart[1])
        if lean_url:
            lean.append(_time_to_map(app, lean_url))
    row = {"kaart_eerste_bezoek_s": round(first_visit, 3),
           "kaart_zichtbaar_s": _summary(visible), "kaart_compleet_s": _summary(complete)}
    if lean_url:
        row["lean"] = {"eerste_bezoek_s": round(lean_first, 3), "zichtbaar_s": _summary(lean)}
        row["verhouding_zichtbaar_tov_lean"] = _ratio(row["kaart_zichtbaar_s"],
                                                      row["lean"]["zichtbaar_s"])
    return row


def _click_filter(page, target: int, partners: int) -> tuple[float, float]:
    """Tick or untick the vmbo filter: seconds until ``target`` schools, and complete."""
    started = time.perf_counter()
    page.locator('[data-testid="stSidebar"]').get_by_text("Alleen scholen met vmbo").click()
    wait_until(lambda: count(page, SCHOOL_MARKER) == target, timeout_s=WAIT_S,
               interval_s=0.02, what=f"{target} schoolmarkers na het filter")
    schools = time.perf_counter() - started
    _wait_complete(page, target, partners)
    complete = time.perf_counter() - started
    wait_for_idle(page, timeout_ms=WAIT_S * 1000)
    return schools, complete


def _rerender(page, schools: int, partners: int) -> float:
    """From Over back to Kaart (the same session): seconds until the map is complete."""
    go_to(page, "Over", timeout_ms=WAIT_S * 1000)
    wait_until(lambda: page.locator(MAP_IFRAME).count() == 0, timeout_s=WAIT_S,
               what="de kaart is weg")
    started = time.perf_counter()
    nav_link(page, "Kaart").click()
    _wait_complete(page, schools, partners)
    elapsed = time.perf_counter() - started
    wait_for_idle(page, timeout_ms=WAIT_S * 1000)
    return elapsed


def _filter_and_rerender(app, expected: dict, repeats: int) -> dict:
    """A filter change versus a full re-render of the same map, in one session.

    Each round ticks the filter, unticks it, then re-renders the map: the two are
    measured side by side, under the same load.
    """
    n_all, n_vmbo, partners = expected["scholen"], expected["vmbo_scholen"], expected["partners"]
    page = app.new_page()
    page.goto(app.url)
    wait_for_map(page, timeout_ms=WAIT_S * 1000)
    _wait_complete(page, n_all, partners)
    wait_for_idle(page, timeout_ms=WAIT_S * 1000)
    to_schools, to_complete, rerender = [], [], []
    for _ in range(repeats):
        for target in (n_vmbo, n_all):  # back to the default before the re-render
            schools, complete = _click_filter(page, target, partners)
            to_schools.append(schools)
            to_complete.append(complete)
        rerender.append(_rerender(page, n_all, partners))
    page.context.close()
    filtered, full = _summary(to_complete), _summary(rerender)
    return {"filter_scholen_s": _summary(to_schools), "filter_compleet_s": filtered,
            "opnieuw_tekenen_compleet_s": full,
            "verhouding_filter_tov_opnieuw_tekenen": _ratio(filtered, full)}


# -- server memory -----------------------------------------------------------------------------

def _status_kb(pid: int, field: str) -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (0 when the process is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (from ``/proc/*/stat``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _memory_mb(pid: int) -> dict:
    """Resident memory now and at its peak (MB) of ``pid`` and its children."""
    tree = _process_tree(pid)
    return {"rss_MB": round(sum(_status_kb(p, "VmRSS") for p in tree) / 1024),
            "piek_MB": round(sum(_status_kb(p, "VmHWM") for p in tree) / 1024),
            "processen": len(tree)}


def _visit(page, title: str) -> None:
    go_to(page, title, timeout_ms=WAIT_S * 1000)


def _every_page(app) -> list:
    """Visit every page: the public ones in one session, the staff ones as the board.

    Returns the open pages (their sessions stay alive until the caller closes them).
    """
    public = app.new_page()
    app.open(public)
    after_run(public, heading(public, PAGE_HEADINGS["Kaart"]), timeout_ms=WAIT_S * 1000)
    for title in PUBLIC_PAGES:
        _visit(public, title)
    staff = app.new_page()
    app.open(staff)
    app.login(staff, BOARD_USER, BOARD_PASSWORD)
    for title in STAFF_PAGES:
        _visit(staff, title)
    return [public, staff]


def _server_memory(app, at_start: dict) -> dict:
    """The server's memory: at start, after the Kaart measurements, after every page."""
    after_kaart = _memory_mb(app.server_pid)
    pages = _every_page(app)
    after = _memory_mb(app.server_pid)
    for page in pages:
        page.context.close()
    return {"na_start": at_start, "na_kaartmetingen": after_kaart, "na_alle_paginas": after,
            "paginas": ["Kaart", *PUBLIC_PAGES, *STAFF_PAGES]}


# -- the lean page -------------------------------------------------------------------------------

@contextlib.contextmanager
def _lean_server(app):
    """The lean page on its own ``streamlit run``, beside the project's static files."""
    folder = app.var_dir / "lean"
    folder.mkdir()
    shutil.copy(LEAN_PAGE, folder / LEAN_PAGE.name)
    (folder / "static").symlink_to(PROJECT_ROOT / "static", target_is_directory=True)
    with streamlit_server(str(folder / LEAN_PAGE.name), app.env(),
                          app.var_dir / "lean.log") as server:
        yield server


def _time_to_map(app, url: str) -> float:
    """Seconds from navigating to ``url`` (a new session) until the map shows a path."""
    page = app.new_page()
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    wait_for_map(page, timeout_ms=WAIT_S * 1000)
    elapsed = time.perf_counter() - started
    page.context.close()
    return elapsed


# -- the run ---------------------------------------------------------------------------------

def _measure(size: int | None) -> dict:
    extend = None if size is None else functools.partial(fill_register, total=size)
    repeats = REPEATS[size]
    with running_app(warm_up=False, hostile=False, extend_register=extend) as app:
        memory = Path(f"/proc/{app.server_pid}/status").is_file()
        at_start = _memory_mb(app.server_pid) if memory else None
        expected = _expected(app)
        with contextlib.ExitStack() as stack:
            lean = None
            if size == GOAL_SIZE:
                lean = stack.enter_context(_lean_server(app))
            row = {**expected, **_visits(app, expected, repeats, lean and lean[0])}
            if lean and memory:
                row["lean"]["server_geheugen"] = _memory_mb(lean[1].pid)
        row.update(_filter_and_rerender(app, expected, repeats))
        if size == GOAL_SIZE:
            row["server_geheugen"] = (_server_memory(app, at_start) if memory else
                                      {"overgeslagen": "geen /proc: geheugen niet te lezen"})
    return row


def run() -> dict:
    """Time the Kaart page in Chromium at both register sizes; JSON-serialisable figures."""
    if not chromium_available():
        return {"overgeslagen": "Chromium ontbreekt op /usr/bin/chromium"}
    results = {}
    for size in SIZES:
        row = _measure(size)
        results[f"partners_{row['organisaties']}"] = row
    goal = results[f"partners_{GOAL_SIZE}"]
    memory = goal["server_geheugen"].get("na_alle_paginas", {}).get("rss_MB")
    results["doelen_gehaald"] = {
        "2000: kaart zichtbaar <= 1,5 x lean": goal["verhouding_zichtbaar_tov_lean"] <= 1.5,
        "2000: filter <= 0,3 x opnieuw tekenen":
            goal["verhouding_filter_tov_opnieuw_tekenen"] <= 0.3,
        "2000: servergeheugen <= 400 MB": memory is not None and memory <= MEMORY_GOAL_MB,
    }
    results["browser"] = "Chromium (headless, /usr/bin/chromium) via Playwright"
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
