"""Travel model: estimated travel distance and time between points.

The analysis only talks to the :class:`TravelModel` protocol, so a real router (a
network built with osmnx, or an OSRM/ORS server when online) can replace the default
:class:`StraightLineModel` without touching :mod:`geo.analysis.indicators`.

The default model is deliberately simple and transparent: the straight-line distance in
RD New (EPSG:28992) times a detour factor, and per mode a fixed start-up time plus that
distance at an average door-to-door speed. Every figure it produces is an *estimate*;
the assumptions are written out in Dutch in :data:`ASSUMPTIONS_NL` for the "Over" page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from geo.analysis.names import MODES
from geo.settings import DEFAULTS
from geo.text import decimal_comma

#: Label to show next to every distance or time from the travel model.
ESTIMATE_LABEL = "schatting (hemelsbreed × omwegfactor, geen routeplanner)"




@runtime_checkable
class TravelModel(Protocol):
    """Anything that estimates travel between points given in RD New metres.

    A router-backed implementation computes the same two matrices from a network;
    :mod:`geo.analysis.indicators` never needs to know which model it got.
    """

    def distances_km(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Travel distance in km, shape ``(n_origins, n_destinations)``."""
        ...

    def durations_min(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, *, mode: str
    ) -> np.ndarray:
        """Travel time in minutes for ``mode``, shape ``(n_origins, n_destinations)``."""
        ...

    def describe_nl(self) -> str:
        """A one-line Dutch description of the model and its settings."""
        ...


def as_xy(xy: np.ndarray) -> np.ndarray:
    """``xy`` as a float array of shape (n, 2); an empty input gives shape (0, 2).

    Raises
    ------
    ValueError
        When the shape is not (n, 2).
    """
    arr = np.asarray(xy, dtype=float)
    if arr.size == 0:
        return arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError("coordinates must have shape (n, 2)")
    return arr


def check_mode(mode: str) -> str:
    """Return ``mode`` when it is one of :data:`MODES`, else raise a Dutch ValueError."""
    if mode not in MODES:
        raise ValueError(f"Onbekende reiswijze '{mode}'; kies uit {', '.join(MODES)}.")
    return mode


@dataclass(frozen=True)
class StraightLineModel:
    """Straight line in RD New × detour factor, at an average speed per mode.

    ``minutes = start-up time + distance_km / speed × 60``, with ``distance_km`` the
    straight-line distance times ``detour``. Immutable and hashable, so it can be a
    cache key.

    Parameters
    ----------
    detour : float
        Travel distance over straight-line distance, at least 1.
    speed_bike_kmh : float
        Average cycling speed (mode ``fiets``), km/h.
    speed_transit_car_kmh : float
        Average door-to-door speed of public transport / car (mode ``ov_auto``) after
        the start-up time, km/h.
    wait_transit_car_min : float
        Start-up time of an ``ov_auto`` trip in minutes.

    The defaults are those of :data:`geo.settings.DEFAULTS`.
    """

    detour: float = DEFAULTS.detour
    speed_bike_kmh: float = DEFAULTS.speed_bike_kmh
    speed_transit_car_kmh: float = DEFAULTS.speed_transit_car_kmh
    wait_transit_car_min: float = DEFAULTS.wait_transit_car_min

    def __post_init__(self) -> None:
        if not np.isfinite(self.detour) or self.detour < 1.0:
            raise ValueError("De omwegfactor moet 1 of groter zijn.")
        for speed in (self.speed_bike_kmh, self.speed_transit_car_kmh):
            if not np.isfinite(speed) or speed <= 0:
                raise ValueError("Een snelheid moet groter dan 0 km/u zijn.")
        if not np.isfinite(self.wait_transit_car_min) or self.wait_transit_car_min < 0:
            raise ValueError("De opstarttijd kan niet negatief zijn.")

    @property
    def speeds_kmh(self) -> dict[str, float]:
        """Average speed per mode (km/h)."""
        return {"fiets": self.speed_bike_kmh, "ov_auto": self.speed_transit_car_kmh}

    @property
    def start_min(self) -> dict[str, float]:
        """Fixed start-up time per mode (minutes)."""
        return {"fiets": 0.0, "ov_auto": self.wait_transit_car_min}

    def straight_km(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Straight-line distance in km between RD New points, ``(n_o, n_d)``."""
        o = as_xy(origins_xy)
        d = as_xy(destinations_xy)
        diff = o[:, None, :] - d[None, :, :]
        return np.hypot(diff[..., 0], diff[..., 1]) / 1000.0

    def distances_km(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Estimated travel distance: straight line × detour, km, ``(n_o, n_d)``.

        Parameters
        ----------
        origins_xy, destinations_xy : numpy.ndarray
            Shape ``(n, 2)``, RD New metres. NaN rows give NaN distances.

        Returns
        -------
        numpy.ndarray
        """
        return self.straight_km(origins_xy, destinations_xy) * self.detour

    def minutes(self, distance_km: np.ndarray, *, mode: str) -> np.ndarray:
        """Travel time in minutes for travel distances (already including the detour).

        Parameters
        ----------
        distance_km : array-like
            Travel distances in km, e.g. from :meth:`distances_km`.
        mode : {"fiets", "ov_auto"}

        Returns
        -------
        numpy.ndarray
            Same shape as ``distance_km``.
        """
        check_mode(mode)
        km = np.asarray(distance_km, dtype=float)
        return self.start_min[mode] + km / self.speeds_kmh[mode] * 60.0

    def durations_min(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, *, mode: str
    ) -> np.ndarray:
        """Estimated travel time in minutes, ``(n_o, n_d)``; see :meth:`minutes`."""
        return self.minutes(self.distances_km(origins_xy, destinations_xy), mode=mode)

    def describe_nl(self) -> str:
        """Dutch one-liner with the current settings."""
        return (
            f"Schatting: hemelsbreed × {decimal_comma(self.detour)} omweg; fiets "
            f"{decimal_comma(self.speed_bike_kmh)} km/u; OV/auto "
            f"{decimal_comma(self.wait_transit_car_min)} min + "
            f"{decimal_comma(self.speed_transit_car_kmh)} km/u."
        )

def assumptions_nl(model: StraightLineModel | None = None) -> str:
    """Dutch explanation of the straight-line model and its figures (Markdown).

    Parameters
    ----------
    model : StraightLineModel, optional
        The model to explain; the default model (:data:`geo.settings.DEFAULTS`) when omitted.
    """
    m = model or StraightLineModel()
    return (
        "Reisafstanden en reistijden zijn **schattingen**, geen routeplanner-uitkomsten. "
        "De afstand is de hemelsbrede afstand (berekend in het Rijksdriehoekstelsel, RD "
        f"New) maal een omwegfactor van {decimal_comma(m.detour)}: wegen en spoorlijnen "
        "lopen zelden recht, en in Nederland is de afstand over de weg gemiddeld zo'n 1,2 "
        "tot 1,4 keer de hemelsbrede afstand. "
        f"Fiets: gemiddeld {decimal_comma(m.speed_bike_kmh)} km/u, het tempo van een "
        "scholier op een gewone rit. "
        f"OV/auto: {decimal_comma(m.wait_transit_car_min)} minuten om op gang te komen "
        "(lopen naar de halte, wachten, parkeren) en daarna gemiddeld "
        f"{decimal_comma(m.speed_transit_car_kmh)} km/u van deur tot deur; trein en "
        "snelweg zijn sneller, maar overstappen, stoppen en de bus in het buitengebied "
        "drukken het gemiddelde. "
        "Veerdiensten (Texel) en dienstregelingen zitten niet in het model: voor Texel is "
        "de echte reistijd langer. De omwegfactor en de snelheden zijn in de app aan te "
        "passen."
    )


#: The explanation of the default model, for the "Over" page.
ASSUMPTIONS_NL = assumptions_nl()
