"""The chain per unit: PO events → VO activities → mbo infra inflow, and where inflow stops.

One row per unit (``gemeente``, ``subregio`` or ``arbeidsmarktregio``) for one school
year: what Infra Bindt did there (PET events for primary schools, activities for
secondary schools, the share of vmbo schools reached, the partners that gave them), what
is there (partners, travel time to mbo infra) and how many young people from there
started in mbo infra — and a classification of "where inflow stops".

What counts (decisions)
    * Only activities with status ``gegeven`` in the school year count, in the unit of
      their ``gemeentecode`` (a school's, or the place's for an activity elsewhere). One
      without a municipality, or in a municipality outside the five regions, counts in
      no unit (:attr:`attrs` ``elders`` says how many).
    * **PO events**: kind :data:`PO_KINDS` (PET events). **VO activities**: the kinds in
      :data:`VO_KINDS` — everything aimed at pupils of secondary schools (guest lessons
      VO and vmbo, information evenings, taster days, open days, fairs). Network
      meetings (for partners) and "anders" (audience unknown) are in neither.
    * **vmbo schools reached**: the register's schools offering vmbo (``heeft_vmbo``,
      with a ``vestigingscode``) in the unit, and those with a given activity of any
      kind this school year (as the year overview counts them).
    * **Partners active**: distinct organisations linked to a given activity (any kind)
      in the unit.
    * **Inflow** comes in already published (:func:`geo.analysis.inflow.inflow_by_unit`):
      this module never sees a raw count, only the bounds people may see (``laag``,
      ``hoog``) and their texts ("<5", "53 tot 61"), so nothing here can undo the
      suppression of :mod:`geo.analysis.suppression`.

Where inflow stops (decision)
    A unit's inflow is compared with what the rate of the five regions together would
    give it (expected = regional rate × its young people). Small numbers jump by chance
    — one class more or less — so a unit only counts as *lower* or *higher* when the
    difference is larger than chance explains: the exact Poisson interval
    (:data:`CONFIDENCE`, 95 %) around its count lies wholly below or above the expected
    count. Both sides use only published bounds: a unit's highest possible count must be
    clearly low, its lowest possible count clearly high, against the regional range. So
    the classification, like the texts, is the same whatever a hidden count is (tested).
    Classes (:data:`CLASSES`):

    * ``lager_geen_activiteiten`` / ``lager_met_activiteiten``: clearly lower, without or
      with VO activities this school year — the first is where an intervention is most
      obviously missing, the second where activities did not (yet) show in inflow;
    * ``hoger``: clearly higher;
    * ``niet_duidelijk_anders``: within chance of the regional rate;
    * ``te_weinig``: too few to say anything — the count is not shown (below five, or a
      total of which nothing is shown) and not clearly low, or the unit is so small that
      even no inflow at all would not be clearly low;
    * ``geen_cijfers``: the school year has no inflow figures.

    It is an association within one school year, not a cause: activities of a year can
    only show in inflow years later, and the Poisson check ignores that pupils come in
    classes (the true spread is larger). The caveats say so (:data:`CAVEATS_NL`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.stats import chi2

from geo import activities
from geo.analysis.suppression import THRESHOLD
from geo.reference.data import Reference
from geo.reference.regions import assign_areas

#: Kinds counted as PO events (primary schools).
PO_KINDS: tuple[str, ...] = ("pet_event",)

#: Kinds counted as VO activities (pupils of secondary schools).
VO_KINDS: tuple[str, ...] = ("gastles_vo", "gastles_vmbo", "voorlichting", "snuffelstage",
                             "open_dag", "beurs")

#: Confidence of the Poisson interval that separates a real difference from chance.
CONFIDENCE = 0.95

#: The classes of "where inflow stops", code → Dutch label, in the order of a legend.
LOWER_WITHOUT, LOWER_WITH = "lager_geen_activiteiten", "lager_met_activiteiten"
SIMILAR, HIGHER, TOO_FEW, NO_FIGURES = ("niet_duidelijk_anders", "hoger", "te_weinig",
                                        "geen_cijfers")
CLASSES: dict[str, str] = {
    LOWER_WITHOUT: "Lager dan de regio, geen VO-activiteiten",
    LOWER_WITH: "Lager dan de regio, wel VO-activiteiten",
    SIMILAR: "Niet duidelijk anders dan de regio",
    HIGHER: "Hoger dan de regio",
    TOO_FEW: "Te weinig om iets te zeggen",
    NO_FIGURES: "Geen instroomcijfers",
}

#: What each class means (Dutch, for the explanation sheet and the page).
CLASS_NOTES_NL: dict[str, str] = {
    LOWER_WITHOUT: "Duidelijk minder instroom dan het regiocijfer verwacht laat, en dit "
                   "schooljaar geen gegeven VO-activiteit in het gebied.",
    LOWER_WITH: "Duidelijk minder instroom dan het regiocijfer verwacht laat, terwijl er dit "
                "schooljaar wel VO-activiteiten waren.",
    SIMILAR: "Het verschil met het regiocijfer past binnen wat toeval bij zulke aantallen "
             "geeft.",
    HIGHER: "Duidelijk meer instroom dan het regiocijfer verwacht laat.",
    TOO_FEW: "Het aantal is afgeschermd (minder dan 5) of het gebied is te klein: hier is "
             "niets uit te concluderen.",
    NO_FIGURES: "Voor dit schooljaar zijn geen instroomcijfers geïmporteerd.",
}

#: The caveats people read beside the chain (Dutch).
CAVEATS_NL: tuple[str, ...] = (
    "Samenhang, geen oorzaak: minder instroom waar geen activiteiten waren, bewijst niet dat "
    "activiteiten instroom geven. Het aanbod van andere opleidingen, het aantal "
    "vmbo-leerlingen en een mbo-school net over de grens spelen ook mee, en een activiteit "
    "van dit schooljaar kan pas in latere jaren instroom geven.",
    "Kleine aantallen: één klas meer of minder verandert een gemeente sterk. Een gebied heet "
    "alleen 'lager' of 'hoger' als het verschil met het regiocijfer groter is dan toeval "
    "verklaart (95 %-marge); ook dan blijft het een grove toets, vergelijk meerdere "
    "schooljaren. Aantallen onder de 5 staan er als '<5', een totaal met zo'n gemeente als "
    "bereik; zulke gebieden krijgen geen aantal per 1.000 jongeren.",
    "De instroom telt studenten naar hun woonadres (postcode of gemeente), niet naar de "
    "school waar ze vandaan komen; activiteiten tellen in de gemeente van de school of de "
    "plaats.",
)

#: Columns :func:`unit_activities` returns (besides ``code``).
ACTIVITY_COLUMNS = ("po_events", "vo_activiteiten", "scholen_vmbo", "scholen_vmbo_bereikt",
                    "aandeel_vmbo_bereikt", "partners_actief")

#: The columns of :func:`chain_by_unit`, in order.
CHAIN_COLUMNS = ("code", "naam", "schooljaar", "jongeren", *ACTIVITY_COLUMNS, "partners",
                 "reistijd_mbo_infra_min_gemiddeld", "laag", "hoog", "afgeschermd",
                 "instroom", "per_1000", "per_1000_tekst", "verwacht_laag", "verwacht_hoog",
                 "klasse", "klasse_tekst")


def poisson_interval(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson mean given one observed ``count``.

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(4)]
    [1.09, 10.242]
    """
    alpha = 1.0 - confidence
    low = 0.0 if count <= 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    return low, float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2


def classify(low: int, high: int, expected_low: float, expected_high: float, *,
             vo_activities: int, figures: bool = True) -> str:
    """The class of one unit (:data:`CLASSES`) from published bounds only.

    Parameters
    ----------
    low, high : int
        The unit's published count bounds (equal when the count is shown exactly).
    expected_low, expected_high : float
        What the regional rate range gives the unit's young people.
    vo_activities : int
        Given VO activities in the unit this school year.
    figures : bool
        False when the school year has no inflow figures.
    """
    if not figures:
        return NO_FIGURES
    if expected_high <= 0:
        return TOO_FEW
    if poisson_interval(high)[1] < expected_low:
        return LOWER_WITH if vo_activities > 0 else LOWER_WITHOUT
    if low >= THRESHOLD and poisson_interval(low)[0] > expected_high:
        return HIGHER
    if low < THRESHOLD or expected_low <= poisson_interval(0)[1]:
        return TOO_FEW
    return SIMILAR


def _unit_codes(frame: pd.DataFrame, code_of: Mapping[str, str],
                reference: Reference | None) -> pd.Series:
    """The unit of each row by its ``gemeentecode`` (else its location, when given)."""
    codes = frame["gemeentecode"].astype(object) if "gemeentecode" in frame else pd.Series(
        None, index=frame.index, dtype=object)
    codes = codes.where(codes.notna() & (codes.astype(str) != ""), None)
    missing = codes.isna()
    if reference is not None and missing.any() and {"lat", "lon"} <= set(frame.columns):
        located = missing & frame["lat"].notna() & frame["lon"].notna()
        if located.any():
            sub = frame.loc[located]
            areas = assign_areas(sub["lon"].to_numpy(float), sub["lat"].to_numpy(float),
                                 reference)
            codes.loc[located] = areas["gemeentecode"].to_numpy()
    return codes.map(lambda c: code_of.get(c) if c else None)


def _partner_sets(given: pd.DataFrame) -> Iterable[set[int]]:
    return ({int(p) for p in ids} for ids in given["partner_ids"])


def unit_activities(frame: pd.DataFrame, schools: pd.DataFrame, *, code_of: Mapping[str, str],
                    units: Iterable[str], school_year: str,
                    reference: Reference | None = None) -> pd.DataFrame:
    """The activities of one school year per unit (see the module notes).

    Parameters
    ----------
    frame : pandas.DataFrame
        Activities (:meth:`geo.register.activities.Activities.all`, public columns):
        ``soort``, ``schooljaar``, ``status``, ``vestigingscode``, ``gemeentecode``,
        ``partner_ids``.
    schools : pandas.DataFrame
        The register's schools: ``vestigingscode``, ``heeft_vmbo``, ``gemeentecode`` (or
        ``lat``/``lon``, then ``reference`` places them).
    code_of : mapping
        gemeentecode → unit code (:func:`geo.analysis.indicators.units_of`).
    units : iterable of str
        The unit codes, in order.
    school_year : str
        ``"2024-2025"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit code: :data:`ACTIVITY_COLUMNS` (``aandeel_vmbo_bereikt`` a
        fraction, NaN without vmbo schools). ``attrs["totaal"]``: the same for the units
        together (active partners counted once), ``attrs["elders"]``: given PO and VO
        activities that count in no unit.
    """
    year = activities.parse_school_year(school_year)
    index = pd.Index(list(units), name="code")
    given = frame[(frame["schooljaar"] == year) & (frame["status"] == activities.GIVEN)]
    unit = _unit_codes(given, code_of, None)
    po, vo = given["soort"].isin(PO_KINDS), given["soort"].isin(VO_KINDS)
    out = pd.DataFrame(index=index)
    out["po_events"] = unit[po].value_counts().reindex(index, fill_value=0)
    out["vo_activiteiten"] = unit[vo].value_counts().reindex(index, fill_value=0)
    reached = {str(c) for c in given["vestigingscode"] if str(c or "")}
    has_code = schools["vestigingscode"].fillna("").astype(str) != ""
    vmbo = schools[schools["heeft_vmbo"].fillna(False).astype(bool) & has_code]
    vmbo_unit = _unit_codes(vmbo, code_of, reference)
    vmbo_reached = vmbo["vestigingscode"].astype(str).isin(reached)
    out["scholen_vmbo"] = vmbo_unit.value_counts().reindex(index, fill_value=0)
    out["scholen_vmbo_bereikt"] = vmbo_unit[vmbo_reached].value_counts().reindex(
        index, fill_value=0)
    partners: dict[str, set[int]] = {code: set() for code in index}
    for code, ids in zip(unit, _partner_sets(given), strict=True):
        if code in partners:
            partners[code] |= ids
    out["partners_actief"] = [len(partners[code]) for code in index]
    for column in ("po_events", "vo_activiteiten", "scholen_vmbo", "scholen_vmbo_bereikt"):
        out[column] = out[column].astype("int64")
    out["aandeel_vmbo_bereikt"] = _share(out["scholen_vmbo_bereikt"], out["scholen_vmbo"])
    counted = unit.isin(index)
    active = set().union(*(ids for ids, inside in zip(_partner_sets(given), counted,
                                                      strict=True) if inside))
    totals = {column: int(out[column].sum()) for column in ACTIVITY_COLUMNS[:4]}
    totals["partners_actief"] = len(active)
    totals["aandeel_vmbo_bereikt"] = _share(totals["scholen_vmbo_bereikt"],
                                            totals["scholen_vmbo"])
    out.attrs = {"totaal": totals, "elders": int(((po | vo) & ~counted).sum())}
    return out[list(ACTIVITY_COLUMNS)]


def _share(part, whole):
    """``part / whole``, NaN where ``whole`` is 0 (scalars or Series)."""
    if isinstance(whole, pd.Series):
        return (part / whole.where(whole > 0)).astype(float)
    return part / whole if whole else float("nan")


def chain_by_unit(inflow: pd.DataFrame, unit_figures: pd.DataFrame, *,
                  figures: pd.DataFrame | None = None, has_figures: bool = True
                  ) -> pd.DataFrame:
    """The chain per unit, with the class of "where inflow stops".

    Parameters
    ----------
    inflow : pandas.DataFrame
        :func:`geo.analysis.inflow.inflow_by_unit` for the level and school year: the
        published bounds and texts, ``jongeren``, ``attrs["totaal"]`` — never raw counts.
    unit_figures : pandas.DataFrame
        :func:`unit_activities` for the same units and school year.
    figures : pandas.DataFrame, optional
        Per unit ``code``, ``partners`` and ``reistijd_mbo_infra_min_gemiddeld`` (from
        :func:`geo.analysis.indicators.indicators`); zero and NaN when omitted.
    has_figures : bool
        False when the school year has no inflow figures: the inflow texts are empty and
        every class is ``geen_cijfers``.

    Returns
    -------
    pandas.DataFrame
        :data:`CHAIN_COLUMNS`, in the order of ``inflow``; ``verwacht_laag`` and
        ``verwacht_hoog`` the inflow the regional rate range gives the unit.
        ``attrs``: ``schooljaar``, ``niveau``, ``totaal`` (the units together: inflow,
        young people, activities) and ``elders``.
    """
    table = inflow.set_index("code").join(unit_figures, how="left")
    for column in ACTIVITY_COLUMNS:
        if column != "aandeel_vmbo_bereikt":
            table[column] = table[column].fillna(0).astype("int64")
    if figures is not None:
        extra = figures.set_index("code")
        table["partners"] = extra["partners"].reindex(table.index).fillna(0).astype("int64")
        table["reistijd_mbo_infra_min_gemiddeld"] = extra[
            "reistijd_mbo_infra_min_gemiddeld"].reindex(table.index).astype(float)
    else:
        table["partners"] = 0
        table["reistijd_mbo_infra_min_gemiddeld"] = np.nan
    region = dict(inflow.attrs.get("totaal", {}))
    young = float(region.get("jongeren") or 0)
    low_rate = region.get("laag", 0) / young if young else 0.0
    high_rate = region.get("hoog", 0) / young if young else 0.0
    table["verwacht_laag"] = table["jongeren"].astype(float) * low_rate
    table["verwacht_hoog"] = table["jongeren"].astype(float) * high_rate
    table["klasse"] = [
        classify(int(lo), int(hi), float(e_lo), float(e_hi), vo_activities=int(vo),
                 figures=has_figures)
        for lo, hi, e_lo, e_hi, vo in zip(table["laag"], table["hoog"], table["verwacht_laag"],
                                          table["verwacht_hoog"], table["vo_activiteiten"],
                                          strict=True)]
    table["klasse_tekst"] = table["klasse"].map(CLASSES)
    if not has_figures:
        for column in ("instroom", "per_1000_tekst"):
            table[column] = ""
        table["per_1000"] = np.nan
    out = table.reset_index()[list(CHAIN_COLUMNS)]
    totals = dict(unit_figures.attrs.get("totaal", {}))
    if has_figures:
        totals.update({k: region[k] for k in ("naam", "jongeren", "laag", "hoog", "afgeschermd",
                                               "instroom", "per_1000", "per_1000_tekst")})
    else:
        totals.update(naam=region.get("naam", ""), jongeren=region.get("jongeren", 0),
                      instroom="", per_1000=float("nan"), per_1000_tekst="")
    out.attrs = {"schooljaar": inflow.attrs.get("schooljaar", ""),
                 "niveau": inflow.attrs.get("niveau", ""), "totaal": totals,
                 "elders": unit_figures.attrs.get("elders", 0)}
    return out
