"""geo.output.history_table and geo.text.local_time: the history as people read it."""

from __future__ import annotations

import pandas as pd

from geo.output.history_table import HISTORY_HEADINGS, history_for_people
from geo.register.history import CREATED_FIELD, HISTORY_COLUMNS, PERSONAL_PLACEHOLDER
from geo.text import local_time


def _history(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def test_local_time_follows_summer_and_winter_time_in_amsterdam():
    assert local_time("2026-12-01T02:09:36+00:00") == "1 dec 2026 03:09"
    assert local_time("2026-07-01T10:00:00+00:00") == "1 jul 2026 12:00"
    assert local_time("2026-03-29T00:59:00+00:00") == "29 mrt 2026 01:59"  # before the switch
    assert local_time("2026-03-29T01:00:00+00:00") == "29 mrt 2026 03:00"  # after it
    assert local_time("2026-05-05T12:00:00+02:00") == "5 mei 2026 12:00"
    assert local_time("2026-05-05T10:00:00") == "5 mei 2026 12:00"  # no offset: UTC
    assert local_time("gisteren") == "gisteren" and local_time(None) == ""


def test_names_labels_and_local_times_replace_ids_and_field_names():
    history = _history(
        ("2026-11-30T09:00:00+00:00", "anna", "organisaties", 7, "plaats", "Alkmar", "Alkmaar"),
        ("2026-11-30T08:00:00+00:00", "anna", "organisaties", 7, "email", PERSONAL_PLACEHOLDER,
         PERSONAL_PLACEHOLDER),
        ("2026-11-29T08:00:00+00:00", "bob", "organisaties", 9, CREATED_FIELD, None, "Weg BV"),
        ("2026-11-29T07:00:00+00:00", "bob", "scholen", 3, "straat", None, "Dorpsstraat 1"),
        ("2026-11-28T07:00:00+00:00", "bob", "organisaties", 11, "naam", "X", "Y"),
    )
    names = {"organisaties": {7: "Grondwerk Noord"}, "scholen": {3: "Clusius College"}}
    table = history_for_people(history, names)
    assert list(table.columns) == list(HISTORY_HEADINGS)
    assert table["Naam"].tolist() == ["Grondwerk Noord", "Grondwerk Noord", "Weg BV",
                                      "Clusius College", "(verwijderd, nr. 11)"]
    assert table["Wat"].tolist()[:4] == ["organisatie", "organisatie", "organisatie", "school"]
    assert table["Veld"].tolist()[:2] == ["Plaats", "E-mail"]
    assert table["Wanneer"].iloc[0] == "30 nov 2026 10:00"
    assert table["Oud"].iloc[2] == "" and "None" not in table.to_csv()
    assert table["Nieuw"].iloc[1] == PERSONAL_PLACEHOLDER  # never a personal value
