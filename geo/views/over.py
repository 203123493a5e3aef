"""The page "Over": the explanations that are generated from the code and the defaults."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.analysis.indicators import (
    PARTNER_EXPLANATION_NL,
    POPULATION_EXPLANATION_NL,
    indicators,
)
from geo.analysis.journeys import (
    journey_errors,
    journey_table,
    load_reference_journeys,
    mean_absolute_error,
)
from geo.analysis.rail import area_model
from geo.analysis.rail import assumptions_nl as rail_assumptions_nl
from geo.analysis.score import score_explanation_nl, worked_example_nl
from geo.analysis.travel import StraightLineModel, assumptions_nl
from geo.reference.data import Division, Reference
from geo.reference.gazetteer import PRECISION_LABELS, Gazetteer
from geo.settings import DEFAULTS
from geo.text import decimal_comma, md

#: The two travel models compared on the reference journeys, label → Dutch column title.
JOURNEY_MODELS = {"trein": "Model met trein", "rechte_lijn": "Eenvoudig model"}


@dataclass(frozen=True)
class AboutView:
    """The generated parts of "Over", as Markdown.

    Attributes
    ----------
    division : str
        The name of the division in use, escaped.
    precision : str
        A Markdown list of the precision codes of a location and their meaning.
    travel, score, partners, population : str
        How travel is estimated (to mbo infra with the train; near a school by bike), how
        the score is made (with the default weights), who counts as a partner and where the
        population figures come from.
    journeys : pandas.DataFrame
        The reference journeys with both models' minutes and errors (Dutch columns).
    journeys_caption : str
        The mean absolute error of both models, in words.
    example : str
        One worked example of the score from the register's data (Markdown; the unit
        ranked first at the default level), or an empty string without a register.
    """

    division: str
    precision: str
    travel: str
    score: str
    partners: str
    population: str
    journeys: pd.DataFrame
    journeys_caption: str
    example: str = ""


def about_view(*, division_name: str, reference: Reference, gazetteer: Gazetteer,
               store=None, division: Division | None = None) -> AboutView:
    """What "Over" shows besides its fixed text, for the division in use.

    Parameters
    ----------
    division_name : str
        Name of the session's subregion division (may be a user's file name).
    reference, gazetteer : Reference, Gazetteer
        The bundled data (the reference journeys name places the gazetteer finds).
    store : geo.register.store.Store, optional
        The register, for the worked example of the score (public data only).
    division : Division, optional
        The session's subregion division; the bundled proposal when omitted.

    Returns
    -------
    AboutView
    """
    rail = area_model(str(reference.data_dir))
    errors = journey_errors({"trein": rail, "rechte_lijn": StraightLineModel()},
                            load_reference_journeys(reference.data_dir), gazetteer.place)
    mae = {label: decimal_comma(round(mean_absolute_error(errors, label), 1))
           for label in JOURNEY_MODELS}
    return AboutView(
        division=md(division_name),
        precision="\n".join(f"* **{code}** — {label}" for code, label in PRECISION_LABELS.items()),
        travel=(rail_assumptions_nl(rail) + "\n\n**Dichtbij een school** (School koppelen) "
                "rekent met de fiets en het eenvoudige model: " + assumptions_nl()),
        journeys=journey_table(errors, JOURNEY_MODELS),
        journeys_caption=(
            f"Gemiddelde afwijking van {len(errors)} referentiereizen: {mae['trein']} minuten "
            f"met het treinmodel, {mae['rechte_lijn']} minuten met het eenvoudige model "
            "(hemelsbreed × omwegfactor). De referentietijden zijn benaderingen uit de "
            "dienstregeling; de bron staat per reis."),
        score=score_explanation_nl(),
        partners=PARTNER_EXPLANATION_NL,
        population=POPULATION_EXPLANATION_NL,
        example="" if store is None else score_example(store, reference=reference,
                                                       division=division),
    )


def score_example(store, *, reference: Reference, division: Division | None = None,
                  level: str = DEFAULTS.level) -> str:
    """The score worked out for the unit ranked first at ``level``, from the register.

    Parameters
    ----------
    store : geo.register.store.Store
    reference : Reference
    division : Division, optional
    level : str
        Default ``DEFAULTS.level``.

    Returns
    -------
    str
        Markdown (:func:`geo.analysis.score.worked_example_nl`).
    """
    organisations = store.organisations(include_personal=False)
    table = indicators(level, reference=reference, division=division,
                       partners=organisations, schools=store.schools(),
                       mbo=store.mbo_locations())
    return worked_example_nl(table, str(table.iloc[0]["code"]))
