"""The page "Wat als": one hypothetical extra mbo infra place, compared with today."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from geo.analysis.indicators import POPULATION_EXPLANATION_NL, export_sheets, rounded
from geo.analysis.names import MODES
from geo.analysis.rail import area_model
from geo.analysis.rail import assumptions_nl as rail_assumptions_nl
from geo.analysis.scenario import scenario
from geo.analysis.score import score_explanation_nl
from geo.analysis.travel import StraightLineModel
from geo.errors import InfrakaartError
from geo.output import choropleth, maps, tables
from geo.reference.data import Division, Reference
from geo.reference.levels import LEVEL_LABELS
from geo.settings import DEFAULTS
from geo.text import md, signed_decimal

NEW_PLACE_COLOR = "#d7301f"

#: The columns of the comparison table, in order.
COMPARISON_COLUMNS = [
    "naam", "reistijd_gemiddeld_nu", "reistijd_gemiddeld_wat_als",
    "reistijd_gemiddeld_verschil", "reistijd_max_nu", "reistijd_max_wat_als",
    "afstand_gemiddeld_nu", "afstand_gemiddeld_wat_als", "score_nu", "score_wat_als",
    "rang_nu", "rang_wat_als",
]

CLICK_PROMPT = "Klik op de kaart om de nieuwe locatie te kiezen."
NO_GAIN = "Geen enkel gebied komt merkbaar dichter bij een mbo-infraopleiding."
TABLE_NOTE = (
    "Oranje rijen veranderen (zichtbaar, na afronding). Reistijd en afstand: gemiddelde "
    "naar het aantal jongeren (10–19 jaar, CBS 2021) en het langste vanuit een "
    "postcodegebied, naar de dichtstbijzijnde mbo-infralocatie. Rang 1 = meeste aandacht "
    "nodig; een gebied dat dichter bij een opleiding komt, zakt op de lijst."
)


@dataclass(frozen=True)
class WhatIfChoices:
    """The settings in the sidebar and the new place.

    Attributes
    ----------
    level : str
    mode : str
        Travel mode (a key of :data:`geo.analysis.names.MODES`).
    travel : StraightLineModel
        The visitor's detour, cycling speed and start-up time; the trip to mbo infra is
        then estimated with the train (:func:`geo.analysis.rail.area_model` on this base).
    bus_kmh : float
        The visitor's bus speed, for trips without the train.
    radius_km : float
        Radius for "a partner near the school" (it moves the score).
    location : str, (lat, lon) or None
        A GM code (its centre), a clicked point, or None while waiting for a click.
    """

    level: str = DEFAULTS.level
    mode: str = DEFAULTS.area_mode
    travel: StraightLineModel = StraightLineModel()
    bus_kmh: float = DEFAULTS.speed_bus_kmh
    radius_km: float = DEFAULTS.radius_km
    location: str | tuple[float, float] | None = DEFAULTS.what_if_municipality


@dataclass(frozen=True)
class WhatIfView:
    """What the page shows.

    Attributes
    ----------
    fmap : folium.Map
        The gain in travel time per unit, the new place and today's places.
    prompt : str or None
        Asks for a click while there is no location.
    error : str or None
        Why the scenario could not be computed (Dutch; show it escaped).
    metric : (label, value, delta) or None
        The mean travel time over the whole area, after, and its change.
    gainers : list of str
        Markdown lines on the units that gain most (escaped names); empty: :attr:`no_gain`.
    no_gain : str or None
    travel_caption : str
    table_title : str
    table : pandas.DataFrame or None
        :data:`COMPARISON_COLUMNS`, rounded, sorted by gain.
    changed : pandas.Series or None
        Per row of :attr:`table`: whether the unit's travel time or rank changes.
    csv, xlsx : bytes
        The comparison with its explanation, to download (empty without a result).
    file_stem : str
    explanations : tuple of str
        How travel and the score are estimated, and the population figures (Markdown).
    """

    fmap: folium.Map
    prompt: str | None
    error: str | None
    metric: tuple[str, str, str] | None
    gainers: list[str]
    no_gain: str | None
    travel_caption: str
    table_title: str
    table: pd.DataFrame | None
    changed: pd.Series | None
    csv: bytes
    xlsx: bytes
    file_stem: str
    explanations: tuple[str, ...]


def what_if_view(
    store,
    *,
    reference: Reference,
    division: Division,
    choices: WhatIfChoices,
    unit_polygons: gpd.GeoDataFrame,
) -> WhatIfView:
    """Today and with the new place, per unit at the chosen level.

    Parameters
    ----------
    store : geo.register.store.Store
        The register (its public columns are enough).
    reference, division : Reference, Division
    choices : WhatIfChoices
    unit_polygons : geopandas.GeoDataFrame
        Simplified polygons of the units at ``choices.level`` (a page caches them).

    Returns
    -------
    WhatIfView
    """
    partners = store.organisations(include_personal=False)
    schools, mbo = store.schools(), store.mbo_locations()
    travel = area_model(str(reference.data_dir), choices.travel,  # the train, with these
                        bus_kmh=choices.bus_kmh)                  # settings
    result, error = None, None
    if choices.location is not None:
        try:
            result = scenario(
                choices.level, new_location=choices.location, reference=reference,
                division=division, partners=partners, schools=schools, mbo=mbo,
                radius_km=choices.radius_km, travel=travel, mode=choices.mode,
            )
        except InfrakaartError as err:
            error = str(err)
    names = reference.gemeenten.set_index("gemeentecode")["gemeentenaam"].to_dict()
    fmap = _scenario_map(result, mbo, unit_polygons, place=(
        f"Nieuwe locatie: {names[choices.location]}" if isinstance(choices.location, str)
        else "Nieuwe locatie (aangeklikt)"))
    level_label = LEVEL_LABELS[choices.level].lower()
    view = dict(
        fmap=fmap, prompt=CLICK_PROMPT if choices.location is None else None, error=error,
        metric=None, gainers=[], no_gain=None, travel_caption=travel.describe_nl(),
        table_title=f"Vandaag en wat als, per {level_label}", table=None, changed=None,
        csv=b"", xlsx=b"", file_stem=f"wat-als-{choices.level}",
        explanations=(rail_assumptions_nl(travel), score_explanation_nl(),
                      POPULATION_EXPLANATION_NL),
    )
    if result is not None:
        before = result.attrs["reistijd_werkgebied_nu"]
        after = result.attrs["reistijd_werkgebied_wat_als"]
        gainers = result[result["reistijd_gemiddeld_verschil"] < -0.5].head(3)
        sheets = export_sheets(result, sheet_name="Wat als")
        shown = rounded(result)
        view.update(
            metric=(f"Gemiddelde reistijd naar mbo-infra, hele werkgebied "
                    f"({MODES[choices.mode]})", f"{after:.0f} min",
                    f"{signed_decimal(after - before)} min"),
            gainers=[_gainer_line(row) for row in gainers.itertuples(index=False)],
            no_gain=NO_GAIN if gainers.empty else None,
            table=shown[COMPARISON_COLUMNS],
            changed=visible_change(shown),
            csv=tables.table_bytes(sheets, xlsx=False),
            xlsx=tables.table_bytes(sheets, xlsx=True),
        )
    return WhatIfView(**view)


def visible_change(shown: pd.DataFrame) -> pd.Series:
    """Rows whose figures differ as people see them (after :func:`rounded`), not by 1e-12."""
    changed = shown["rang_verschil"] != 0
    for today, what_if in (("reistijd_gemiddeld_nu", "reistijd_gemiddeld_wat_als"),
                           ("reistijd_max_nu", "reistijd_max_wat_als"),
                           ("afstand_gemiddeld_nu", "afstand_gemiddeld_wat_als"),
                           ("score_nu", "score_wat_als")):
        changed |= shown[today] != shown[what_if]
    return changed


def _gainer_line(row) -> str:
    return (
        f"- **{md(row.naam)}**: "
        f"{row.reistijd_gemiddeld_nu:.0f} → {row.reistijd_gemiddeld_wat_als:.0f} "
        f"min gemiddeld ({row.reistijd_gemiddeld_verschil:+.0f}), langste "
        f"{row.reistijd_max_nu:.0f} → {row.reistijd_max_wat_als:.0f} min; rang "
        f"{row.rang_nu} → {row.rang_wat_als}"
    )


def _scenario_map(result: pd.DataFrame | None, mbo: pd.DataFrame,
                  unit_polygons: gpd.GeoDataFrame, *, place: str) -> folium.Map:
    """The gain per unit as a choropleth, the new place and today's mbo infra places."""
    center = (result.attrs["lat"], result.attrs["lon"]) if result is not None else None
    fmap = maps.base_map(center=center, zoom=9)
    legend, title = [], "Wat als"
    if result is not None:
        gains = result.assign(reistijd_winst_min=-result["reistijd_gemiddeld_verschil"])
        legend += choropleth.add_choropleth(
            fmap, unit_polygons, gains, column="reistijd_winst_min",
            label="Minder reistijd (min, schatting)", fmt="{:.0f}",
        )
        title = "Minder reistijd (minuten)"
        maps.add_point(fmap, result.attrs["lat"], result.attrs["lon"], name="Nieuwe locatie",
                       tooltip=place, color=NEW_PLACE_COLOR, radius=11,
                       class_name="ik-nieuwe-locatie")
        legend.append(("punt", NEW_PLACE_COLOR, "Nieuwe mbo-infralocatie (wat als)"))
    maps.add_mbo(fmap, mbo)
    legend.append(("punt", maps.MBO_COLOR, "Bestaande mbo-infra-opleiding"))
    return maps.finish_map(fmap, legend=legend, title=title)
