"""A running Infrakaart for browser tests and the browser benchmark.

:func:`running_app` is a context manager that, in this order,

1. makes a throw-away var dir (database, geocoder cache, accounts);
2. starts the fake PDOK server (``python -m tests.fake_pdok --port 0``);
3. fills the register: the fictional example partners (``infrakaart voorbeeld``) plus one
   partner whose name is hostile HTML/JS (:data:`HOSTILE_NAME`), with contact data, and
   whatever ``extend_register`` adds (the benchmark's synthetic partners);
4. creates a team and a board account (``infrakaart gebruiker toevoegen``);
5. starts ``streamlit run serve.py`` (app.py plus the session-cookie routes) on a free
   port and waits for ``/_stcore/health``;
6. launches Debian's Chromium through Playwright;

and tears everything down again (process groups terminated, then killed). Use it as::

    with running_app() as app:
        page = app.new_page()
        app.open(page, "")
        wait_for_maps(page, 1)

The helpers that know the Streamlit and Leaflet DOM, and the rule that every wait is for
the exact state a test checks, live in :mod:`tests.e2e.browser`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from geo.settings import PROJECT_ROOT
from tests.e2e.browser import (
    EXPECT_TIMEOUT_MS,
    MAP_IFRAME,
    SCHOOL_MARKER,
    after_run,
    count,
    go_to,
    wait_for_idle,
    wait_for_maps,
    wait_until,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
)

#: A partner name that runs script if any page or map puts it into HTML unescaped, or
#: into a JavaScript template literal unescaped (``${…}`` and the backtick).
HOSTILE_NAME = (
    '<img src=x onerror="window.__xss=1">Grondbedrijf ${window.__xss=2} ` test'
    "</script><script>window.__xss=3</script>"
)
#: The visible, harmless part of the hostile name.
HOSTILE_VISIBLE = "Grondbedrijf"
#: On Texel (GM0448, Noord-Holland Noord) between Den Burg and Oosterend: far from the
#: example partners (so not clustered at the opening zoom) and from the schools.
HOSTILE_LATLON = (53.0850, 4.8350)
HOSTILE_PERSON = {
    "contactpersoon": "Xander Scriptvrij",
    "email": "x.scriptvrij@grondbedrijf.e2e.invalid",
    "telefoon": "0222-555019",
}

TEAM_USER, TEAM_PASSWORD = "e2e", "e2e-team-wachtwoord"
BOARD_USER, BOARD_PASSWORD = "e2e-bestuur", "e2e-bestuur-wachtwoord"

#: Seconds to wait for the app, the fake server and the first page.
START_TIMEOUT_S = 90.0

#: Set to a factor (e.g. ``4``) to run Chromium that many times slower (CDP CPU
#: throttling): a rehearsal of a busy CI machine for the exact waits of the tests.
SLOWDOWN_ENV = "INFRAKAART_E2E_SLOWDOWN"


class HarnessError(RuntimeError):
    """The app or a helper process could not be started."""


def chromium_available() -> bool:
    """True when Debian's Chromium is installed where the harness expects it."""
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def _slowdown() -> float:
    raw = os.environ.get(SLOWDOWN_ENV, "").strip()
    try:
        return float(raw) if raw else 1.0
    except ValueError as err:
        raise HarnessError(f"{SLOWDOWN_ENV} moet een getal zijn, niet {raw!r}.") from err


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen, *, timeout: float = 10.0) -> None:
    """Terminate a process started in its own session, with its children."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, n: int = 60) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(geen log)"
    return "\n".join(lines[-n:])


@dataclass
class App:
    """A running app: its URL, its register, a browser, and DOM helpers."""

    url: str
    var_dir: Path
    database_path: Path
    pdok_url: str
    log_path: Path
    browser: object  # playwright.sync_api.Browser
    server_pid: int = 0  # the ``streamlit run`` process
    _contexts: list = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The environment the app runs with (its var dir, database, fake PDOK)."""
        return _env(self.var_dir, self.database_path, self.pdok_url)

    # -- register ---------------------------------------------------------------------
    def store(self):
        """A :class:`geo.register.store.Store` on the app's database (close it after use)."""
        from geo.reference.data import load_reference
        from geo.register.store import Store
        from geo.settings import Settings

        return Store(self.database_path, load_reference(Settings().data_dir))

    def personal_data(self) -> dict[str, list[str]]:
        """Every contact person, e-mail address and phone number in the register."""
        with self.store() as store:
            frame = store.organisations(include_personal=True)
        return {
            col: sorted({str(v).strip() for v in frame[col].dropna() if str(v).strip()})
            for col in ("contactpersoon", "email", "telefoon")
        }

    def pdok_mode(self, mode: str) -> None:
        """Switch the fake PDOK's failure ``mode`` (``"500"``: PDOK down; ``"ok"``: back)."""
        import urllib.request

        from tests.fake_pdok import CONTROL_PATH

        with urllib.request.urlopen(f"{self.pdok_url.rstrip('/')}{CONTROL_PATH}?mode={mode}",
                                    timeout=10) as answer:
            assert answer.status == 200

    # -- browser ----------------------------------------------------------------------
    def new_page(self, *, width: int = 1400, height: int = 900):
        """A page in a fresh browser context (a new Streamlit session: public role)."""
        context = self.browser.new_context(viewport={"width": width, "height": height},
                                           locale="nl-NL")
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        self._contexts.append(context)
        page = context.new_page()
        slowdown = _slowdown()
        if slowdown > 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate",
                                               {"rate": slowdown})
        return page

    def open(self, page, path: str = "") -> None:
        """Load ``/<path>`` (a new session) and wait until the script has run."""
        page.goto(f"{self.url}/{path.lstrip('/')}", wait_until="domcontentloaded")
        wait_for_idle(page)

    def login(self, page, user: str, password: str) -> None:
        """Sign in through the Inloggen page; waits until it greets ``user`` and is done."""
        go_to(page, "Inloggen")
        page.get_by_label("Gebruikersnaam").fill(user)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        after_run(page, page.locator('[data-testid="stAlertContentSuccess"]').filter(
            has_text=f"U bent ingelogd als {user} · "))

    def close(self) -> None:
        for context in self._contexts:
            with contextlib.suppress(Exception):
                context.close()
        self._contexts.clear()


# -- the harness ------------------------------------------------------------------------

def _env(var_dir: Path, database: Path, pdok_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAKAART_")}
    env.update({
        "INFRAKAART_VAR_DIR": str(var_dir),
        "INFRAKAART_DATABASE_PATH": str(database),
        "INFRAKAART_ASSET_MODE": "local",
        "PYTHONUNBUFFERED": "1",
    })
    if pdok_url:
        env["INFRAKAART_PDOK_URL"] = pdok_url
    return env


def _cli(args: list[str], env: dict[str, str], *, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "geo.cli", *args], cwd=PROJECT_ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=120,
    )
    if done.returncode != 0:
        raise HarnessError(f"infrakaart {' '.join(args)} mislukte ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_register(var_dir: Path, database: Path, *, hostile: bool = True,
                     extend_register: Callable[[object], object] | None = None) -> None:
    """Example partners, the hostile partner (unless ``hostile`` is false), two accounts.

    ``extend_register``, when given, is called with a :class:`geo.register.store.Store`
    on ``database`` after the partners are in (e.g. :func:`bench.synthetic.fill_register`).
    """
    env = _env(var_dir, database)
    _cli(["voorbeeld", "--database", str(database)], env)
    if hostile:
        _add_hostile_partner(database)
    if extend_register is not None:
        from geo.reference.data import load_reference
        from geo.register.store import Store
        from geo.settings import Settings

        with Store(database, load_reference(Settings().data_dir)) as store:
            extend_register(store)
    _cli(["gebruiker", "toevoegen", TEAM_USER, "--rol", "team", "--wachtwoord-stdin"], env,
         stdin=TEAM_PASSWORD + "\n")
    _cli(["gebruiker", "toevoegen", BOARD_USER, "--rol", "bestuur", "--wachtwoord-stdin"],
         env, stdin=BOARD_PASSWORD + "\n")


def _add_hostile_partner(database: Path) -> None:
    from geo.reference.data import load_reference
    from geo.register.store import Store
    from geo.settings import Settings

    with Store(database, load_reference(Settings().data_dir)) as store:
        org_id = store.save_organisation(
            {"naam": HOSTILE_NAME, "soort": "aannemer", "donateur": True, "actief": True,
             "plaats": "Den Burg", "website": "https://grondbedrijf.e2e.invalid",
             "lat": HOSTILE_LATLON[0], "lon": HOSTILE_LATLON[1], **HOSTILE_PERSON},
            user="e2e",
        )
        saved = store.get_organisation(org_id)
    if saved.get("gemeentecode") != "GM0448" or saved.get("naam") != HOSTILE_NAME:
        raise HarnessError(f"De testpartner kwam niet goed in het register: {saved!r}")


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    try:
        return subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=handle,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    finally:
        handle.close()  # the child keeps its own descriptor


def _start_fake_pdok(var_dir: Path, stack: contextlib.ExitStack) -> str:
    log = var_dir / "fake_pdok.log"
    with log.open("wb") as handle:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_pdok", "--port", "0"], cwd=PROJECT_ROOT,
            env=_env(var_dir, var_dir / "unused.sqlite"), stdout=subprocess.PIPE,
            stderr=handle, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        )
    stack.callback(process.stdout.close)
    stack.callback(_stop, process)
    line = process.stdout.readline().strip()  # the URL is the first line
    if not line.startswith("http"):
        _stop(process)
        raise HarnessError(f"Nep-PDOK startte niet:\n{_tail(log)}")
    return line


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HarnessError(f"Streamlit stopte met code {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                body = response.read().decode().strip()
                if response.status == 200 and body == "ok":
                    return
                last = f"{response.status} {body!r}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
            last = str(err)
        time.sleep(0.2)
    raise HarnessError(f"Streamlit werd niet gezond binnen {timeout_s:.0f} s ({last}):\n"
                       f"{_tail(log)}")


@contextlib.contextmanager
def streamlit_server(script: str, env: dict[str, str],
                     log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run <script>`` (relative to the project) on 127.0.0.1.

    Yields ``(url, process)`` once ``/_stcore/health`` answers; stops the server (its
    process group) when the block ends. The output goes to ``log``.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start(
        [sys.executable, "-m", "streamlit", "run", script,
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env, log,
    )
    try:
        _wait_healthy(url, process, log, START_TIMEOUT_S)
        yield url, process
    finally:
        _stop(process)


@contextlib.contextmanager
def running_app(*, keep_dir: bool = False, warm_up: bool = True, hostile: bool = True,
                browser=None,
                extend_register: Callable[[object], object] | None = None) -> Iterator[App]:
    """Start everything (see the module docstring) and yield an :class:`App`.

    Parameters
    ----------
    keep_dir : bool
        Keep the temporary var dir (database, logs) after teardown, for debugging.
    warm_up : bool
        Open the start page once before yielding, so the server has loaded the
        reference data and run the router (``st.navigation``) at least once.
    hostile : bool
        Add the partner named :data:`HOSTILE_NAME` (off for pictures of the example data).
    browser : playwright.sync_api.Browser, optional
        Use this browser instead of launching one (Playwright's sync API allows one
        running instance per thread, so a second app in the same test run shares it).
    extend_register : callable, optional
        Called with a :class:`geo.register.store.Store` on the app's database before the
        app starts (see :func:`prepare_register`); the tests leave it out.
    """
    if not chromium_available():
        raise HarnessError(f"Chromium ontbreekt op {CHROMIUM} (installeer met "
                           "'apt-get install chromium' of 'make browser').")
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        var_dir = Path(tempfile.mkdtemp(prefix="infrakaart-e2e-"))
        if not keep_dir:
            stack.callback(shutil.rmtree, var_dir, ignore_errors=True)
        database = var_dir / "infrakaart.sqlite"

        pdok_url = _start_fake_pdok(var_dir, stack)
        prepare_register(var_dir, database, hostile=hostile,
                         extend_register=extend_register)

        log = var_dir / "streamlit.log"
        url, app_process = stack.enter_context(
            streamlit_server("serve.py", _env(var_dir, database, pdok_url), log))

        if browser is None:
            playwright = sync_playwright().start()
            stack.callback(playwright.stop)
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True)
            stack.callback(browser.close)

        app = App(url=url, var_dir=var_dir, database_path=database, pdok_url=pdok_url,
                  log_path=log, browser=browser, server_pid=app_process.pid)
        stack.callback(app.close)
        if warm_up:
            page = app.new_page()
            app.open(page)
            wait_for_maps(page, 1, timeout_s=START_TIMEOUT_S)
            page.context.close()
        yield app


def save_readme_screenshot(path: Path, *, width: int = 1400, height: int = 900) -> Path:
    """The public Kaart with example data, sidebar folded away, as a PNG for the README."""
    with running_app(hostile=False) as app:
        page = app.new_page(width=width, height=height)
        app.open(page)
        wait_for_maps(page, 1)
        with app.store() as store:
            expected = int(store.schools()["lat"].notna().sum())
        wait_until(lambda: count(page, SCHOOL_MARKER) == expected, what="alle scholen")
        page.locator('[data-testid="stSidebar"]').hover()
        page.locator('[data-testid="stSidebarCollapseButton"] button').click()
        page.wait_for_selector('[data-testid="stSidebar"][data-collapsed="true"]',
                               state="attached")
        page.mouse.move(width - 10, 10)  # no hover effects in the picture
        page.locator(MAP_IFRAME).first.evaluate("e => e.scrollIntoView({block: 'end'})")
        # The sidebar slides away and the map iframe resizes: wait for the layout to settle.
        page.wait_for_function(
            """sel => { const f = document.querySelector(sel); if (!f) return false;
                        const w = f.getBoundingClientRect().width;
                        const same = window.__lastWidth === w; window.__lastWidth = w;
                        return same; }""",
            arg=MAP_IFRAME, polling=250)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
        return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "docs" / "kaart.png"
    print(save_readme_screenshot(target))
