"""Reference journeys: how far off each travel model is, journey by journey.

``data/spoor/referentiereizen.csv`` lists door-to-door public-transport times with their
source. :func:`journey_errors` puts any travel models next to them; :func:`journey_table`
is the Dutch table the "Over" page shows and ``bench/`` reports the mean absolute error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geo.analysis.proximity import to_rd
from geo.analysis.rail import FILES, RAIL_DIR, read_rail_table


def load_reference_journeys(data_dir: Path | str) -> pd.DataFrame:
    """The reference journeys (``van``, ``naar``, ``minuten``, ``bron``, ...)."""
    return read_rail_table(Path(data_dir) / RAIL_DIR / FILES["journeys"], "journeys")


def journey_errors(models: Mapping[str, object], journeys: pd.DataFrame,
                   locate) -> pd.DataFrame:
    """Each model's minutes and error (model − reference) for every reference journey.

    Parameters
    ----------
    models : mapping of str to TravelModel
        Column label → model, e.g. ``{"rechte_lijn": StraightLineModel(), "trein": rail}``.
    journeys : pandas.DataFrame
        From :func:`load_reference_journeys`.
    locate : callable
        Place name → object with ``lat``/``lon`` (e.g. ``Gazetteer(reference).place``).

    Returns
    -------
    pandas.DataFrame
        The journeys plus, per model label ``m``, ``m_min`` and ``m_fout_min``.
    """
    points = {}
    for name in pd.unique(journeys[["van", "naar"]].to_numpy().ravel()):
        found = locate(name)
        if found is None:
            raise ValueError(f"{FILES['journeys']}: plaats '{name}' niet gevonden.")
        points[name] = (found.lon, found.lat)
    o = to_rd(*zip(*(points[n] for n in journeys["van"]), strict=True))
    d = to_rd(*zip(*(points[n] for n in journeys["naar"]), strict=True))
    out = journeys.copy()
    for label, model in models.items():
        minutes = np.array([model.durations_min(o[i:i + 1], d[i:i + 1], mode="ov_auto")[0, 0]
                            for i in range(len(o))])
        out[f"{label}_min"] = np.round(minutes, 1)
        out[f"{label}_fout_min"] = np.round(minutes - journeys["minuten"].to_numpy(float), 1)
    return out


def mean_absolute_error(errors: pd.DataFrame, label: str) -> float:
    """Mean absolute error (minutes) of model ``label`` in a :func:`journey_errors` table."""
    return float(errors[f"{label}_fout_min"].abs().mean())


def journey_table(errors: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """:func:`journey_errors` as a table for people: Dutch columns, model label → title.

    Parameters
    ----------
    errors : pandas.DataFrame
        From :func:`journey_errors`.
    labels : mapping of str to str
        Model label → Dutch column title, e.g. ``{"trein": "met trein"}``.
    """
    table = pd.DataFrame({"Van": errors["van"], "Naar": errors["naar"],
                          "Werkelijk (min)": errors["minuten"]})
    for label, title in labels.items():
        table[f"{title} (min)"] = errors[f"{label}_min"].round(0)
        table[f"{title}: verschil"] = errors[f"{label}_fout_min"].round(0)
    table["Bron"] = errors["bron"]
    return table
