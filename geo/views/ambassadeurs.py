"""The page "Ambassadeurs": the board's planner — which partners reach the most schools.

:func:`planner_view` computes everything the page shows from the register frames and the
visitor's choices. Its three expensive steps (coverage, the two plans, the comparison with
the current ambassadors) are plain functions with hashable arguments, so a page passes
cached versions of them in :class:`PlannerSteps`; a test passes nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import folium
import pandas as pd

from geo.analysis.coverage import (
    PUBLIC_PARTNER_COLUMNS,
    Coverage,
    coverage,
    current_ambassador_ids,
    rank_candidates,
)
from geo.analysis.plans import (
    AmbassadorPlan,
    Comparison,
    coverage_curve,
    evaluate,
    greedy_plan,
    optimal_plan,
)
from geo.errors import InfrakaartError
from geo.output import tables
from geo.output.assets import standalone_html
from geo.output.plans import choice_table, plan_image, plan_map, plan_sheets, subregion_table
from geo.reference.data import Division, Reference
from geo.settings import DEFAULTS
from geo.text import count_noun, decimal_comma, md, nl_number, signed_decimal

#: Columns of the candidate ranking per subregion, in order.
RANKING_COLUMNS = ["rang", "naam", "soort", "plaats", "scholen_bereik", "vmbo_scholen_bereik",
                   "gewogen_bereik", "ambassadeur_voor"]

NO_CANDIDATES = ("Er zijn geen kandidaat-partners: voeg partners met een adres toe in het "
                 "register of kies meer soorten.")
EXAMPLE_NOTICE = ("Let op: het register bevat voorbeeldpartners (fictief). Het voorstel is dan "
                  "ook een voorbeeld.")
NO_CURRENT = "In het register is nog geen partner als ambassadeur gemarkeerd."
CURVE_LIMIT = 20
#: Plain Dutch names of the columns of :func:`geo.analysis.plans.coverage_curve`.
CURVE_COLUMNS = {"optimaal": "beste keuze", "greedy": "snelle benadering",
                 "optimaal_scholen": "scholen (beste keuze)",
                 "greedy_scholen": "scholen (snelle benadering)"}


# --- the expensive steps (a page caches them) --------------------------------------------


def compute_coverage(partners: pd.DataFrame, schools: pd.DataFrame, radius_km: float,
                     vmbo_weight: float, division_name: str, division_table: pd.DataFrame
                     ) -> Coverage:
    """:func:`geo.analysis.coverage.coverage` with hashable arguments."""
    return coverage(partners, schools, radius_km=radius_km, vmbo_weight=vmbo_weight,
                    division=Division(division_name, division_table))


def compute_plans(partners: pd.DataFrame, schools: pd.DataFrame, radius_km: float,
                  vmbo_weight: float, division_name: str, division_table: pd.DataFrame,
                  k: int, per_subregion: bool) -> tuple[AmbassadorPlan, AmbassadorPlan]:
    """The optimal and the greedy plan for ``k``; raises PlanError with a Dutch message."""
    cov = compute_coverage(partners, schools, radius_km, vmbo_weight, division_name,
                           division_table)
    return (optimal_plan(cov, k=k, per_subregion=per_subregion),
            greedy_plan(cov, k=k, per_subregion=per_subregion))


def compute_comparison(partners: pd.DataFrame, schools: pd.DataFrame, radius_km: float,
                       vmbo_weight: float, division_name: str, division_table: pd.DataFrame,
                       current_ids: tuple, per_subregion: bool) -> Comparison:
    """The current ambassadors against the optimum for as many; raises PlanError."""
    cov = compute_coverage(partners, schools, radius_km, vmbo_weight, division_name,
                           division_table)
    return evaluate(current_ids, cov, per_subregion=per_subregion)


def compute_curve(partners: pd.DataFrame, schools: pd.DataFrame, radius_km: float,
                  vmbo_weight: float, division_name: str, division_table: pd.DataFrame,
                  ks: tuple[int, ...]) -> pd.DataFrame:
    """Best choice and quick approximation for every ``k`` in ``ks`` (plain Dutch columns).

    See :func:`geo.analysis.plans.coverage_curve`.
    """
    cov = compute_coverage(partners, schools, radius_km, vmbo_weight, division_name,
                           division_table)
    return coverage_curve(cov, ks).rename(columns=CURVE_COLUMNS)


@dataclass(frozen=True)
class PlannerSteps:
    """The expensive steps :func:`planner_view` calls; a page passes cached versions."""

    coverage: Callable[..., Coverage] = compute_coverage
    plans: Callable[..., tuple[AmbassadorPlan, AmbassadorPlan]] = compute_plans
    comparison: Callable[..., Comparison] = compute_comparison


# --- the view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannerChoices:
    """The planner's settings: ``k`` and the coverage parameters.

    Attributes
    ----------
    k : int
        Number of ambassadors.
    radius_km, vmbo_weight : float
        Reach of an ambassador, weight of a vmbo school.
    per_subregion : bool
        At least one ambassador in every subregion with a candidate.
    kinds : sequence of str or None
        Organisation kinds that may be ambassador; None for every kind.
    """

    k: int
    radius_km: float = DEFAULTS.radius_km
    vmbo_weight: float = DEFAULTS.vmbo_weight
    per_subregion: bool = True
    kinds: Sequence[str] | None = None


def first_k(division: Division) -> int:
    """The number of ambassadors the planner starts with for ``division``."""
    return DEFAULTS.ambassadors_per_subregion * len(division.subregions)


@dataclass(frozen=True)
class CurrentAmbassadors:
    """The section on the current ambassadors: a message, or a sentence, tables and notes.

    ``per_subregion`` compares each subregion's ambassadors with the best as many
    partners of that subregion (:func:`geo.analysis.comparisons.subregion_comparison`).
    """

    message: str | None = None
    text: str | None = None
    table: pd.DataFrame | None = None
    per_subregion: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarkOption:
    """One partner the board can mark or unmark as ambassador.

    Attributes
    ----------
    id : int
    label : str
        Plain text for a select box: name, place and whether it is ambassador now.
    subregion : str
        The subregion it would be ambassador for (where it is located).
    marked_for : str or None
        The subregion it is ambassador for now.
    version : int or None
        The register version of the row, so that a change made meanwhile by someone else
        is refused instead of overwritten.
    """

    id: int
    label: str
    subregion: str
    marked_for: str | None
    version: int | None


@dataclass(frozen=True)
class PlannerView:
    """What the page shows; every text is Markdown with the values escaped.

    Attributes
    ----------
    candidates : pandas.DataFrame
        The partners that may be chosen (public columns, chosen kinds): the input of the
        steps, also for :func:`compute_curve`.
    summary : str
        Candidates, schools and the division, under the settings.
    example_notice, no_candidates, plan_error : str or None
        Shown when they apply; after ``no_candidates`` or ``plan_error`` the page stops.
    ranking : list of (str, pandas.DataFrame or None)
        Per subregion: the expander label and its candidates (None: there are none).
    plan, quick : AmbassadorPlan or None
        The optimal and the greedy plan.
    notes : tuple of str
    metrics : list of (label, value, delta, help)
    status : str
    fmap : folium.Map or None
    chosen, per_subregion : pandas.DataFrame or None
    current : CurrentAmbassadors
    comparison : Comparison or None
    current_ids : tuple
        Ids of the partners marked as ambassador now.
    curve_ks : tuple of int
        The ``k`` of the comparison of the best choice with the quick approximation.
    file_stem : str
        Name of the downloads without the suffix.
    ties_text : str
        Whether other partners would be just as good, and how the planner chose.
    ties_table : pandas.DataFrame or None
        Per ambassador with an equally good alternative: the alternatives and the reason.
    mark_options : tuple of MarkOption
        The partners the board can mark or unmark one at a time (current ambassadors
        first).
    """

    candidates: pd.DataFrame
    summary: str
    example_notice: str | None = None
    no_candidates: str | None = None
    plan_error: str | None = None
    ranking: list = field(default_factory=list)
    plan: AmbassadorPlan | None = None
    quick: AmbassadorPlan | None = None
    notes: tuple[str, ...] = ()
    metrics: list = field(default_factory=list)
    status: str = ""
    fmap: folium.Map | None = None
    chosen: pd.DataFrame | None = None
    per_subregion: pd.DataFrame | None = None
    current: CurrentAmbassadors = CurrentAmbassadors()
    comparison: Comparison | None = None
    current_ids: tuple = ()
    curve_ks: tuple[int, ...] = ()
    file_stem: str = ""
    ties_text: str = ""
    ties_table: pd.DataFrame | None = None
    mark_options: tuple[MarkOption, ...] = ()


def planner_view(
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    division: Division,
    reference: Reference,
    choices: PlannerChoices,
    steps: PlannerSteps = PlannerSteps(),
) -> PlannerView:
    """Candidates, the proposal, its map and the comparison with the current ambassadors.

    Parameters
    ----------
    partners : pandas.DataFrame
        The register's organisations; only :data:`PUBLIC_PARTNER_COLUMNS` are read.
    schools : pandas.DataFrame
    division, reference : Division, Reference
    choices : PlannerChoices
    steps : PlannerSteps
        The expensive steps; cached versions from a page.

    Returns
    -------
    PlannerView
    """
    candidates = partners
    if choices.kinds is not None:
        candidates = candidates[candidates["soort"].isin(list(choices.kinds))]
    candidates = candidates[[c for c in PUBLIC_PARTNER_COLUMNS if c in candidates.columns]]
    args = (candidates, schools, float(choices.radius_km), float(choices.vmbo_weight),
            division.name, division.table)
    cov = steps.coverage(*args)
    view = PlannerView(
        candidates=candidates,
        summary=(f"{cov.n_partners} kandidaten (actieve partners met een locatie in het "
                 f"werkgebied) · {len(cov.schools)} scholen, waarvan "
                 f"{int(cov.schools['heeft_vmbo'].sum())} met vmbo · indeling: "
                 f"{md(division.name)}"),
        example_notice=EXAMPLE_NOTICE if _has_examples(candidates) else None,
    )
    if cov.n_partners == 0:
        return replace(view, no_candidates=NO_CANDIDATES)
    ranking = rank_candidates(cov)
    groups = []
    for sub in division.subregions:
        group = ranking[ranking["subregio"] == sub]
        groups.append((f"{md(sub)} — {len(group)} kandidaat/kandidaten",
                       None if group.empty else group[RANKING_COLUMNS]))
    view = replace(view, ranking=groups, mark_options=mark_options(partners, division))
    try:
        plan, quick = steps.plans(*args, int(choices.k), bool(choices.per_subregion))
    except InfrakaartError as err:
        return replace(view, plan_error=md(err))

    current_ids = tuple(current_ambassador_ids(partners))
    current, comparison = _current_section(steps, args, current_ids, choices.per_subregion)
    return replace(
        view, plan=plan, quick=quick, notes=tuple(md(note) for note in plan.notes),
        metrics=[
            ("Scholen bereikt", f"{plan.schools_covered} van {plan.schools_total}", None, None),
            ("Vmbo-scholen bereikt", f"{plan.vmbo_covered} van {plan.vmbo_total}", None, None),
            ("Gewogen dekking", f"{plan.coverage_share:.0%}", None,
             f"{decimal_comma(plan.weighted_coverage)} van {decimal_comma(plan.weighted_total)}"),
            ("Snelle benadering haalt", f"{quick.coverage_share:.0%}",
             f"{signed_decimal(quick.weighted_coverage - plan.weighted_coverage)} gewogen",
             "De eenvoudige keuze 'steeds de partner die het meest toevoegt', zonder naar "
             "de hele set te kijken."),
        ],
        status=f"Berekening: {plan.status} · {nl_number(plan.solve_seconds, 2)} s",
        fmap=plan_map(plan, reference=reference),
        chosen=choice_table(plan), per_subregion=subregion_table(plan),
        current=current, comparison=comparison, current_ids=current_ids,
        curve_ks=tuple(range(1, min(CURVE_LIMIT, cov.n_partners) + 1)),
        file_stem=f"ambassadeurs_k{plan.k}_{int(choices.radius_km)}km",
        ties_text=plan.ties.sentence() if plan.ties is not None else "",
        ties_table=plan.ties.table if plan.ties is not None and len(plan.ties.table)
        else None,
    )


def _has_examples(partners: pd.DataFrame) -> bool:
    return "voorbeeld" in partners.columns and bool(
        partners["voorbeeld"].fillna(False).astype(bool).any())


def _current_section(steps: PlannerSteps, args: tuple, current_ids: tuple,
                     per_subregion: bool) -> tuple[CurrentAmbassadors, Comparison | None]:
    if not current_ids:
        return CurrentAmbassadors(message=NO_CURRENT), None
    try:
        comparison = steps.comparison(*args, current_ids, bool(per_subregion))
    except InfrakaartError as err:
        return CurrentAmbassadors(message=md(err)), None
    cur, best = comparison.current, comparison.optimum
    who = ("De huidige ambassadeur bereikt" if cur.k == 1
           else f"De {cur.k} huidige ambassadeurs bereiken")
    text = (
        f"{who} **{cur.schools_covered}** scholen "
        f"({cur.vmbo_covered} vmbo). Met de beste keuze van {best.k} ambassadeurs"
        + (" (minstens één per subregio)" if best.at_least_one_per_subregion else "")
        + " kan dat "
        f"**{best.schools_covered}** ({best.vmbo_covered} vmbo): de huidige keuze haalt "
        f"{comparison.ratio:.0%} van de beste keuze (gewogen). Per subregio staat hieronder "
        "wat de ambassadeurs van elke subregio bereiken naast de beste partners van "
        "diezelfde subregio."
    )
    return CurrentAmbassadors(text=text, table=comparison.table(),
                              per_subregion=comparison.subregions,
                              notes=tuple(md(n) for n in cur.notes + best.notes)), comparison


# --- downloads and the board's action ----------------------------------------------------


def excel_bytes(view: PlannerView) -> bytes:
    """The plan (and the comparison) as a workbook for the board."""
    return tables.xlsx_bytes(plan_sheets(view.plan, comparison=view.comparison))


def csv_bytes(view: PlannerView) -> bytes:
    """The chosen ambassadors as CSV (Dutch Excel dialect, formula-safe)."""
    return tables.csv_bytes(choice_table(view.plan))


def html_bytes(view: PlannerView, *, reference: Reference, static_dir) -> bytes:
    """The plan's map as one HTML file; a short page with the reason when it cannot be made."""
    try:
        return standalone_html(plan_map(view.plan, reference=reference),
                               static_dir).encode("utf-8")
    except RuntimeError as err:  # local Leaflet files missing
        return f"<p>{html.escape(str(err))}</p>".encode()


def png_bytes(view: PlannerView, *, reference: Reference) -> bytes:
    """The plan as a static image."""
    return plan_image(view.plan, reference=reference)


def mark_ambassadors(store, plan: AmbassadorPlan, current_ids: Sequence, *,
                     clear_others: bool, user: str, role: str) -> str:
    """Mark the chosen partners as ambassador for their subregion; returns a Dutch message.

    With ``clear_others`` the current ambassadors that are not in the plan are unmarked.
    The store checks ``role`` for every change (AuthError) and records ``user``.
    """
    chosen = list(zip(plan.chosen["id"], plan.chosen["subregio"], strict=True))
    for org_id, sub in chosen:
        store.set_ambassador(int(org_id), sub, user=user, role=role)
    dropped = 0
    if clear_others:
        keep = {int(i) for i in plan.chosen_ids}
        for org_id in current_ids:
            if int(org_id) not in keep:
                store.set_ambassador(int(org_id), None, user=user, role=role)
                dropped += 1
    message = f"{count_noun(len(chosen), 'partner', 'partners')} gemarkeerd als ambassadeur."
    if dropped:
        earlier = count_noun(dropped, "eerdere ambassadeur", "eerdere ambassadeurs")
        message += f" {earlier} uitgezet."
    return message


def mark_options(partners: pd.DataFrame, division: Division) -> tuple[MarkOption, ...]:
    """The partners in the work area the board can mark: current ambassadors first.

    Active partners with a municipality in ``division``, and every current ambassador
    (also an inactive one, so that it can be unmarked); sorted by name within each group.
    """
    if partners.empty:
        return ()
    frame = partners.assign(subregio=partners["gemeentecode"].map(division.subregion_of()))
    marked = frame.get("ambassadeur_voor", pd.Series(None, index=frame.index))
    marked = marked.fillna("").astype(str).str.strip()
    active = frame["actief"].fillna(True).astype(bool) if "actief" in frame else True
    keep = frame["subregio"].notna() & (active | (marked != ""))
    options = []
    for pos in frame.index[keep]:
        row = frame.loc[pos]
        place = f" ({row['plaats']})" if isinstance(row.get("plaats"), str) and row["plaats"] \
            else ""
        now = marked[pos] or None
        label = f"{row['naam']}{place}" + (f" — nu ambassadeur voor {now}" if now else "")
        version = row.get("versie")
        options.append(MarkOption(id=int(row["id"]), label=label, subregion=row["subregio"],
                                  marked_for=now, version=None if pd.isna(version)
                                  else int(version)))
    return tuple(sorted(options, key=lambda o: (o.marked_for is None, o.label.casefold())))


def mark_one(store, option: MarkOption, *, mark: bool, user: str, role: str) -> str:
    """Mark one partner as ambassador for its subregion, or unmark it; a Dutch message.

    The change is refused (ConflictError, Dutch) when someone changed the partner after
    the page showed it; the store checks ``role`` (AuthError) and writes the history.
    """
    name = option.label.split(" — ")[0]
    subregion = option.subregion if mark else None
    store.set_ambassador(option.id, subregion, user=user, role=role,
                         expected_version=option.version)
    if mark:
        return f"{name} is nu ambassadeur voor {option.subregion}."
    return f"{name} is geen ambassadeur meer."
