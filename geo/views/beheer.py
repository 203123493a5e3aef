"""The Beheer page's logic: import, review, edit, history and export of the register.

``pages/beheer.py`` reads the widgets, calls these functions and shows what they return;
everything it decides is here, tested with plain pytest. Plain inputs (the store, the
role, the uploaded bytes, the form values, a geocoder factory) give plain data: tables,
:class:`Message` objects (text escaped for Markdown), the records to save.

Geocoders are made per use by the factory the page passes (``factory(offline=...)``)
and closed afterwards: no HTTP session or cache connection outlives a page run or sits
in a session. An import remembers plain data between reruns (:class:`ImportState`).

Re-placing an edited organisation (decision)
    :func:`needs_geocoding`: a new organisation is placed; an edited one only when its
    address (street, postcode, place, country) changed. A location that was placed by
    hand therefore stays as long as the address is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd

from geo import auth, fields
from geo.errors import ConflictError, ImportFileError, InfrakaartError
from geo.intake import verdicts as checking
from geo.intake.geocoding import Geocoder
from geo.intake.reading import read_table
from geo.intake.records import check_values, location_fields, to_records
from geo.intake.verdicts import ImportRun, RowVerdict, check_rows, finish_verdicts
from geo.output.history_table import history_of
from geo.reference.data import Reference
from geo.reference.gazetteer import PRECISION_LABELS
from geo.register.store import Store
from geo.settings import Settings
from geo.text import count_noun, md

#: Makes a geocoder: ``factory(offline=True)`` never contacts PDOK.
GeocoderFactory = Callable[..., Geocoder]

#: The id the edit form uses for "a new organisation".
NEW_ORGANISATION = 0

#: Background colour of a row per import status.
STATUS_COLOURS = {"ok": "#e5f5e0", "waarschuwing": "#fff3cd", "fout": "#f8d7da"}

#: What the file holds → its Dutch label on the page.
IMPORT_KINDS = {"partners": "Partners / donateurs", "scholen": "Scholen (zelf toegevoegd)"}

#: Export format → its Dutch label.
EXPORT_FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "geojson": "GeoJSON",
                        "gpkg": "GeoPackage"}

#: The fields whose change makes an edited organisation be placed again.
ADDRESS_FIELDS = ("straat", "postcode", "plaats", "land")


@dataclass(frozen=True)
class Message:
    """Something to show: ``kind`` is ``success``, ``info``, ``warning`` or ``error``.

    ``text`` is Markdown in which every user-supplied value is escaped.
    """

    kind: str
    text: str


@contextmanager
def opened(factory: GeocoderFactory, *, offline: bool) -> Iterator[Geocoder]:
    """A geocoder from ``factory`` for one use; its HTTP session is closed afterwards."""
    geocoder = factory(offline=offline)
    try:
        yield geocoder
    finally:
        close = getattr(geocoder, "close", None)  # the offline geocoder holds nothing
        if callable(close):
            close()


def organisation_label(row: pd.Series | dict) -> str:
    """``"Naam — Plaats (status)"`` for select boxes (plain text, not HTML)."""
    place = row.get("plaats") or ""
    status = row.get("status") or "ok"
    label = f"{row['naam']} — {place}" if place else str(row["naam"])
    return label if status == "ok" else f"{label} ({status})"


# ------------------------------------------------------------------------------ examples


def example_notice(store: Store) -> str | None:
    """The notice about example organisations in the register, or None without them."""
    count = store.organisation_count(examples=True)
    if not count:
        return None
    activities = store.activities.count(examples=True)
    also = (f" en {count_noun(activities, 'voorbeeldactiviteit', 'voorbeeldactiviteiten')}"
            if activities else "")
    return (f"Het register bevat {count} **voorbeeldorganisaties** (verzonnen namen){also} "
            "zodat de kaart niet leeg is. Importeer de echte partnerlijst en verwijder de "
            "voorbeelden.")


def remove_examples(store: Store, *, user: str) -> Message:
    """Delete the example organisations and activities."""
    try:
        removed = store.delete_example_data(user=user)
    except InfrakaartError as err:
        return Message("error", md(f"Er is niets verwijderd: {err}"))
    return Message("success", f"{removed} voorbeeldorganisaties verwijderd.")


# ------------------------------------------------------------------------------ import


@dataclass
class ImportState:
    """What an upload remembers between reruns of the page (plain data).

    Attributes
    ----------
    run_id : tuple
        ``(file id, kind, offline, column mapping)``
        (:func:`geo.views.import_columns.run_id`): a new value starts a new check.
    run : ImportRun or None
        The rows checked so far; None when the file could not be read or was imported.
    offline_reason : str
        Why PDOK was given up on during the check, empty while it was used.
    previewed : list of dict or None
        The records the last preview showed: importing writes these (with the versions
        read then), not records re-read on the click's own run.
    """

    run_id: tuple
    run: ImportRun | None = None
    offline_reason: str = ""
    previewed: list[dict] | None = field(default=None, repr=False)


def start_import(run_id: tuple, data: bytes, filename: str, *, kind: str,
                 settings: Settings, mapping: Mapping[str, str] | None = None
                 ) -> tuple[ImportState, Message | None]:
    """Read an uploaded file into a new :class:`ImportState` (or say why it cannot).

    ``mapping`` adds header → field pairs (chosen or remembered,
    :mod:`geo.views.import_columns`). A file without a name column is read all the same:
    the page then asks which column holds the name.
    """
    try:
        table = read_table(data, filename, settings=settings, mapping=mapping,
                           require_name=False)
    except ImportFileError as err:
        return ImportState(run_id), Message("error", md(err))
    return ImportState(run_id, ImportRun(table, kind=kind)), None


def describe_upload(run: ImportRun) -> str:
    """What was read: the file, its rows, how it was read (Markdown).

    Its columns: :func:`geo.views.import_columns.mapping_step`.
    """
    table = run.table
    how = (f"werkblad '{table.sheet}'" if table.sheet is not None
           else f"scheidingsteken '{table.delimiter}', codering {table.encoding}")
    return (f"**{md(table.filename)}**: {run.total} rijen met gegevens ({md(how)}; "
            f"kopregel op rij {table.header_row}).")


def check_import(state: ImportState, *, geocoder_factory: GeocoderFactory, offline: bool,
                 reference: Reference, existing: pd.DataFrame, proceed: bool,
                 progress: Callable[[int, int], None] | None = None) -> list[RowVerdict]:
    """The verdicts of the upload; checks the remaining rows first when ``proceed``.

    Only rows not checked before are geocoded (an interrupted check resumes). Without
    ``proceed`` nothing is geocoded: the verdicts of the rows done so far are finished
    (areas, duplicates against ``existing``) and returned.
    """
    run = state.run
    if proceed and not run.complete:
        with opened(geocoder_factory, offline=offline) as geocoder:
            try:
                return check_rows(run.table, geocoder=geocoder, reference=reference,
                                  existing=existing, kind=run.kind, progress=progress,
                                  run=run)
            finally:  # also when the page is interrupted (a click on 'Stoppen')
                if getattr(geocoder, "went_offline", False) and not state.offline_reason:
                    state.offline_reason = (getattr(geocoder, "offline_reason", "")
                                            or "PDOK was niet te gebruiken.")
    return finish_verdicts(run.in_order(), reference=reference, existing=existing,
                           kind=run.kind)


def placement(state: ImportState, *, offline: bool) -> tuple[str, Message | None]:
    """How the rows were placed (``PDOK``/``offline``); PDOK's failure is said here, once."""
    if state.offline_reason:
        return "offline", Message("warning", md(f"{state.offline_reason} Alle rijen zijn "
                                                "offline op postcode of plaatsnaam geplaatst."))
    return ("offline" if offline else "PDOK"), None


def accept_suggestions(state: ImportState, rows: list[int] | None, *,
                       geocoder_factory: GeocoderFactory, offline: bool, reference: Reference,
                       existing: pd.DataFrame) -> tuple[list[RowVerdict], Message]:
    """Accept the suggestions of ``rows`` (all when None); check those rows again."""
    count = checking.accept_suggestions(state.run, rows)
    state.previewed = None  # the preview changes: 'Importeren' writes the new one
    verdicts = check_import(state, geocoder_factory=geocoder_factory, offline=offline,
                            reference=reference, existing=existing, proceed=True)
    accepted = count_noun(count, "voorstel", "voorstellen")
    return verdicts, Message("success", f"{accepted} aangenomen.")


@dataclass(frozen=True)
class ImportPlan:
    """What pressing 'Importeren' will write, and what the page says about it."""

    records: list[dict]
    summary: str
    warning: Message | None = None


def plan_import(state: ImportState, verdicts: list[RowVerdict], *, role: str,
                reference: Reference) -> ImportPlan:
    """The records to import: those the user saw in the previous run's preview.

    An ``Ambassadeur`` column is left out unless the role may appoint ambassadors (the
    board), so an import by the team never changes one.
    """
    table = state.run.table
    present = table.fields
    warning = None
    if "ambassadeur_voor" in present and not auth.can(role, "ambassadeurs_markeren"):
        present = present - {"ambassadeur_voor"}
        warning = Message("warning", (
            f"De kolom '{md(table.columns['ambassadeur_voor'])}' wordt genegeerd: alleen het "
            "bestuur kan ambassadeurs aanwijzen. Bij bestaande organisaties blijft de "
            "huidige ambassadeur staan."))
    records = to_records(verdicts, kind=state.run.kind, fields=present, reference=reference)
    previewed, state.previewed = state.previewed, records
    if previewed is not None:
        records = previewed
    updates = sum(1 for r in records if "id" in r)
    summary = (f"Bij importeren: {len(records) - updates} nieuw, {updates} bijwerken, "
               f"{len(verdicts) - len(records)} overslaan.")
    return ImportPlan(records, summary, warning)


@dataclass(frozen=True)
class ImportOutcome:
    """The Dutch summary of a finished import and one line per row not written."""

    summary: str
    conflicts: list[str]


def apply_import(store: Store, state: ImportState, records: list[dict], *, user: str,
                 role: str) -> ImportOutcome:
    """Write the planned records; the run is done afterwards.

    Raises
    ------
    InfrakaartError
        Nothing was written (the message says why).
    """
    outcome = store.apply_import(records, user=user, kind=state.run.kind, role=role)
    conflicts = outcome["conflicten"]
    summary = (f"Import van '{state.run.table.filename}' klaar: {outcome['nieuw']} nieuw, "
               f"{outcome['bijgewerkt']} bijgewerkt, {outcome['ongewijzigd']} ongewijzigd, "
               f"{len(conflicts)} niet opgeslagen (conflict). Rijen met een waarschuwing of "
               "fout staan nu onder 'Controleren'.")
    state.run, state.previewed = None, None
    return ImportOutcome(summary, [c.message for c in conflicts])


def conflicts_warning(lines: list[str]) -> str:
    """The warning about rows an import did not write because of a colleague's change."""
    return (f"{count_noun(len(lines), 'rij', 'rijen')} niet opgeslagen: de organisatie is "
            "na de controle door iemand anders gewijzigd, verwijderd of toegevoegd. Hun werk "
            "is niet overschreven. Upload het bestand opnieuw om deze rijen met de nieuwste "
            "gegevens te controleren.\n\n" + "\n".join(f"- {md(line)}" for line in lines))


# ------------------------------------------------------------------------------ edit


def edit_choices(organisations: pd.DataFrame) -> tuple[list[int], dict[int, str]]:
    """The options of the organisation select box (new first) and their labels."""
    options = [NEW_ORGANISATION, *organisations["id"].astype(int).tolist()]
    labels = {int(r["id"]): organisation_label(r) for r in organisations.to_dict("records")}
    labels[NEW_ORGANISATION] = "➕ Nieuwe organisatie"
    return options, labels


def current_values(store: Store, edit_id: int) -> dict:
    """The stored organisation the form edits (staff: with personal fields), or defaults."""
    if edit_id == NEW_ORGANISATION:
        return {"naam": "", "soort": fields.FALLBACK_KIND, "donateur": False, "actief": True}
    # Personal fields are read per request for staff only and never cached.
    return store.get_organisation(int(edit_id), include_personal=True)


def form_text(current: dict, name: str) -> str:
    """The stored text of a field for a text widget ("" when empty)."""
    value = current.get(name)
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def form_rows() -> list[list[fields.Field]]:
    """The fields of the edit form in rows, from the registry (``widget`` and ``form_row``)."""
    rows: list[list[fields.Field]] = []
    for item in fields.ORGANISATION_FIELDS:
        if item.widget is None:
            continue
        if rows and item.form_row and rows[-1][-1].form_row == item.form_row:
            rows[-1].append(item)
        else:
            rows.append([item])
    return rows


def ambassador_options(current: dict, subregions: list[str]) -> list[str]:
    """The choices for 'ambassador for': none, the subregions, and a stored unknown value.

    An unknown stored value stays an option, so saving never clears it silently.
    """
    now = current.get("ambassadeur_voor") or ""
    return ["", *subregions] + ([now] if now and now not in subregions else [])


def needs_geocoding(form: dict, current: dict | None) -> bool:
    """Whether saving the form must place the organisation (again).

    Parameters
    ----------
    form : dict
        The values typed in the form.
    current : dict or None
        The stored organisation; None for a new one.

    Returns
    -------
    bool
        True for a new organisation and when the street, postcode, place or country
        differs from the stored one (ignoring case and repeated spaces); False
        otherwise, so a location placed by hand stays as long as the address does.
    """
    if current is None:
        return True
    return any(" ".join(str(form.get(name, "")).split()).casefold()
               != form_text(current, name).casefold() for name in ADDRESS_FIELDS)


@dataclass(frozen=True)
class SaveOutcome:
    """What saving the edit form did.

    Attributes
    ----------
    saved_id : int or None
        The organisation saved; None when nothing was saved.
    version : int or None
        Its version after saving.
    messages : list of Message
        To show (after the rerun when saved, at once when not).
    conflict : dict or None
        The newer version someone else saved, when that refused the save.
    geocoded : bool
        Whether the organisation was placed (again).
    """

    saved_id: int | None
    version: int | None
    messages: list[Message]
    conflict: dict | None = None
    geocoded: bool = False


def save_organisation(store: Store, form: dict, *, edit_id: int, current: dict,
                      expected_version: int | None, user: str, role: str,
                      geocoder_factory: GeocoderFactory, offline: bool,
                      reference: Reference, organisations: pd.DataFrame) -> SaveOutcome:
    """Save the edit form; place the organisation when :func:`needs_geocoding` says so.

    Parameters
    ----------
    form : dict
        The form's values; ``ambassadeur_voor`` is written only when the role may
        appoint ambassadors (it is not even submitted for the team).
    edit_id, current
        The organisation edited (:data:`NEW_ORGANISATION` and the defaults for a new one).
    expected_version : int or None
        The version the form was opened at (optimistic locking).
    geocoder_factory, offline, reference
        How to place it.
    organisations : pandas.DataFrame
        The register, for the duplicate check (the organisation itself is left out).
    """
    settable = {f.name for f in fields.ORGANISATION_FIELDS if f.widget is not None}
    record = {k: v for k, v in form.items() if k in settable and k != "ambassadeur_voor"}
    if auth.can(role, "ambassadeurs_markeren"):
        record["ambassadeur_voor"] = form.get("ambassadeur_voor") or None
    is_new = edit_id == NEW_ORGANISATION
    geocode = needs_geocoding(record, None if is_new else current)
    notice = ""
    if geocode:
        others = organisations[organisations["id"] != int(edit_id)] if not is_new else (
            organisations)
        with opened(geocoder_factory, offline=offline) as geocoder:
            verdict = check_values(record, geocoder=geocoder, reference=reference,
                                   existing=others)
        record.update(location_fields(verdict))
        notice = verdict.message
    if not is_new:
        record["id"] = int(edit_id)
    try:
        saved_id = store.save_organisation(record, user=user, role=role,
                                           expected_version=expected_version)
    except ConflictError as err:
        return SaveOutcome(None, None, [Message("error", md(err))], conflict=err.current,
                           geocoded=geocode)
    except InfrakaartError as err:
        return SaveOutcome(None, None, [Message("error", md(err))], geocoded=geocode)
    saved = store.get_organisation(saved_id)
    messages = [Message("success", md(
        f"'{saved['naam']}' opgeslagen (versie {saved['versie']}, "
        f"{PRECISION_LABELS.get(saved['nauwkeurigheid'], '')})."))]
    if notice:
        messages.append(Message("info", md(notice)))
    return SaveOutcome(saved_id, int(saved["versie"]), messages, geocoded=geocode)


def conflict_table(conflict: dict) -> pd.DataFrame:
    """The newer version someone else saved, one field per row."""
    shown = {k: v for k, v in conflict.items() if k not in ("importsleutel", "aangemaakt")}
    return pd.DataFrame([shown]).T.rename(columns={0: "waarde"}).astype(str)


def delete_organisation(store: Store, current: dict, *, user: str) -> Message:
    """Delete the organisation and erase its personal data from the history."""
    try:
        store.delete_organisation(int(current["id"]), user=user)
    except InfrakaartError as err:
        return Message("error", md(f"Er is niets verwijderd: {err}"))
    return Message("success", md(f"'{current['naam']}' verwijderd; de persoonsgegevens zijn "
                                 "uit de historie gewist."))


def history_table(store: Store, *, role: str) -> pd.DataFrame | None:
    """The edit history for people (local time, names), or None when the role may not."""
    return history_of(store) if auth.can(role, "geschiedenis_zien") else None
