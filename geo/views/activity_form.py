"""The form "Eén activiteit invoeren of wijzigen" on the page Bereik (staff, ``beheren``).

Besides the planning sheet, the team enters, edits or deletes one activity at a time.
What the form offers and what saving does, computed without Streamlit:

* :func:`activity_form`: the choices (the activities of the chosen school year, the
  register's schools, organisations, municipalities, kinds and statuses) as plain
  id → Dutch label mappings.
* :func:`current_activity`: the values to fill the form with (staff fields included:
  only staff reach the form).
* :func:`save_activity` and :func:`delete_activity`: write through
  :attr:`geo.register.store.Store.activities` (permission ``beheren``, version check)
  and answer with one Dutch :class:`~geo.views.beheer.Message`.

Privacy: ``gastdocenten`` are personal data and ``notities`` a staff note; a message
never quotes either (:func:`_without_staff_values` removes them from any refusal the
register words), and no label of a choice shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo import activities
from geo.errors import ConflictError, InfrakaartError
from geo.reference.data import Reference
from geo.register.store import Store
from geo.text import md
from geo.views.beheer import Message

#: The choice "a new activity" in the activity select box.
NEW_ACTIVITY = 0

#: The fields only staff see; never quoted in a message.
STAFF_FIELDS = ("gastdocenten", "notities")


@dataclass(frozen=True)
class ActivityForm:
    """What the form offers (plain data; labels are plain text, not Markdown).

    Attributes
    ----------
    school_year : str
    activities : dict
        :data:`NEW_ACTIVITY` → "Nieuwe activiteit", then id → "03-10-2024 · gastles VO ·
        School (status)" for every activity of the school year, by date.
    schools : dict
        ``""`` → "(geen school)", then vestigingscode → "naam — plaats (code)", by name.
    partners : dict
        Organisation id → name, by name.
    municipalities : dict
        ``""`` → "(geen gemeente)", then GM code → name, by name.
    kinds, statuses : dict
        Code → Dutch label.
    """

    school_year: str
    activities: dict[int, str]
    schools: dict[str, str]
    partners: dict[int, str]
    municipalities: dict[str, str]
    kinds: dict[str, str]
    statuses: dict[str, str]


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def activity_form(store: Store, *, school_year: str, reference: Reference) -> ActivityForm:
    """The choices of the form for ``school_year`` (see :class:`ActivityForm`)."""
    year = activities.parse_school_year(school_year)
    listing = store.activities.listing(school_year=year)
    choices = {NEW_ACTIVITY: "Nieuwe activiteit"}
    for row in listing.to_dict("records"):
        where = _text(row["School"]) or _text(row["Plaats"]) or "zonder plaats"
        choices[int(row["Nr"])] = (f"{row['Datum']} · {row['Soort']} · {where} "
                                   f"({row['Status']}, nr. {row['Nr']})")
    schools = store.schools().sort_values("naam", key=lambda c: c.fillna("").str.casefold())
    school_labels = {"": "(geen school)"}
    for row in schools.to_dict("records"):
        code = _text(row.get("vestigingscode"))
        if code:
            school_labels[code] = f"{_text(row['naam'])} — {_text(row.get('plaats'))} ({code})"
    orgs = store.organisations().sort_values("naam", key=lambda c: c.fillna("").str.casefold())
    towns = reference.gemeenten_rd.sort_values("gemeentenaam")
    return ActivityForm(
        school_year=year, activities=choices, schools=school_labels,
        partners={int(i): _text(n) for i, n in zip(orgs["id"], orgs["naam"], strict=True)},
        municipalities={"": "(geen gemeente)", **dict(zip(
            towns["gemeentecode"], towns["gemeentenaam"], strict=True))},
        kinds={kind.code: kind.label for kind in activities.ACTIVITY_KINDS},
        statuses=dict(activities.ACTIVITY_STATUSES))


def current_activity(store: Store, activity_id: int, *, today: date | None = None) -> dict:
    """The form's values: the stored activity (staff fields too), or defaults for a new one.

    Keys: ``soort``, ``datum`` (a date), ``vestigingscode``, ``gemeentecode``,
    ``plaats``, ``partners`` (ids), ``aantal_leerlingen`` (int or None), ``status``,
    ``notities``, ``gastdocenten`` and, for a stored one, ``id`` and ``versie``.
    """
    if int(activity_id) == NEW_ACTIVITY:
        today = today or date.today()
        return {"soort": activities.GUEST_LESSON_VO, "datum": today, "vestigingscode": "",
                "gemeentecode": "", "plaats": "", "partners": [], "aantal_leerlingen": None,
                "status": activities.status_for_date(today, today), "notities": "",
                "gastdocenten": ""}
    stored = store.activities.get(int(activity_id), include_staff=True)
    pupils = stored.get("aantal_leerlingen")
    return {"id": int(stored["id"]), "versie": int(stored["versie"]),
            "soort": stored["soort"], "datum": date.fromisoformat(stored["datum"]),
            "vestigingscode": _text(stored.get("vestigingscode")),
            "gemeentecode": _text(stored.get("gemeentecode")),
            "plaats": _text(stored.get("plaats")),
            "partners": [int(i) for i in stored.get("partner_ids") or ()],
            "aantal_leerlingen": None if pupils is None else int(pupils),
            "status": stored.get("status") or "gepland",
            "notities": _text(stored.get("notities")),
            "gastdocenten": _text(stored.get("gastdocenten"))}


def activity_record(values: Mapping[str, object], *, activity_id: int | None = None) -> dict:
    """The record :meth:`geo.register.activities.Activities.save` takes, from the form.

    With a school, its municipality and place follow from the register; without one,
    the municipality and place typed are kept.
    """
    day = values.get("datum")
    record: dict = {
        "soort": values.get("soort"),
        "datum": day.isoformat() if isinstance(day, date) else _text(day),
        "vestigingscode": activities.school_code(values.get("vestigingscode")),
        "status": values.get("status"),
        "aantal_leerlingen": values.get("aantal_leerlingen"),
        "notities": _text(values.get("notities")).strip(),
        "gastdocenten": _text(values.get("gastdocenten")).strip(),
        activities.PARTNERS: [int(i) for i in values.get(activities.PARTNERS) or ()],
    }
    if not record["vestigingscode"]:
        record["gemeentecode"] = _text(values.get("gemeentecode")) or None
        record["plaats"] = " ".join(_text(values.get("plaats")).split())
    if activity_id:
        record["id"] = int(activity_id)
    return record


def _without_staff_values(text: str, values: Mapping[str, object]) -> str:
    """``text`` with every staff-only value of ``values`` replaced (never quote them)."""
    for name in STAFF_FIELDS:
        secret = _text(values.get(name)).strip()
        if secret:
            text = text.replace(secret, "…")
            for line in filter(None, (p.strip() for p in secret.splitlines())):
                if len(line) >= 3:
                    text = text.replace(line, "…")
    return text


def save_activity(store: Store, values: Mapping[str, object], *,
                  activity_id: int | None = None, version: int | None = None, user: str,
                  role: str | None) -> tuple[Message, int | None]:
    """Save the form: a new activity, or ``activity_id`` edited at ``version``.

    Returns
    -------
    (Message, int or None)
        A Dutch success message naming the activity (kind, date, school or place), and
        its id; or an error (refused role, version conflict, refused value) and None.
        No message quotes ``gastdocenten`` or ``notities``.
    """
    if not values.get("vestigingscode") and not _text(values.get("plaats")).strip() \
            and not values.get("gemeentecode"):
        return Message("error", "Kies een school, of vul een plaats of gemeente in: waar "
                                "was de activiteit?"), None
    record = activity_record(values, activity_id=activity_id)
    try:
        saved_id = store.activities.save(record, user=user, role=role,
                                         expected_version=version if activity_id else None)
    except ConflictError as err:
        text = _without_staff_values(str(err), values)
        return Message("error", md(f"Niet opgeslagen: {text} Het formulier toont nu die "
                                   "nieuwste versie.")), None
    except InfrakaartError as err:
        return Message("error", md(f"Niet opgeslagen: {_without_staff_values(str(err), values)}"
                                   )), None
    saved = store.activities.get(saved_id)
    title = activities.activity_title({**saved, "datum": activities.dutch_date(saved["datum"])})
    verb = "gewijzigd" if activity_id else "toegevoegd"
    return Message("success", md(f"Activiteit {verb}: {title} (versie {saved['versie']}, "
                                 f"schooljaar {saved['schooljaar']}).")), saved_id


def delete_activity(store: Store, activity_id: int, *, confirmed: bool, user: str,
                    role: str | None) -> Message:
    """Delete one activity once ``confirmed``; a Dutch message either way."""
    if not confirmed:
        return Message("warning", "Vink eerst aan dat u deze activiteit wilt verwijderen.")
    try:
        stored = store.activities.get(int(activity_id))
        store.activities.delete(int(activity_id), user=user, role=role)
    except InfrakaartError as err:
        return Message("error", md(f"Er is niets verwijderd: {err}"))
    title = activities.activity_title({**stored, "datum": activities.dutch_date(stored["datum"])})
    return Message("success", md(f"Activiteit verwijderd: {title}."))

