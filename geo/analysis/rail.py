"""A door-to-door public-transport estimate that knows the train (and the Texel ferry).

:class:`RailModel` implements :class:`geo.analysis.travel.TravelModel`. For the mode
``"ov_auto"`` a trip is the quickest of

* the bus alone: the base model's start-up time, then straight line × detour at a bus
  speed (30 km/h, slower than the base model's 35 km/h blend of train and bus); the only
  option where no train helps, and
* access to one of the nearest stations (walk, bike or bus: straight line × detour at
  the mode's speed) + a boarding margin + the train (in-vehicle minutes per segment,
  intercity or sprinter, a transfer penalty each time the line changes; shortest path
  over the station graph) + egress to the destination (walk or bus).

Points on an island (Texel) first take the bus to the ferry, the boat, and continue from
the mainland harbour. The mode ``"fiets"`` and all distances come from the base model
(:class:`geo.analysis.travel.StraightLineModel`) unchanged; from it the rail model also
takes the detour factor and the start-up time of a bus trip. Everything is an
*estimate*, not a journey planner; :func:`assumptions_nl` says so in Dutch. The data
(stations, lines, segment times, ferry) live in ``data/spoor/`` with their sources;
:mod:`geo.analysis.journeys` compares any travel model with the reference journeys in
``data/spoor/referentiereizen.csv``.

The analysis of trips across the area (indicators, score, "wat als", the CLI) uses
:func:`area_model`; trips near a school (School koppelen) keep the straight-line model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo.analysis.nearest_points import PointSet, shortest_paths
from geo.analysis.proximity import to_rd
from geo.analysis.travel import StraightLineModel, as_xy, check_mode
from geo.errors import ReferenceDataError
from geo.settings import DEFAULTS
from geo.text import decimal_comma

#: Folder inside the data directory with the rail data.
RAIL_DIR = "spoor"
FILES = {
    "stations": "stations.csv",
    "lines": "lijnen.csv",
    "segments": "rijtijden.csv",
    "ferries": "veerdiensten.csv",
    "journeys": "referentiereizen.csv",
}
_COLUMNS = {
    "stations": ("code", "naam", "lat", "lon"),
    "lines": ("lijn", "soort", "haltes"),
    "segments": ("van", "naar", "soort", "minuten"),
    "ferries": ("naam", "lat_eiland", "lon_eiland", "lat_vasteland", "lon_vasteland",
                "overtocht_min", "eiland_x_min_rd", "eiland_y_min_rd", "eiland_x_max_rd",
                "eiland_y_max_rd"),
    "journeys": ("van", "naar", "minuten", "bron"),
}

#: Label to show next to every time from this model.
ESTIMATE_LABEL = "schatting (trein, bus en veerboot vereenvoudigd; geen routeplanner)"


@dataclass(frozen=True)
class RailOptions:
    """The assumptions of :class:`RailModel` (all times in minutes, speeds in km/h).

    Parameters
    ----------
    walk_kmh, bike_kmh : float
        Walking and cycling speed on the access and egress legs.
    bus_kmh : float
        Door-to-door speed of the bus (after the base model's start-up time), for trips
        without the train and for bus legs to and from a station. Slower than the
        straight-line model's 35 km/h, which blends train and bus: once the train is
        explicit, what is left is the regional bus.
    bike_park_min : float
        Parking the bike at the station.
    board_min : float
        Margin before the first train (be on the platform, check in).
    transfer_min : float
        Fixed penalty per change of line (walk to the other platform and wait). Most
        connections in Noord-Holland are timed, so half the headway would overstate it.
    ferry_margin_min : float
        Margin before the boat (the island buses are timed to the boat).
    nearest_stations : int
        Stations tried on each side of a trip.
    """

    walk_kmh: float = 5.0
    bike_kmh: float = 15.0
    bus_kmh: float = DEFAULTS.speed_bus_kmh
    bike_park_min: float = 2.0
    board_min: float = 5.0
    transfer_min: float = 6.0
    ferry_margin_min: float = 5.0
    nearest_stations: int = 5

    def __post_init__(self) -> None:
        for name in ("walk_kmh", "bike_kmh", "bus_kmh"):
            if not np.isfinite(getattr(self, name)) or getattr(self, name) <= 0:
                raise ValueError("Een snelheid moet groter dan 0 km/u zijn.")
        for name in ("bike_park_min", "board_min", "transfer_min", "ferry_margin_min"):
            if not np.isfinite(getattr(self, name)) or getattr(self, name) < 0:
                raise ValueError("Een wacht- of overstaptijd kan niet negatief zijn.")
        if self.nearest_stations < 1:
            raise ValueError("Probeer minstens één station.")


@dataclass(frozen=True, eq=False)
class RailData:
    """The tables of ``data/spoor/`` as read, plus a digest of their bytes."""

    stations: pd.DataFrame
    lines: pd.DataFrame
    segments: pd.DataFrame
    ferries: pd.DataFrame
    digest: str


def read_rail_table(path: Path, kind: str) -> pd.DataFrame:
    """One bundled rail table (``kind`` a key of :data:`FILES`), checked for its columns.

    Raises
    ------
    ReferenceDataError
        When the file is missing or lacks a column (a Dutch message naming the file).
    """
    if not path.is_file():
        raise ReferenceDataError(f"Spoorgegevens ontbreken: {path}")
    frame = pd.read_csv(path, dtype={"code": str, "van": str, "naar": str})
    missing = [c for c in _COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise ReferenceDataError(f"{path.name}: kolommen ontbreken: {', '.join(missing)}")
    return frame


def load_rail_data(data_dir: Path | str) -> RailData:
    """Read and check the rail tables in ``data_dir / "spoor"``.

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file when a table is missing, lacks a column, or a line stops at
        an unknown station or uses a segment without a travel time.
    """
    folder = Path(data_dir) / RAIL_DIR
    paths = {kind: folder / FILES[kind] for kind in ("stations", "lines", "segments", "ferries")}
    tables = {kind: read_rail_table(path, kind) for kind, path in paths.items()}
    stations = tables["stations"]
    if stations["code"].duplicated().any():
        raise ReferenceDataError(f"{FILES['stations']}: stationscodes moeten uniek zijn.")
    known = set(stations["code"])
    timed = {(r.van, r.naar, r.soort) for r in tables["segments"].itertuples()}
    for line in tables["lines"].itertuples():
        stops = str(line.haltes).split()
        unknown = sorted(set(stops) - known)
        if unknown:
            raise ReferenceDataError(f"{FILES['lines']}: {line.lijn} stopt op onbekende stations "
                             f"{', '.join(unknown)}.")
        for a, b in zip(stops, stops[1:], strict=False):
            if (a, b, line.soort) not in timed and (b, a, line.soort) not in timed:
                raise ReferenceDataError(f"{FILES['segments']}: geen rijtijd {line.soort} {a}-{b} "
                                 f"(lijn {line.lijn}).")
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths.values())).hexdigest()
    return RailData(stations, tables["lines"], tables["segments"], tables["ferries"], digest)


def station_minutes(data: RailData, *, board_min: float, transfer_min: float) -> np.ndarray:
    """Quickest train time between every two stations, boarding and transfers included.

    Graph: per station an entry and an exit node; per line and stop a ride node. Entry
    → ride costs ``board_min``; ride → next ride on the same line the segment time;
    ride → exit nothing; exit → ride (a change of line) ``transfer_min``. Dijkstra from
    every entry node.

    Returns
    -------
    numpy.ndarray
        ``(n_stations, n_stations)`` minutes in the order of ``data.stations``;
        ``inf`` on the diagonal (no train) and between unconnected stations.
    """
    codes = list(data.stations["code"])
    index = {code: i for i, code in enumerate(codes)}
    n = len(codes)
    times = {}
    for seg in data.segments.itertuples():
        times[(seg.van, seg.naar, seg.soort)] = float(seg.minuten)
        times.setdefault((seg.naar, seg.van, seg.soort), float(seg.minuten))
    rows, cols, costs = [], [], []

    def edge(a: int, b: int, cost: float) -> None:
        rows.append(a)
        cols.append(b)
        costs.append(max(cost, 1e-9))  # a zero cost would be no edge in a sparse graph

    node = 2 * n  # 0..n-1 entry, n..2n-1 exit, then ride nodes
    for line in data.lines.itertuples():
        stops = str(line.haltes).split()
        first = node
        for k, code in enumerate(stops):
            s = index[code]
            edge(s, node, board_min)
            edge(node, n + s, 0.0)
            edge(n + s, node, transfer_min)
            if k + 1 < len(stops):
                minutes = times[(code, stops[k + 1], line.soort)]
                edge(node, node + 1, minutes)   # along the line ...
                edge(node + 1, node, minutes)   # ... and back
            node += 1
        assert node - first == len(stops)
    dist = shortest_paths(node, np.array(rows), np.array(cols), np.array(costs),
                          np.arange(n))[:, n:2 * n]
    np.fill_diagonal(dist, np.inf)
    return dist


@dataclass(frozen=True)
class _Ferry:
    island_xy: np.ndarray
    mainland_xy: np.ndarray
    crossing_min: float
    box: tuple[float, float, float, float]

    def on_island(self, xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        xmin, ymin, xmax, ymax = self.box
        with np.errstate(invalid="ignore"):
            return (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)


class RailModel:
    """Door-to-door public transport with the train, behind the ``TravelModel`` seam.

    Parameters
    ----------
    data : RailData
        Stations, lines, segment times and ferries (see :func:`load_rail_data`).
    base : StraightLineModel, optional
        Gives the detour factor and the bus start-up time, and answers ``"fiets"`` and
        :meth:`distances_km`. Its OV/auto speed is not used: the bus has its own speed
        (:attr:`RailOptions.bus_kmh`).
    options : RailOptions, optional
        Speeds, margins and penalties.

    Notes
    -----
    Equal models (same data bytes, base and options) compare and hash equal, so the
    model can be a cache key like :class:`StraightLineModel`.
    """

    def __init__(self, data: RailData, *, base: StraightLineModel | None = None,
                 options: RailOptions | None = None) -> None:
        self.data = data
        self.base = base or StraightLineModel()
        self.options = options or RailOptions()
        st = data.stations
        self.station_codes = tuple(st["code"])
        self.station_xy = to_rd(st["lon"].to_numpy(), st["lat"].to_numpy())
        self.rail_min = station_minutes(data, board_min=self.options.board_min,
                                        transfer_min=self.options.transfer_min)
        self._tree = PointSet(self.station_xy)
        self._ferries = tuple(
            _Ferry(to_rd([f.lon_eiland], [f.lat_eiland])[0],
                   to_rd([f.lon_vasteland], [f.lat_vasteland])[0], float(f.overtocht_min),
                   (f.eiland_x_min_rd, f.eiland_y_min_rd, f.eiland_x_max_rd, f.eiland_y_max_rd))
            for f in data.ferries.itertuples()
        )

    @classmethod
    def from_data(cls, data_dir: Path | str, *, base: StraightLineModel | None = None,
                  options: RailOptions | None = None) -> RailModel:
        """The model on the bundled tables in ``data_dir/spoor``.

        To use it in the analysis, pass it where a ``StraightLineModel`` is built today,
        with that model (the user's detour, cycling speed and start-up time) as the base,
        e.g.
        ``travel = RailModel.from_data(settings.data_dir, base=StraightLineModel(detour=d))``
        and then ``indicators(..., travel=travel)``. Build it once (it computes the
        station graph, ~20 ms) and cache it as a resource.
        """
        return cls(load_rail_data(data_dir), base=base, options=options)

    # -- the TravelModel protocol -------------------------------------------------------

    def distances_km(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Travel distance of the base model (straight line × detour), km."""
        return self.base.distances_km(origins_xy, destinations_xy)

    def durations_min(self, origins_xy: np.ndarray, destinations_xy: np.ndarray, *,
                      mode: str = "ov_auto") -> np.ndarray:
        """Minutes for every origin × destination, ``(n_o, n_d)``.

        ``"ov_auto"``: the quickest of the bus and the train (with the ferry for island
        points); ``"fiets"``: the base model.
        """
        check_mode(mode)
        o, d = as_xy(origins_xy), as_xy(destinations_xy)
        if mode != "ov_auto":
            return self.base.durations_min(o, d, mode=mode)
        return self._ov_minutes(o, d, pairwise=False)

    def pair_durations_min(self, origins_xy: np.ndarray, destinations_xy: np.ndarray, *,
                           mode: str = "ov_auto") -> np.ndarray:
        """Minutes for the pairs ``(origins_xy[i], destinations_xy[i])``, shape ``(n,)``."""
        check_mode(mode)
        o, d = as_xy(origins_xy), as_xy(destinations_xy)
        if len(o) != len(d):
            raise ValueError("origins and destinations must have the same length")
        if mode != "ov_auto":
            return self.base.minutes(np.hypot(*(o - d).T) / 1000.0 * self.base.detour,
                                     mode=mode)
        return self._ov_minutes(o, d, pairwise=True)

    def bus_durations_min(self, origins_xy: np.ndarray,
                          destinations_xy: np.ndarray) -> np.ndarray:
        """The bus-only option for every origin × destination (no train, no boat)."""
        return self._bus_minutes(self.base.straight_km(origins_xy, destinations_xy))

    def describe_nl(self) -> str:
        """Dutch one-liner with the settings."""
        opt, base = self.options, self.base
        return (
            f"Schatting met trein: het snelste van de bus ("
            f"{decimal_comma(base.wait_transit_car_min)} min + {decimal_comma(opt.bus_kmh)} "
            f"km/u, omweg {decimal_comma(base.detour)}) en lopen/fietsen/bus naar een station + "
            f"{decimal_comma(opt.board_min)} min marge + trein (overstap "
            f"{decimal_comma(opt.transfer_min)} min) + lopen/bus; Texel via de veerboot. Geen "
            "routeplanner."
        )

    # -- internals -----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RailModel):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.data.digest, self.base, self.options)

    def _bus_minutes(self, km: np.ndarray) -> np.ndarray:
        """The bus for straight-line ``km``: start-up time + km × detour at bus speed."""
        return self.base.wait_transit_car_min + km * self.base.detour / self.options.bus_kmh * 60.0

    def _leg_minutes(self, km: np.ndarray, *, bike: bool) -> np.ndarray:
        """Quickest of walking, (biking) and the bus for straight-line ``km``."""
        travel_km = km * self.base.detour
        walk = travel_km / self.options.walk_kmh * 60.0
        best = np.fmin(walk, self._bus_minutes(km))
        if bike:
            best = np.fmin(best, travel_km / self.options.bike_kmh * 60.0
                           + self.options.bike_park_min)
        return best

    def _nearest(self, xy: np.ndarray, *, bike: bool) -> tuple[np.ndarray, np.ndarray]:
        k = min(self.options.nearest_stations, len(self.station_codes))
        ok = np.isfinite(xy).all(axis=1)
        dist, idx = self._tree.query(np.where(ok[:, None], xy, 0.0), k=k)
        dist, idx = dist.reshape(len(xy), k), idx.reshape(len(xy), k)
        minutes = self._leg_minutes(dist / 1000.0, bike=bike)
        minutes[~ok] = np.nan
        return minutes, idx

    def _train_minutes(self, o: np.ndarray, d: np.ndarray, *, pairwise: bool) -> np.ndarray:
        access, io = self._nearest(o, bike=True)
        egress, jd = self._nearest(d, bike=False)
        if pairwise:
            total = (access[:, :, None] + self.rail_min[io[:, :, None], jd[:, None, :]]
                     + egress[:, None, :])
            return total.min(axis=(1, 2))
        out = np.empty((len(o), len(d)))
        chunk = max(1, 4_000_000 // max(1, len(d) * io.shape[1] ** 2))
        for start in range(0, len(o), chunk):
            sl = slice(start, start + chunk)
            rail = self.rail_min[io[sl, :, None, None], jd[None, None, :, :]]
            total = access[sl, :, None, None] + rail + egress[None, None, :, :]
            out[sl] = total.min(axis=(1, 3))
        return out

    def _ov_minutes(self, o: np.ndarray, d: np.ndarray, *, pairwise: bool) -> np.ndarray:
        """The ov_auto minutes, island legs and the boat included."""
        o_eff, d_eff = o.copy(), d.copy()
        extra_o, extra_d = np.zeros(len(o)), np.zeros(len(d))
        island_o = np.full(len(o), -1)
        island_d = np.full(len(d), -1)
        for f, ferry in enumerate(self._ferries):
            boat = self.options.ferry_margin_min + ferry.crossing_min
            for xy, eff, extra, island, bike in ((o, o_eff, extra_o, island_o, True),
                                                 (d, d_eff, extra_d, island_d, False)):
                on = ferry.on_island(xy)
                km = np.hypot(*(xy[on] - ferry.island_xy).T) / 1000.0
                extra[on] = self._leg_minutes(km, bike=bike) + boat
                eff[on] = ferry.mainland_xy
                island[on] = f
        if pairwise:
            plain = self._bus_minutes(np.hypot(*(o_eff - d_eff).T) / 1000.0)
            direct = self._bus_minutes(np.hypot(*(o - d).T) / 1000.0)
            extra = extra_o + extra_d
            same = (island_o >= 0) & (island_o == island_d)
        else:
            plain = self._bus_minutes(self.base.straight_km(o_eff, d_eff))
            direct = self.bus_durations_min(o, d)
            extra = extra_o[:, None] + extra_d[None, :]
            same = (island_o[:, None] >= 0) & (island_o[:, None] == island_d[None, :])
        best = np.fmin(plain, self._train_minutes(o_eff, d_eff, pairwise=pairwise)) + extra
        return np.where(same, direct, best)


def assumptions_nl(model: RailModel) -> str:
    """Dutch explanation of ``model`` and its figures (Markdown), for "Over" and "Wat als"."""
    opt, base = model.options, model.base
    return (
        "Reistijden met het openbaar vervoer zijn **schattingen**, geen routeplanner-"
        "uitkomsten. Per reis neemt het model het snelste van twee mogelijkheden: (1) de bus: "
        f"{decimal_comma(base.wait_transit_car_min)} minuten opstarttijd en daarna "
        f"hemelsbreed × omwegfactor {decimal_comma(base.detour)} tegen "
        f"{decimal_comma(opt.bus_kmh)} km/u; (2) de trein: lopen "
        f"({decimal_comma(opt.walk_kmh)} km/u), fietsen ({decimal_comma(opt.bike_kmh)} km/u, "
        f"{decimal_comma(opt.bike_park_min)} minuten stallen) of de bus naar een van de "
        f"{opt.nearest_stations} dichtstbijzijnde stations, {decimal_comma(opt.board_min)} "
        "minuten marge voor de eerste trein, de rijtijd per traject (intercity of sprinter, "
        f"met de stops van die lijn), {decimal_comma(opt.transfer_min)} minuten bij elke "
        "overstap, en daarna lopen of de bus naar de bestemming. Texel: eerst naar de "
        f"veerhaven, {decimal_comma(opt.ferry_margin_min)} minuten marge, de overtocht, dan "
        "verder vanaf Den Helder. De stations komen uit de open stationslijst van Rijden de "
        "Treinen; lijnen en rijtijden zijn een vereenvoudigde, gedocumenteerde tabel "
        "(data/spoor/README.md), geen volledige dienstregeling. De auto zit niet apart in "
        "het model: 'OV/auto' betekent hier openbaar vervoer. Fietstijden komen uit het "
        f"eenvoudige model (hemelsbreed × {decimal_comma(base.detour)} tegen "
        f"{decimal_comma(base.speed_bike_kmh)} km/u)."
    )


@lru_cache(maxsize=16)
def area_model(data_dir: str, base: StraightLineModel | None = None, *,
               bus_kmh: float = DEFAULTS.speed_bus_kmh) -> RailModel:
    """The travel model for trips across the area (to mbo infra places): :class:`RailModel`.

    Built once per data folder and base model (the station graph takes ~20 ms); the model
    holds public data only, so sharing it between users is fine.

    Parameters
    ----------
    data_dir : str
        The bundled data folder (``Settings.data_dir`` or ``Reference.data_dir``).
    base : StraightLineModel, optional
        The user's detour, cycling speed and start-up time; the defaults when omitted.
    bus_kmh : float
        The regional bus's door-to-door speed (:attr:`geo.settings.Defaults.speed_bus_kmh`).
    """
    return RailModel.from_data(data_dir, base=base, options=RailOptions(bus_kmh=bus_kmh))
