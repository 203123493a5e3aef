"""Guest teachers and staff notes of activities never leave the staff's reach.

Distinctive values are stored in ``gastdocenten`` and ``notities`` (through the store and
through a planning sheet), then every way out that is not staff-only is searched for
them: the public view, the public reads and lists, the year overview (its table, text
and files), the import's messages and result file, the command line's output and files,
the history, and the log.
"""

from __future__ import annotations

import io
import logging
import sqlite3

import openpyxl
import pandas as pd
import pytest

from geo import activities
from geo.cli import main
from geo.intake.activities import check_planning, planning_result_table, read_planning
from geo.output import tables
from geo.register.activity_tables import PUBLIC_ACTIVITY_VIEW
from geo.register.store import Store
from geo.views.jaaroverzicht import year_overview_view

TEACHER = "Ottilie Onzichtbaar"
NOTE = "Notitie-geheim-4711"
SECRETS = (TEACHER, NOTE, "Onzichtbaar", "4711")


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (where, secret)


@pytest.fixture
def register(tmp_path, reference, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "infrakaart.sqlite"
    with Store(path, reference) as store:
        partner = store.save_organisation({"naam": "Beta Infra", "lat": 52.6, "lon": 5.0},
                                          user="anna")
        school = store.schools()[lambda s: s["heeft_vmbo"]].iloc[0]
        new = store.activities.save(
            {"soort": "gastles_vo", "datum": "03-10-2024", "status": "gegeven",
             "vestigingscode": school["vestigingscode"], "aantal_leerlingen": 24,
             "gastdocenten": TEACHER, "notities": NOTE, "partners": [partner]},
            user="anna", role="team")
        store.activities.save({"id": new, "gastdocenten": TEACHER + " en Piet",
                               "notities": NOTE + " (bijgewerkt)"}, user="kees", role="team")
    return path


def test_the_public_view_has_no_staff_column(register):
    conn = sqlite3.connect(register)
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({PUBLIC_ACTIVITY_VIEW})")]
    rows = conn.execute(f"SELECT * FROM {PUBLIC_ACTIVITY_VIEW}").fetchall()
    conn.close()
    staff = {f.name for f in activities.ACTIVITY_FIELDS if f.staff_only}
    assert staff == {"gastdocenten", "notities"} and not staff & set(columns)
    assert_no_secret(repr(rows), "view")


def test_public_reads_lists_and_the_year_overview(register, reference):
    with Store(register, reference) as store:
        outs = {
            "all": store.activities.all().to_csv(),
            "get": repr(store.activities.get(1)),
            "listing": store.activities.listing().to_csv(),
        }
        view = year_overview_view(store, school_year="2024-2025")
        staff = store.activities.all(include_staff=True).to_csv()
        history = store.history(1, table="activiteiten").to_csv()
    outs.update(table=view.table.to_csv(), shown=view.shown.to_csv(),
                lines="\n".join(view.lines()), notes=" ".join(view.notes),
                not_reached=view.not_reached.to_csv(),
                csv=view.file_bytes(xlsx=False).decode("utf-8-sig"))
    book = openpyxl.load_workbook(io.BytesIO(view.file_bytes(xlsx=True)))
    outs["xlsx"] = repr([c.value for ws in book for row in ws.iter_rows() for c in row])
    for where, text in outs.items():
        assert_no_secret(text, where)
    assert TEACHER in staff and NOTE in staff  # staff reads do have them: the test can fail
    assert TEACHER not in history  # the history names the change, never the teachers
    assert NOTE in history  # staff notes are kept while the activity exists


def test_the_log_never_has_them(register, reference, caplog):
    with Store(register, reference) as store:
        store.activities.listing(include_staff=True)
        store.activities.delete(1, user="anna", role="team")
        history = store.history(1, table="activiteiten").to_csv()
    assert_no_secret(caplog.text, "log")
    assert_no_secret(history, "history after delete")  # erased with the activity


def test_an_import_never_quotes_them(register, reference, tmp_path, settings, capsys):
    bad = ["Excursie", "31-02-2025", "99ZZ99", "Onbekende School", "Atlantis", "Nergens BV",
           "veel", "misschien", TEACHER, NOTE]
    header = ["Soort activiteit", "Datum", "Vestigingscode", "School", "Plaats", "Partner",
              "Aantal leerlingen", "Status", "Gastdocenten", "Notities"]
    data = tables.csv_bytes(pd.DataFrame([bad], columns=header))
    with Store(register, reference) as store:
        verdicts = check_planning(read_planning(data, "p.csv"), schools=store.schools(),
                                  organisations=store.organisations(), reference=reference)
    assert verdicts[0].status == "fout"
    assert_no_secret(verdicts[0].message + verdicts[0].name, "verdict")
    assert_no_secret(planning_result_table(verdicts).to_csv(), "result table")
    source = tmp_path / "planning.csv"
    source.write_bytes(data)
    result = tmp_path / "resultaat.csv"
    assert main(["activiteiten", "import", str(source), "--database", str(register),
                 "--uitvoer", str(result)], settings=settings) == 0
    printed = capsys.readouterr()
    assert_no_secret(printed.out + printed.err, "import output")
    assert_no_secret(result.read_text(encoding="utf-8-sig"), "import result file")


def test_the_command_line_lists_and_overviews_without_them(register, tmp_path, settings,
                                                            capsys):
    db = ["--database", str(register)]
    files = [tmp_path / "lijst.csv", tmp_path / "jaar.xlsx", tmp_path / "jaar.csv"]
    for argv in (["activiteiten", "lijst", *db, "--uitvoer", str(files[0])],
                 ["jaaroverzicht", "--schooljaar", "2024-2025", *db, "--uitvoer", str(files[1])],
                 ["jaaroverzicht", "--schooljaar", "2024-2025", *db, "--uitvoer", str(files[2])]):
        assert main(argv, settings=settings) == 0
        printed = capsys.readouterr()
        assert_no_secret(printed.out + printed.err, argv[0])
    assert_no_secret(files[0].read_text(encoding="utf-8-sig"), "lijst.csv")
    assert_no_secret(files[2].read_text(encoding="utf-8-sig"), "jaar.csv")
    book = openpyxl.load_workbook(files[1])
    assert_no_secret(repr([c.value for ws in book for row in ws.iter_rows() for c in row]),
                     "jaar.xlsx")
