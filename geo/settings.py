"""Immutable application settings, built once from the environment.

Every field can be set through an environment variable named ``INFRAKAART_<FIELD>``
(upper case). The settings object is frozen: one server process serves every user,
so nothing may change it at runtime. Build a variant with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PDOK_LOCATIESERVER_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/"


@dataclass(frozen=True)
class Settings:
    """Configuration of Infrakaart.

    Attributes
    ----------
    data_dir : Path
        Folder with the bundled reference data (``data/``).
    var_dir : Path
        Folder for runtime files: database, geocoder cache, accounts. Git-ignored.
    database_path : Path
        The SQLite database holding the register (organisations, schools, history).
    geocode_cache_path : Path
        SQLite file caching good geocoder answers, keyed by the prepared request.
        It holds addresses of organisations only, never contact persons.
    users_path : Path
        TOML file with local accounts (name, role, argon2 hash). Git-ignored.
    pdok_url : str
        Base URL of PDOK Locatieserver v3_1 (ends with a slash).
    pdok_timeout_s : float
        Deadline of one request to PDOK, in seconds: connecting, the headers and the
        whole body together (not per read, so a server that trickles its answer cannot
        hold a request longer). A retry gets a new deadline.
    pdok_max_response_mb : float
        Largest answer read from PDOK, in megabytes (after decompression). A larger
        answer is refused unread (by its Content-Length) or as soon as it grows past
        this; PDOK's real answers are a few kilobytes.
    pdok_rate_per_s : float
        Maximum number of requests per second sent to PDOK.
    pdok_retries : int
        Number of retries on 429/5xx/time-out before giving up.
    offline : bool
        Never contact PDOK; geocode with the bundled postcode and place data only.
    user_agent : str
        User-Agent sent with every request.
    referer : str
        Referer sent with every request (PDOK asks clients to send one).
    asset_mode : str
        Where maps load Leaflet from: ``"local"`` (files in ``static/``, served by
        Streamlit; works offline) or ``"cdn"`` (the public CDNs folium uses).
    static_dir : Path
        Folder with the local front-end assets (made by ``make setup``).
    max_upload_mb : int
        Largest file accepted for import, in megabytes.
    max_import_rows : int
        Largest number of data rows accepted in one import on the Beheer page (which
        keeps every row's verdict in the session while it is reviewed).
    max_cli_import_rows : int
        Largest number of data rows ``infrakaart import`` accepts in one file: the
        command line keeps nothing between runs, so a larger list is fine there.
    trusted_proxies : str
        Reverse proxies whose ``X-Forwarded-For`` header names the real client for login
        throttling: IP addresses and networks (CIDR), separated by commas, e.g.
        ``"127.0.0.1"`` for a proxy on the same machine or ``"10.0.0.5"``. Empty (the
        default): the header is never believed and the connection's peer is the client,
        so everyone behind one proxy shares one throttle bucket (too strict, never too
        lenient). Only list proxies that append to or overwrite the header themselves.
        Streamlit's own server (uvicorn) already applies the header of a peer on
        127.0.0.1/::1 (``FORWARDED_ALLOW_IPS``); the app believes that result only when
        this setting trusts that proxy too (see ``geo.auth.client_address``).
    backup_dir : Path
        Folder for the register's backups (``infrakaart backup``, and the copy the app
        makes itself before it upgrades the register's schema). Follows ``var_dir``.
    backup_keep : int
        Number of ordinary backups ``infrakaart backup`` keeps (the newest); older ones
        are deleted. Copies made before an upgrade or a restore are never deleted.
    log_level : str
        Level of the app's own log (``DEBUG``, ``INFO``, ``WARNING``, ``ERROR``).
    log_file : bool
        Write the log to ``var_dir/logs/infrakaart.log`` (mode 0600), rotated at 5 MB
        with five old files kept (:mod:`geo.logs`). The app also logs to standard error.
    session_idle_min : float
        A login ends after this many minutes without any use (idle time-out), also when
        the browser tab stays open; signing in again starts a new one.
    session_lifetime_hours : float
        A login ends this many hours after signing in, however busy (absolute lifetime);
        also how long the browser keeps the session cookie.
    cookie_secure : bool
        Always mark the session cookie ``Secure``. It already is when a request arrives
        over https (also via a proxy on this machine that sends ``X-Forwarded-Proto``);
        set this behind a TLS proxy elsewhere.

    Every field may also be read from a file, as container secrets are: when
    ``INFRAKAART_<FIELD>`` is not set, ``INFRAKAART_<FIELD>_FILE`` names a file whose
    contents (without surrounding white space) are the value.
    """

    data_dir: Path = PROJECT_ROOT / "data"
    var_dir: Path = PROJECT_ROOT / "var"
    database_path: Path = PROJECT_ROOT / "var" / "infrakaart.sqlite"
    geocode_cache_path: Path = PROJECT_ROOT / "var" / "geocode-cache.sqlite"
    users_path: Path = PROJECT_ROOT / "var" / "gebruikers.toml"
    pdok_url: str = PDOK_LOCATIESERVER_URL
    pdok_timeout_s: float = 10.0
    pdok_max_response_mb: float = 2.0
    pdok_rate_per_s: float = 4.0
    pdok_retries: int = 3
    offline: bool = False
    user_agent: str = "Infrakaart/0.1 (+https://infrabindt.nl; Infra Bindt Noord-Holland)"
    referer: str = "https://infrabindt.nl/infrakaart"
    asset_mode: str = "local"
    static_dir: Path = PROJECT_ROOT / "static"
    max_upload_mb: int = 10
    max_import_rows: int = 5000
    max_cli_import_rows: int = 20000
    trusted_proxies: str = ""
    backup_dir: Path = PROJECT_ROOT / "var" / "backups"
    backup_keep: int = 14
    log_level: str = "INFO"
    log_file: bool = True
    session_idle_min: float = 60.0
    session_lifetime_hours: float = 12.0
    cookie_secure: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``INFRAKAART_*`` environment variables.

        Parameters
        ----------
        environ : dict, optional
            The environment to read; defaults to :data:`os.environ`.

        Returns
        -------
        Settings
            Defaults overridden by whatever the environment sets.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = _raw_value(env, f"INFRAKAART_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "ja", "yes", "on"}
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            elif isinstance(default, Path):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        if "var_dir" in values:
            var = Path(values["var_dir"])  # type: ignore[arg-type]
            values.setdefault("database_path", var / "infrakaart.sqlite")
            values.setdefault("geocode_cache_path", var / "geocode-cache.sqlite")
            values.setdefault("users_path", var / "gebruikers.toml")
            values.setdefault("backup_dir", var / "backups")
        if values.get("asset_mode", "local") not in {"local", "cdn"}:
            raise ValueError("INFRAKAART_ASSET_MODE moet 'local' of 'cdn' zijn.")
        if "log_level" in values:
            values["log_level"] = str(values["log_level"]).strip().upper()
            if values["log_level"] not in LOG_LEVELS:
                raise ValueError("INFRAKAART_LOG_LEVEL moet een van "
                                 f"{', '.join(LOG_LEVELS)} zijn.")
        if int(values.get("backup_keep", 1)) < 1:  # type: ignore[call-overload]
            raise ValueError("INFRAKAART_BACKUP_KEEP moet minstens 1 zijn.")
        if values.get("trusted_proxies"):
            from geo.auth import parse_trusted_proxies

            parse_trusted_proxies(str(values["trusted_proxies"]))  # refuse a typo at start
        return cls(**values)  # type: ignore[arg-type]

    @property
    def log_path(self) -> Path:
        """The log file used when :attr:`log_file` is on."""
        return self.var_dir / "logs" / "infrakaart.log"

    @property
    def cache_dir(self) -> Path:
        """Folder for indexes built from the reference data (safe to delete: made again)."""
        return self.var_dir / "cache"


#: The log levels ``INFRAKAART_LOG_LEVEL`` accepts.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _raw_value(env, name: str) -> str | None:
    """``env[name]``, else the contents of the file named by ``env[name + "_FILE"]``.

    Raises
    ------
    ValueError
        With a Dutch message when the ``_FILE`` variable names a file that cannot be read.
    """
    raw = env.get(name)
    if raw not in (None, "") or not env.get(f"{name}_FILE"):
        return raw
    path = Path(env[f"{name}_FILE"])
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{name}_FILE: het bestand {path} kan niet worden gelezen "
                         f"({type(err).__name__}).") from err


@dataclass(frozen=True)
class Defaults:
    """The starting values of the analysis: one place for every default a user can change.

    The functions in :mod:`geo.analysis`, the options of the command line (their argparse
    defaults and the ``(standaard …)`` in their help), the sliders and selects of the pages
    and the explanations on the "Over" page all read :data:`DEFAULTS`; change a value here
    and all of them follow. These are starting values, not settings of the server: a user
    overrides them per call, per command or per widget.

    Attributes
    ----------
    radius_km : float
        Straight-line radius in km. A school has a partner "nearby" when one lies within
        it (inclusive: a partner exactly at the radius counts); it is also an ambassador's
        reach and the radius searches of "School koppelen" start at it.
    nearest_count : int
        Number of nearest partners listed for a school (``infrakaart dichtbij`` without
        ``-n``, the page "School koppelen").
    detour : float
        Travel distance over straight-line distance. Roads and railways are seldom
        straight; for Dutch regional trips the ratio is about 1.2 to 1.4.
    speed_bike_kmh : float
        Average cycling speed of a teenager on a utility trip (mode ``fiets``), km/h.
    speed_transit_car_kmh : float
        Average door-to-door speed of public transport or a car trip (mode ``ov_auto``)
        after the start-up time, km/h.
    wait_transit_car_min : float
        Start-up time of an ``ov_auto`` trip (walk to the stop, wait, park), minutes.
    speed_bus_kmh : float
        Door-to-door speed of the regional bus in the model with the train
        (:mod:`geo.analysis.rail`), after the start-up time, km/h: for trips the train does
        not help with and for bus legs to and from a station. Slower than
        :attr:`speed_transit_car_kmh`, which blends train and bus.
    area_mode : str
        Travel mode of the indicators, the white-spot score and "Wat als": ``ov_auto``.
        They measure how far young people live from the nearest mbo infra place, often
        20 to 60 km across the region, a trip made by public transport or by car.
    nearby_mode : str
        Travel mode of the school–partner lists (``infrakaart dichtbij``, "School
        koppelen"): ``fiets``. Those partners lie within a few kilometres of a school,
        the distance a pupil cycles to a company visit or a work placement.
    weight_scarcity : float
        Weight of "few partners" (partner access per young person) in the white-spot
        score. The parts are percentiles, so the weights compare like with like.
    weight_travel : float
        Weight of "long trip" to the nearest mbo infra place in the score: the question
        the network was started for, so a little more than the others.
    weight_schools : float
        Weight of the vmbo schools without a partner within :attr:`radius_km` in the score.
    weight_step : float
        How far each weight moves (up and down) when the ranking says how stable a
        unit's rank is: every combination of the three weights ± this step.
    access_catchment_km : float
        Catchment of a partner in the partner access of the score (two-step floating
        catchment, :mod:`geo.analysis.access`): young people this far away (straight line)
        or further do not share in it, nearer ones count more (Gaussian decay).
    travel_thresholds_min : tuple of float
        Travel times (minutes, one way) for the share of young people with a long trip
        to the nearest mbo infra place.
    top_units : int
        Number of units explained in words under the ranking (``witte-vlekken --top``).
    level : str
        Area level shown first: ``subregio`` (of ``gemeente``, ``subregio``,
        ``arbeidsmarktregio``).
    choropleth : str
        Indicator that colours the map (a key of
        :data:`geo.analysis.names.CHOROPLETH_INDICATORS`): the two-variable map of partner
        access × travel burden (``partners_x_reistijd``).
    what_if_municipality : str
        Municipality (GM code) where "Wat als" first places the new mbo infra place:
        Den Helder, the far north, where the travel gain is largest.
    vmbo_weight : float
        Weight of a school with vmbo in the ambassador planner; other schools weigh 1.
    ambassadors_per_subregion : int
        The planner starts with this many ambassadors per subregion of the division.
    solver_time_limit_s : float
        Time limit of one solve of the ambassador optimisation (CBC), in seconds.
    max_guest_lessons_vo : int
        The most guest lessons in secondary schools (VO) the network can give in one
        school year: the year overview shows the lessons given against it (strategy
        2024-2025: 100 of a maximum of 180).
    """

    radius_km: float = 10.0
    nearest_count: int = 5
    detour: float = 1.3
    speed_bike_kmh: float = 15.0
    speed_transit_car_kmh: float = 35.0
    wait_transit_car_min: float = 10.0
    speed_bus_kmh: float = 30.0
    area_mode: str = "ov_auto"
    nearby_mode: str = "fiets"
    weight_scarcity: float = 0.3
    weight_travel: float = 0.4
    weight_schools: float = 0.3
    weight_step: float = 0.1
    access_catchment_km: float = 20.0
    travel_thresholds_min: tuple[float, ...] = (45.0, 60.0)
    top_units: int = 3
    level: str = "subregio"
    choropleth: str = "partners_x_reistijd"
    what_if_municipality: str = "GM0400"
    vmbo_weight: float = 2.0
    ambassadors_per_subregion: int = 1
    solver_time_limit_s: float = 30.0
    max_guest_lessons_vo: int = 180


#: The defaults every part of Infrakaart starts from (see :class:`Defaults`).
DEFAULTS = Defaults()

