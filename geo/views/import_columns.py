"""Beheer → Importeren, the column-mapping step: which column is which field.

When an uploaded file has a header the field registry does not know (``Firma``,
``Standplaats``), the page asks per such column which field it holds. A choice re-reads
the upload with that mapping (:func:`geo.intake.reading.read_table`), so the preview and
the verdicts follow it; importing remembers the choices in the register
(:mod:`geo.register.column_mappings`), so the next file with the same headers is read
the same way without asking. A file without a recognised name column gets the same step
instead of only an error.

Plain data in, plain data out (no Streamlit): the page keeps the choices of the current
upload in its session (``{normalised header: field}``), renders :class:`MappingStep` and
calls :func:`remember_choices` after a successful import. Headers are user text: every
one is escaped with :func:`geo.text.md` (and shortened with :func:`geo.errors.shown`)
before it reaches Markdown or a widget label.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from geo import fields
from geo.errors import InfrakaartError, shown
from geo.intake.rawtable import RawTable, header_key, header_synonyms
from geo.register.store import Store
from geo.text import count_noun, local_time, md
from geo.views.beheer import Message

#: The option of a column that is not used.
NOT_USED = ""

#: Its Dutch label in the select box.
NOT_USED_LABEL = "(niet gebruiken)"

#: How much of a header a label or message quotes.
SHOWN_CHARS = 60


def _quoted(header: str) -> str:
    """A header for Markdown: shortened, invisible characters shown as ``?``, escaped."""
    return md(shown(header, SHOWN_CHARS))


def option_label(name: str) -> str:
    """The Dutch label of a field in the select box (plain text), or "(niet gebruiken)"."""
    return NOT_USED_LABEL if name == NOT_USED else fields.field_labels().get(name, name)


def importable_fields(kind: str) -> tuple[fields.Field, ...]:
    """The fields a column of a ``kind`` file can be: the import fields of its table.

    ``"partners"``: the organisation's, ``"scholen"``: the school's; both with the house
    number, its addition and the municipality (:data:`geo.fields.IMPORT_ONLY_FIELDS`).
    """
    table = fields.SCHOOLS if kind == "scholen" else fields.ORGANISATIONS
    names = {*fields.names(fields.fields_of(table)), *fields.names(fields.IMPORT_ONLY_FIELDS)}
    return tuple(item for item in fields.import_fields() if item.name in names)


# ------------------------------------------------------------------------------ choices


def picked_for(saved: object, file_id: object) -> dict[str, str]:
    """The choices the session keeps for the upload ``file_id`` (empty for another file).

    ``saved`` is what the page stored: ``(file id, {normalised header: field})``.
    """
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == file_id:
        return dict(saved[1])
    return {}


def combined(remembered: Mapping[str, str], picked: Mapping[str, str]) -> dict[str, str]:
    """The mapping to read the upload with: the remembered pairs and this file's choices."""
    return {**remembered, **picked}


def run_id(file_id: object, kind: str, offline: bool, mapping: Mapping[str, str]) -> tuple:
    """The id of one check: the file, its kind, offline or not and the column mapping.

    Another value starts a new check (:class:`geo.views.beheer.ImportState`), so a new
    choice re-reads and re-checks the file.
    """
    return (file_id, kind, offline, tuple(sorted(mapping.items())))


@dataclass(frozen=True)
class ColumnChoice:
    """One column the user may say the field of.

    Attributes
    ----------
    key : str
        Its normalised header (:func:`geo.intake.rawtable.header_key`).
    header : str
        The header as written (user text: not for Markdown).
    label : str
        The select box's label, Markdown with the header escaped.
    options : tuple of str
        :data:`NOT_USED`, then the fields it can be (those no other column has).
    chosen : str
        The current option.
    widget_key : str
        The select box's key: new for every mapping, so a box always starts at
        ``chosen``.
    """

    key: str
    header: str
    label: str
    options: tuple[str, ...]
    chosen: str
    widget_key: str

    @property
    def index(self) -> int:
        """The position of :attr:`chosen` in :attr:`options`."""
        return self.options.index(self.chosen)


@dataclass(frozen=True)
class MappingStep:
    """What the page shows about the columns of an upload.

    Attributes
    ----------
    columns : str
        The recognised columns with their fields (Markdown, headers escaped).
    choices : list of ColumnChoice
        A select box per column to choose for (empty: nothing to choose).
    intro : str or None
        Above the select boxes (Markdown): which columns are not known and what to do.
    ignored : str or None
        Columns no choice can help (a second column of a field, a header without letters
        or digits).
    missing_name : str or None
        The error when no column holds the organisation's name: nothing is checked until
        one is chosen.
    """

    columns: str
    choices: list[ColumnChoice]
    intro: str | None
    ignored: str | None
    missing_name: str | None


def mapping_step(table: RawTable, picked: Mapping[str, str], *, kind: str,
                 round_id: tuple) -> MappingStep:
    """The column-mapping step for ``table`` as read with the choices ``picked``.

    A column can be chosen for when the registry does not know its header: it was not
    recognised, or it was recognised through a choice of this upload (so the choice can
    be changed back). Columns recognised through a remembered pair are not asked again.
    """
    registry = header_synonyms()
    taken = set(table.columns)
    importable = importable_fields(kind)
    mapped_field = {header_key(header): name for name, header in table.mapped.items()}
    stamp = hashlib.sha256(repr(round_id).encode()).hexdigest()[:10]
    choices: list[ColumnChoice] = []
    ignored: list[str] = []
    seen: set[str] = set()
    recognised = Counter(table.columns.values())  # every other header cell is unknown
    for header in table.header:
        key = header_key(header)
        unknown = recognised[header] == 0
        recognised[header] -= 1
        if not key or key in registry or key in seen or not (unknown or key in picked):
            if unknown:
                ignored.append(header)
            continue
        seen.add(key)
        chosen = mapped_field.get(key, NOT_USED) if key in picked else NOT_USED
        options = (NOT_USED, *(item.name for item in importable
                               if item.name not in taken or item.name == chosen))
        if chosen not in options:  # a remembered field this kind has no column for
            chosen = NOT_USED
        choices.append(ColumnChoice(
            key=key, header=header, label=f"Kolom '{_quoted(header)}' is:", options=options,
            chosen=chosen, widget_key=f"beheer_kolom_{stamp}_{len(choices)}"))
    return MappingStep(
        columns=columns_caption(table, picked), choices=choices,
        intro=(f"Kolommen die Infrakaart niet kent: "
               f"{', '.join(_quoted(c.header) for c in choices)}. Kies per kolom welk veld "
               f"erin staat; met '{NOT_USED_LABEL}' blijft de kolom buiten de import. De "
               "controle hieronder volgt uw keuze meteen, en bij 'Importeren' kunnen de "
               "keuzes worden onthouden voor het volgende bestand.") if choices else None,
        ignored=("Niet gebruikt (een tweede kolom voor hetzelfde veld, of een kolomnaam "
                 f"zonder letters of cijfers): {', '.join(_quoted(h) for h in ignored)}."
                 if ignored else None),
        missing_name=None if "naam" in table.columns else (
            "Geen kolom met de naam van de organisatie gevonden (zoals 'Organisatie', "
            "'Bedrijfsnaam' of 'Naam'). Kies hieronder welke kolom de naam bevat; zonder "
            "naam kan er niets worden gecontroleerd of geïmporteerd."),
    )


def picked_from(choices: list[ColumnChoice], values: Mapping[str, str | None]
                ) -> dict[str, str]:
    """The choices to keep from the select boxes' ``values`` (key → option)."""
    return {c.key: values[c.key] for c in choices
            if values.get(c.key) not in (None, NOT_USED)}


def columns_caption(table: RawTable, picked: Mapping[str, str]) -> str:
    """``Herkende kolommen: Bedrijfsnaam → Naam, Firma → Naam (gekozen), …`` (Markdown)."""
    labels = fields.field_labels()
    parts = []
    for name, header in table.columns.items():
        how = ""
        if name in table.mapped:
            how = " (gekozen)" if header_key(header) in picked else " (onthouden)"
        parts.append(f"{_quoted(header)} → {md(labels.get(name, name))}{how}")
    return "Herkende kolommen: " + (", ".join(parts) or "geen") + "."


# ------------------------------------------------------------------------------ remembering


def remember_choices(store: Store, table: RawTable, picked: Mapping[str, str], *,
                     user: str, role: str | None) -> Message | None:
    """Remember this upload's choices for the next file; None when there were none.

    Called after a successful import. A refusal (no permission, a header that cannot be
    remembered) is a warning: the import itself is done.
    """
    pairs = [(header, name) for name, header in table.mapped.items()
             if header_key(header) in picked]
    if not pairs:
        return None
    try:
        count = store.column_mappings.remember(pairs, user=user, role=role)
    except InfrakaartError as err:
        return Message("warning", md(f"De kolomkeuzes zijn niet onthouden: {err}"))
    shown_pairs = ", ".join(f"{_quoted(h)} → {md(option_label(n))}" for h, n in pairs)
    remembered = count_noun(count, "kolomkeuze", "kolomkeuzes")
    return Message("success", f"{remembered} onthouden voor het volgende bestand: "
                              f"{shown_pairs}.")


#: Above the list of remembered pairs.
REMEMBERED_CAPTION = ("Kolomnamen die bij een eerdere import aan een veld zijn gekoppeld. Een "
                      "nieuw bestand met zo'n kolom wordt zonder te vragen zo gelezen; na "
                      "'Vergeten' vraagt Infrakaart het weer.")


@dataclass(frozen=True)
class RememberedLine:
    """One remembered pair as the page lists it: its key and a Markdown line."""

    key: str
    text: str


def remembered_lines(store: Store) -> list[RememberedLine]:
    """The remembered pairs, each with who chose it and when (Markdown, escaped)."""
    return [RememberedLine(item.key, (
        f"'{_quoted(item.header)}' → {md(option_label(item.field))} "
        f"({md(item.user or 'onbekend')}, {md(local_time(item.changed))})"))
        for item in store.column_mappings.all()]


def forget(store: Store, key: str, *, role: str | None) -> Message:
    """Forget one remembered pair: the next file asks again for its column."""
    try:
        found = store.column_mappings.forget(key, role=role)
    except InfrakaartError as err:
        return Message("error", md(f"Niets vergeten: {err}"))
    if not found:
        return Message("info", "Deze kolomkoppeling was al vergeten.")
    return Message("success", "Kolomkoppeling vergeten; een volgend bestand met deze kolom "
                              "vraagt weer welk veld erin staat.")
