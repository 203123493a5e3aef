"""What an import could not write because the register changed since its preview.

:meth:`geo.register.store.Store.apply_import` returns an :class:`ImportConflict` for every record
it left alone; the Beheer page and the CLI show :attr:`ImportConflict.message`. A
conflict holds field names and login names, never field values, so its message is safe
to show, print and log.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo import fields as registry


@dataclass(frozen=True)
class ImportConflict:
    """An import record that was not written because the register changed since the preview.

    Holds field names and login names, never field values: the message is safe to show,
    print and log.

    Attributes
    ----------
    position : int
        1-based position of the record in the list given to
        :meth:`geo.register.store.Store.apply_import`.
    row : int or None
        The spreadsheet row the record came from (``record["rij"]``), when known.
    record_id : int
        The organisation (or school) the record is about.
    name : str
        The name in the record (an organisation name, not personal data).
    reason : {"gewijzigd", "verwijderd", "bestaat_al"}
        Changed or deleted since the preview, or added since the preview and different.
    fields : tuple of str
        Field names someone else changed since the preview (``gewijzigd``; empty when
        the history does not say), or in which the new row differs (``bestaat_al``).
    users : tuple of str
        Who changed, deleted or added the row.
    """

    position: int
    row: int | None
    record_id: int
    name: str
    reason: str
    fields: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    @property
    def field_labels(self) -> list[str]:
        """Dutch labels of :attr:`fields`, each once."""
        labels = registry.field_labels()
        return list(dict.fromkeys(labels.get(f, f) for f in self.fields))

    @property
    def message(self) -> str:
        """One Dutch sentence: which row, which organisation, who changed what."""
        where = f"Rij {self.row}" if self.row is not None else f"Record {self.position}"
        who = f" door {', '.join(self.users)}" if self.users else ""
        fields = ", ".join(self.field_labels)
        subject = f"{where} ('{self.name}', nr. {self.record_id})"
        if self.reason == "verwijderd":
            return (f"{subject}: na de controle verwijderd{who}; niet opnieuw aangemaakt.")
        if self.reason == "bestaat_al":
            return (f"{subject}: staat sinds de controle al in het register (toegevoegd{who})"
                    f" en verschilt in {fields or 'enkele velden'}; niet opgeslagen.")
        changed = f" ({fields})" if fields else ""
        return (f"{subject}: na de controle gewijzigd{who}{changed}; niet bijgewerkt, om die "
                "wijziging niet te overschrijven. Controleer het bestand opnieuw en importeer "
                "nog eens.")
