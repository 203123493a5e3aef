"""The ambassador plan for the board: Excel sheets, an interactive map and a static image.

:func:`plan_sheets` (Dutch sheets, written by :func:`geo.output.tables.xlsx_bytes`),
:func:`plan_map` (folium, for :func:`geo.output.assets.standalone_html` or a page) and
:func:`plan_image` (a PNG or PDF drawn with matplotlib, no tiles needed) of an
:class:`~geo.analysis.plans.AmbassadorPlan`. Plans hold public partner fields only, so
neither do these.
"""

from __future__ import annotations

import io

import folium
import pandas as pd

from geo.analysis.plans import METHOD_LABELS, AmbassadorPlan, Comparison
from geo.reference.data import RD_NEW, WGS84, Reference
from geo.text import count_noun, nl_number

#: Attribution printed on the static image and the Excel sheet.
IMAGE_ATTRIBUTION = "Bron: CBS, DUO; © Kadaster"

COVERED_COLOR = "#1a9850"
UNCOVERED_COLOR = "#d73027"
AMBASSADOR_COLOR = "#1f5fa8"
ALTERNATIVE_COLOR = "#9ecae1"

#: Columns of the "Keuze" sheet (all public).
CHOICE_COLUMNS = ["naam", "subregio", "soort", "scholen_bereik", "vmbo_scholen_bereik",
                  "gewogen_bereik", "extra_gedekt", "plaats", "gemeentenaam"]


def choice_table(plan: AmbassadorPlan) -> pd.DataFrame:
    """The chosen ambassadors as a Dutch table (public fields only)."""
    return plan.chosen[CHOICE_COLUMNS].copy()


def subregion_table(plan: AmbassadorPlan) -> pd.DataFrame:
    """Coverage per subregion with a final ``Totaal`` row."""
    table = plan.per_subregion.copy()
    total = {
        "subregio": "Totaal",
        "ambassadeurs": int(table["ambassadeurs"].sum()),
        "scholen_gedekt": plan.schools_covered,
        "scholen_totaal": plan.schools_total,
        "vmbo_gedekt": plan.vmbo_covered,
        "vmbo_totaal": plan.vmbo_total,
        "dekking_pct": round(100 * plan.schools_covered / plan.schools_total, 1)
        if plan.schools_total else None,
        "vmbo_dekking_pct": round(100 * plan.vmbo_covered / plan.vmbo_total, 1)
        if plan.vmbo_total else None,
    }
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def uncovered_schools(plan: AmbassadorPlan) -> pd.DataFrame:
    """Schools no ambassador reaches: ``naam``, ``plaats``, ``subregio``, ``vmbo``."""
    frame = plan.schools.loc[~plan.schools["gedekt"], ["naam", "plaats", "subregio",
                                                       "heeft_vmbo"]]
    frame = frame.rename(columns={"heeft_vmbo": "vmbo"})
    frame["vmbo"] = frame["vmbo"].map({True: "ja", False: "nee"})
    return frame.sort_values(["subregio", "naam"]).reset_index(drop=True)



def parameters_table(plan: AmbassadorPlan) -> pd.DataFrame:
    """The assumptions of the plan as a Dutch two-column table (for exports)."""
    def number(value: float) -> str:
        return nl_number(value, 1, trim=True)

    rows = [
        ("Aantal ambassadeurs (k)", plan.k),
        ("Straal (km, hemelsbreed)", number(plan.radius_km)),
        ("Gewicht vmbo-school", number(plan.vmbo_weight)),
        ("Gewicht overige school", "1"),
        ("Minstens één per subregio", "ja" if plan.at_least_one_per_subregion else "nee"),
        ("Subregio-indeling", plan.division.name),
        ("Methode", METHOD_LABELS.get(plan.method, plan.method)),
        ("Status", plan.status),
        ("Scholen bereikt", f"{plan.schools_covered} van {plan.schools_total}"),
        ("Vmbo-scholen bereikt", f"{plan.vmbo_covered} van {plan.vmbo_total}"),
        ("Gewogen dekking", number(plan.weighted_coverage)),
        ("Gewogen totaal", number(plan.weighted_total)),
        ("Datum", plan.created.strftime("%d-%m-%Y %H:%M")),
        ("Bron", IMAGE_ATTRIBUTION),
    ]
    rows += [("Opmerking", note) for note in plan.notes]
    return pd.DataFrame(rows, columns=["uitgangspunt", "waarde"]).astype({"waarde": str})


def plan_sheets(plan: AmbassadorPlan, *, comparison: Comparison | None = None
                ) -> dict[str, pd.DataFrame]:
    """The plan as sheets of a workbook for the board (Dutch sheet and column names).

    Sheets: ``Keuze`` (one row per ambassador), ``Dekking per subregio``, ``Niet
    bereikte scholen``, ``Uitgangspunten`` (k, radius, weights, date), ``Even goede
    keuzes`` when other partners would be just as good, and, when ``comparison`` is
    given, ``Vergelijking huidig`` and ``Vergelijking per subregio`` (each subregion's
    ambassadors next to the best partners of that subregion). Contains public fields
    only. Write it with :func:`geo.output.tables.xlsx_bytes`.
    """
    sheets = {
        "Keuze": choice_table(plan),
        "Dekking per subregio": subregion_table(plan),
        "Niet bereikte scholen": uncovered_schools(plan),
        "Uitgangspunten": parameters_table(plan),
    }
    if plan.ties is not None and len(plan.ties.table):
        sheets["Even goede keuzes"] = plan.ties.table
    if comparison is not None:
        sheets["Vergelijking huidig"] = comparison.table()
        if comparison.subregions is not None:
            sheets["Vergelijking per subregio"] = comparison.subregions
    return sheets


def plan_map(plan: AmbassadorPlan, *, reference: Reference) -> folium.Map:
    """A folium map of the plan: subregions, reach circles, ambassadors, schools.

    Covered schools are green, uncovered red; ambassadors are blue with a circle of
    the plan's radius. Every text reaches the browser as data (:mod:`geo.output.map_layers`).
    Use :func:`geo.output.assets.use_assets` to show it in Streamlit or
    :func:`geo.output.assets.standalone_html` to export it.
    """
    from geo.output.map_layers import AreaLayer, CircleLayer, Line, PointLayer
    from geo.output.maps import base_map, finish_map, simplified
    from geo.reference.regions import unit_polygons

    fmap = base_map()
    subs = simplified(unit_polygons("subregio", reference, plan.division))
    subs = subs.merge(
        plan.per_subregion[["subregio", "ambassadeurs", "scholen_gedekt", "scholen_totaal"]],
        left_on="code", right_on="subregio", how="left",
    )
    subs["dekking"] = [
        f"{int(d)} van {int(t)} scholen" if pd.notna(t) else ""
        for d, t in zip(subs["scholen_gedekt"], subs["scholen_totaal"], strict=True)
    ]
    AreaLayer(
        "Subregio's", subs, class_name="ik-subregio",
        style={"color": "#222", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.03},
        tooltip=[Line("naam", "Subregio"), Line("dekking", "Bereikt")],
    ).add_to(fmap)

    chosen = plan.chosen.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    chosen["radius_m"] = plan.radius_km * 1000.0
    CircleLayer(
        f"Bereik ({nl_number(plan.radius_km, 1, trim=True)} km)", chosen,
        styles=[{"color": AMBASSADOR_COLOR, "weight": 1.5, "fill": True, "fillOpacity": 0.06}],
    ).add_to(fmap)

    schools = plan.schools.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    schools["vmbo_tekst"] = ["vmbo" if v else None for v in schools["heeft_vmbo"]]
    schools["bereik_tekst"] = [
        f"Bereikt door: {by}" if covered else "Niet binnen bereik"
        for covered, by in zip(schools["gedekt"], schools["bereikt_door"], strict=True)
    ]
    school_styles = [
        {"radius": radius, "color": "#ffffff", "weight": 1, "fillColor": color,
         "fillOpacity": 0.9}
        for color in (UNCOVERED_COLOR, COVERED_COLOR) for radius in (4, 5)
    ]
    for covered, name, css in ((True, "Scholen binnen bereik", "ik-school-gedekt"),
                               (False, "Scholen buiten bereik", "ik-school-niet-gedekt")):
        part = schools[schools["gedekt"].astype(bool) == covered].reset_index(drop=True)
        PointLayer(
            name, part, styles=school_styles, class_name=css,
            style=[2 * int(covered) + int(bool(v)) for v in part["heeft_vmbo"]],
            tooltip=["naam", "vmbo_tekst"],
            popup=[Line("naam", strong=True), "vmbo_tekst", "plaats", "bereik_tekst"],
            popup_width=260,
        ).add_to(fmap)

    chosen["soort_plaats"] = [" · ".join(str(v) for v in (soort, plaats) if pd.notna(v) and v)
                              for soort, plaats in zip(chosen["soort"], chosen["plaats"],
                                                       strict=True)]
    chosen["bereik_tekst"] = [
        f"Bereikt {int(n)} scholen, waarvan {int(v)} vmbo"
        for n, v in zip(chosen["scholen_bereik"], chosen["vmbo_scholen_bereik"], strict=True)
    ]
    if plan.ties is not None and len(plan.ties.alternatives):
        alternatives = plan.ties.alternatives.dropna(subset=["lat", "lon"])
        alternatives = alternatives.reset_index(drop=True).assign(
            vervangt=lambda f: [f"Even goed als {name}" for name in f["in_plaats_van"]])
        PointLayer(
            "Even goede alternatieven", alternatives, class_name="ik-alternatief",
            styles=[{"radius": 7, "color": AMBASSADOR_COLOR, "weight": 2,
                     "fillColor": ALTERNATIVE_COLOR, "fillOpacity": 1.0}],
            tooltip=["naam"], popup=[Line("naam", strong=True), "plaats", "vervangt"],
            popup_width=260, show=False,
        ).add_to(fmap)
    PointLayer(
        "Ambassadeurs", chosen, class_name="ik-ambassadeur",
        styles=[{"radius": 9, "color": "#ffffff", "weight": 2, "fillColor": AMBASSADOR_COLOR,
                 "fillOpacity": 1.0}],
        tooltip=["naam"],
        popup=[Line("naam", strong=True), "soort_plaats", Line("subregio", "Subregio"),
               "bereik_tekst"],
        popup_width=280,
    ).add_to(fmap)
    legend = [
        ("punt", AMBASSADOR_COLOR, "Ambassadeur"),
        ("punt", ALTERNATIVE_COLOR, "Even goed alternatief (laag aan te zetten)"),
        ("vlak", AMBASSADOR_COLOR, f"Bereik {nl_number(plan.radius_km, 1, trim=True)} km"),
        ("punt", COVERED_COLOR, "School binnen bereik"),
        ("punt", UNCOVERED_COLOR, "School buiten bereik"),
        ("lijn", "#222", "Grens subregio"),
    ]
    return finish_map(fmap, legend=legend, title="Ambassadeursvoorstel")


def plan_image(
    plan: AmbassadorPlan,
    *,
    reference: Reference,
    fmt: str = "png",
    dpi: int = 150,
    title: str | None = None,
) -> bytes:
    """A static image of the plan (PNG or PDF), drawn in RD New without tiles.

    Shows the subregions, the reach circles, covered and uncovered schools and the
    ambassadors, with a title, a legend and the attribution ``Bron: CBS, DUO;
    © Kadaster``.
    """
    if fmt not in {"png", "pdf"}:
        raise ValueError("fmt must be 'png' or 'pdf'")
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from geo.reference.regions import unit_polygons

    subs = unit_polygons("subregio", reference, plan.division).to_crs(RD_NEW)
    schools = gpd.GeoDataFrame(
        plan.schools,
        geometry=gpd.points_from_xy(plan.schools["lon"], plan.schools["lat"]),
        crs=WGS84,
    ).to_crs(RD_NEW)
    chosen = gpd.GeoDataFrame(
        plan.chosen, geometry=gpd.points_from_xy(plan.chosen["lon"], plan.chosen["lat"]),
        crs=WGS84,
    ).to_crs(RD_NEW)

    fig = Figure(figsize=(8.27, 11.0), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.03, 0.08, 0.94, 0.84))
    subs.plot(ax=ax, color="#f4f4f0", edgecolor="#333333", linewidth=0.8)
    for name, point in zip(subs["naam"], subs.representative_point(), strict=True):
        ax.annotate(str(name), (point.x, point.y), ha="center", fontsize=6.5, color="#444444",
                    zorder=6)
    if len(chosen):
        chosen.buffer(plan.radius_km * 1000.0).plot(
            ax=ax, color=AMBASSADOR_COLOR, alpha=0.08, edgecolor=AMBASSADOR_COLOR, linewidth=0.6
        )
    done = schools[schools["gedekt"]]
    todo = schools[~schools["gedekt"]]
    if len(done):
        done.plot(ax=ax, color=COVERED_COLOR, markersize=12, edgecolor="white", linewidth=0.3)
    if len(todo):
        todo.plot(ax=ax, color=UNCOVERED_COLOR, markersize=12, edgecolor="white", linewidth=0.3)
    if len(chosen):
        chosen.plot(ax=ax, color=AMBASSADOR_COLOR, markersize=90, marker="*",
                    edgecolor="white", linewidth=0.5, zorder=5)
    minx, miny, maxx, maxy = subs.total_bounds
    pad = 3000
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    heading = title or (
        f"Ambassadeursvoorstel: {count_noun(plan.k, 'ambassadeur', 'ambassadeurs')}, "
        f"straal {nl_number(plan.radius_km, 1, trim=True)} km"
    )
    fig.suptitle(heading, fontsize=13, y=0.975)
    fig.text(
        0.5, 0.935,
        f"{plan.schools_covered} van {plan.schools_total} scholen bereikt "
        f"({plan.vmbo_covered} van {plan.vmbo_total} vmbo) · "
        f"{METHOD_LABELS.get(plan.method, plan.method)}",
        ha="center", fontsize=9, color="#333333",
    )
    handles = [
        Line2D([], [], marker="*", linestyle="", color=AMBASSADOR_COLOR, markersize=12,
               label="Ambassadeur"),
        Patch(facecolor=AMBASSADOR_COLOR, alpha=0.2, edgecolor=AMBASSADOR_COLOR,
              label=f"Bereik {nl_number(plan.radius_km, 1, trim=True)} km"),
        Line2D([], [], marker="o", linestyle="", color=COVERED_COLOR, label="School binnen bereik"),
        Line2D([], [], marker="o", linestyle="", color=UNCOVERED_COLOR,
               label="School buiten bereik"),
        Patch(facecolor="#f4f4f0", edgecolor="#333333", label="Subregio"),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    fig.text(
        0.03, 0.03,
        f"{IMAGE_ATTRIBUTION} · indeling: {plan.division.name} · "
        f"{plan.created.strftime('%d-%m-%Y')}",
        fontsize=7, color="#555555",
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()
