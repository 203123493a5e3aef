"""Attacks on roles and login throttling (issue 9, finding 5), and a walk of every page and
every action for every role: one gate, ``geo.auth.can``, decides them all."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import auth
from geo.errors import AuthError
from geo.output.history_table import HISTORY_HEADINGS
from geo.register.examples import load_example_data
from geo.register.store import Store
from tests import test_inloggen_page as login
from tests.test_inloggen_page import connection, users_path, with_team_user  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES_DIR = ROOT / "pages"
APP = str(ROOT / "app.py")
TIMEOUT = 120

#: Every page of the app, straight from the folder: a new page is walked automatically.
PAGE_FILES = sorted(p.name for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_"))

#: The policy: the action a role needs to see each page (None: every role). A new file in
#: pages/ fails test_every_page_has_a_declared_action until it is listed here.
PAGE_ACTIONS: dict[str, str | None] = {
    "kaart.py": "kaart_bekijken",
    "school_koppelen.py": "scholen_zoeken",
    "wat_als.py": "kaart_bekijken",
    "over.py": None,
    "inloggen.py": None,
    "beheer.py": "beheren",
    "ambassadeurs.py": "ambassadeurs_bekijken",
    "jaaroverzicht.py": "jaaroverzicht_bekijken",
    "keten.py": "keten_bekijken",
    "bereik.py": "bereik_bekijken",
}

#: Distinctive (ASCII) personal values of one partner placed next to the school that
#: "School koppelen" selects first, so every page that could show them has them at hand.
SECRET = {"contactpersoon": "Walter Wandelgeheim", "email": "wandel.geheim@partner.invalid",
          "telefoon": "0209876543"}

#: The widget-key prefix of each staff page (see pages/_shared.Keys).
PAGE_PREFIXES = {"beheer.py": "beheer_", "ambassadeurs.py": "amb_", "jaaroverzicht.py": "jaar_",
                 "keten.py": "keten_", "bereik.py": "bereik_"}

NEW_FORM = "beheer_formulier_0_0"  # the Beheer form for a new organisation
PLACE_FORM = "beheer_plaats_0_None_2"  # Beheer → Opleidingslocaties, a new place (2 seeded)


# --------------------------------------------------------------------------- observing


@dataclass
class Observation:
    """What one run of one page showed."""

    blob: str = ""  # every element's protobuf as text (includes map HTML and table data)
    widgets: dict[str, bool] = field(default_factory=dict)  # key → disabled
    frames: list[list[str]] = field(default_factory=list)  # columns of every dataframe
    messages: str = ""  # error and warning texts
    exceptions: list[str] = field(default_factory=list)


@dataclass
class Visit:
    """One role's walk: the pages its navigation offers, and pages it may not open."""

    pages: dict[str, Observation] = field(default_factory=dict)
    refused: dict[str, Observation] = field(default_factory=dict)  # run directly
    asked: dict[str, Observation] = field(default_factory=dict)  # opened by a link (app.py)

    def page(self, name: str) -> Observation:
        return self.pages.get(name, Observation())


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def observe(at: AppTest) -> Observation:
    obs = Observation(exceptions=[str(e.value) for e in at.exception])
    protos = []
    for root in (at.main, at.sidebar):
        for node in _nodes(root):
            proto = getattr(node, "proto", None)
            if proto is not None:
                protos.append(str(proto))
            key = getattr(node, "key", None)
            if key and proto is not None and hasattr(proto, "disabled"):
                obs.widgets[key] = bool(proto.disabled)
            if getattr(node, "type", None) == "dataframe":
                value = node.value
                obs.frames.append([str(c) for c in getattr(value, "data", value).columns])
    obs.blob = "\n".join(protos)
    obs.messages = "\n".join(str(e.value) for e in [*at.error, *at.warning])
    return obs


def _as(at: AppTest, role: str) -> AppTest:
    if role != "publiek":  # a visitor who never signed in has no role in the session
        at.session_state["rol"] = role
        at.session_state["gebruiker"] = "wandelaar"
    return at


def walk(role: str) -> Visit:
    """Open every page through the app's navigation as ``role``.

    A page the role may not see is hidden from the menu but keeps its link: it is opened
    by its link through app.py (``asked``) and run directly, around the router
    (``refused``).
    """
    visit = Visit()
    at = _as(AppTest.from_file(APP, default_timeout=TIMEOUT), role).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in PAGE_FILES:
        action = PAGE_ACTIONS[page]
        if action is None or auth.can(role, action):
            visit.pages[page] = observe(at.switch_page(f"pages/{page}").run())
            continue
        direct = _as(AppTest.from_file(str(PAGES_DIR / page), default_timeout=TIMEOUT), role)
        visit.refused[page] = observe(direct.run())
        linked = _as(AppTest.from_file(APP, default_timeout=TIMEOUT), role).run()
        visit.asked[page] = observe(linked.switch_page(f"pages/{page}").run())
    return visit


@pytest.fixture(scope="module")
def register(tmp_path_factory, reference):
    """Example data plus one partner with :data:`SECRET` next to the first school."""
    tmp = tmp_path_factory.mktemp("rollen")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INFRAKAART_VAR_DIR", str(tmp))
        mp.setenv("INFRAKAART_OFFLINE", "1")
        st.cache_resource.clear()
        st.cache_data.clear()
        with Store(tmp / "infrakaart.sqlite", reference) as store:
            load_example_data(store)
            schools = store.schools()
            first = schools.sort_values(
                ["naam", "plaats"], key=lambda s: s.fillna("").str.casefold()).iloc[0]
            store.save_organisation(
                {"naam": "Wandelbouw", "soort": "aannemer", "actief": True,
                 "lat": first["lat"] + 0.001, "lon": first["lon"], **SECRET},
                user="test")
        yield tmp
        st.cache_resource.clear()
        st.cache_data.clear()


@pytest.fixture(scope="module")
def visits(register) -> dict[str, Visit]:
    return {role: walk(role) for role in auth.ROLES}


def _enabled(visit: Visit, page: str, key: str) -> bool:
    widgets = visit.page(page).widgets
    return key in widgets and not widgets[key]


#: action → what a role that may perform it sees (and one that may not, does not see).
PROBES = {
    "kaart_bekijken": lambda v: {"kaart.py", "wat_als.py"} <= v.pages.keys(),
    "scholen_zoeken": lambda v: "school_koppelen.py" in v.pages,
    "contactgegevens_zien": lambda v: any(SECRET["email"] in o.blob for o in v.pages.values()),
    "beheren": lambda v: _enabled(v, "beheer.py", f"{NEW_FORM}_opslaan"),
    "importeren": lambda v: _enabled(v, "beheer.py", "beheer_upload"),
    "geschiedenis_zien": lambda v: any(set(HISTORY_HEADINGS) <= set(cols)
                                       for cols in v.page("beheer.py").frames),
    "exporteren_met_contactgegevens": lambda v: _enabled(v, "beheer.py",
                                                         "beheer_export_persoonlijk"),
    "ambassadeurs_bekijken": lambda v: _enabled(v, "ambassadeurs.py", "amb_k"),
    "opleidingslocaties_beheren": lambda v: _enabled(v, "beheer.py", f"{PLACE_FORM}_opslaan"),
    "jaaroverzicht_bekijken": lambda v: (_enabled(v, "jaaroverzicht.py", "jaar_schooljaar")
                                         and _enabled(v, "jaaroverzicht.py",
                                                      "jaar_download_xlsx")),
    "keten_bekijken": lambda v: (_enabled(v, "keten.py", "keten_schooljaar")
                                 and _enabled(v, "keten.py", "keten_download_xlsx")),
    "bereik_bekijken": lambda v: (_enabled(v, "bereik.py", "bereik_subregio")
                                  and _enabled(v, "bereik.py", "bereik_bellijst_xlsx")),
    "ambassadeurs_markeren": lambda v: (_enabled(v, "ambassadeurs.py", "amb_markeer")
                                        and _enabled(v, "ambassadeurs.py", "amb_een_partner")
                                        and _enabled(v, "beheer.py", f"{NEW_FORM}_ambassadeur")),
}


# --------------------------------------------------------------------------- the walk


def test_every_page_has_a_declared_action():
    assert set(PAGE_FILES) == set(PAGE_ACTIONS), "declare the action of a new page here"
    assert {a for a in PAGE_ACTIONS.values() if a} <= set(auth.PERMISSIONS)


def test_every_action_has_a_probe():
    assert set(PROBES) == set(auth.PERMISSIONS)


@pytest.mark.parametrize("role", auth.ROLES)
def test_navigation_offers_exactly_the_permitted_pages(visits, role):
    expected = {page for page, action in PAGE_ACTIONS.items()
                if action is None or auth.can(role, action)}
    assert set(visits[role].pages) == expected
    for page, obs in visits[role].pages.items():
        assert obs.exceptions == [], (role, page)


@pytest.mark.parametrize("role", auth.ROLES)
def test_a_link_to_a_page_outside_the_role_asks_to_log_in(visits, role):
    """Opened by its link, a staff page shows the login prompt and nothing of itself."""
    assert set(visits[role].asked) == set(visits[role].refused)
    for page, obs in visits[role].asked.items():
        assert obs.exceptions == [], (role, page)
        assert "Log in om" in obs.blob, (role, page)
        prefix = PAGE_PREFIXES[page]
        assert not [key for key in obs.widgets if key.startswith(prefix)], (role, page)
        assert obs.frames == [] and SECRET["email"] not in obs.blob, (role, page)


@pytest.mark.parametrize("role", auth.ROLES)
def test_pages_outside_the_navigation_refuse_when_opened_directly(visits, role):
    for page, obs in visits[role].refused.items():
        assert obs.exceptions == [], (role, page)
        assert obs.messages, (role, page)  # a Dutch refusal
        assert obs.widgets == {} and obs.frames == [], (role, page)
        assert SECRET["email"] not in obs.blob


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("action", sorted(auth.PERMISSIONS))
def test_every_action_is_offered_exactly_to_the_permitted_roles(visits, role, action):
    assert PROBES[action](visits[role]) == auth.can(role, action)


def test_public_sees_no_personal_value_anywhere(visits):
    for page, obs in visits["publiek"].pages.items():
        for value in SECRET.values():
            assert value not in obs.blob, (page, value)


def test_team_sees_ambassador_controls_read_only(visits):
    team = visits["team"]
    assert team.page("ambassadeurs.py").widgets["amb_markeer"] is True
    assert team.page("ambassadeurs.py").widgets["amb_uitzetten"] is True
    assert team.page("ambassadeurs.py").widgets["amb_een_partner"] is True
    assert team.page("ambassadeurs.py").widgets["amb_een_markeer"] is True
    assert team.page("beheer.py").widgets[f"{NEW_FORM}_ambassadeur"] is True
    assert "Alleen het bestuur kan ambassadeurs aanwijzen." in team.page("beheer.py").blob


def test_every_action_is_checked_in_the_code():
    """PERMISSIONS lists no action that no page, router or store checks."""
    used = set()
    files = [ROOT / "app.py", *PAGES_DIR.glob("*.py"),
             *(p for p in (ROOT / "geo").rglob("*.py")
               if p != ROOT / "geo" / "auth" / "permissions.py")]  # the table itself
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in auth.PERMISSIONS:
                used.add(node.value)
    assert used == set(auth.PERMISSIONS)


def test_no_page_decides_by_role_name():
    """Pages and the router ask auth.can; they never compare role names themselves."""
    roles = set(auth.ROLES)

    def role_literal(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in roles
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(role_literal(e) for e in node.elts)
        return False

    offenders = []
    for path in [ROOT / "app.py", *PAGES_DIR.glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                    role_literal(n) for n in [node.left, *node.comparators]):
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Name | ast.Attribute) and (
                    getattr(node, "id", None) == "is_staff"
                    or getattr(node, "attr", None) == "is_staff"):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


# --------------------------------------------------------------------------- finding 5


SUBREGION = "West-Friesland"


@pytest.fixture
def beheer_register(app_env, reference):
    """A register with one partner that is ambassador for West-Friesland."""
    path = app_env / "infrakaart.sqlite"
    with Store(path, reference) as store:
        org_id = store.save_organisation(
            {"naam": "Wegenbouw Ambassade", "straat": "Dorpsstraat 1", "postcode": "1703 AB",
             "plaats": "Heerhugowaard"}, user="test")
        store.set_ambassador(org_id, SUBREGION, user="bestuurder", role="bestuur")
    return path, org_id


def _beheer(role: str, org_id: int) -> AppTest:
    at = AppTest.from_file(str(PAGES_DIR / "beheer.py"), default_timeout=TIMEOUT)
    at.session_state["rol"] = role
    at.session_state["gebruiker"] = "kees"
    at.run()
    at.selectbox(key="beheer_bewerk_keuze").set_value(org_id).run()
    assert not at.exception
    return at


def _ambassador(path: Path, reference, org_id: int) -> str | None:
    with Store(path, reference) as store:
        return store.get_organisation(org_id)["ambassadeur_voor"]


def test_team_member_cannot_appoint_ambassador_in_beheer_edit_form(beheer_register,
                                                                   reference):
    """Finding 5: "a team member can set 'Ambassadeur voor subregio' in Beheer → Bewerken;
    only the board may (issue 5's decision)"."""
    path, org_id = beheer_register
    form = f"beheer_formulier_{org_id}_0"
    at = _beheer("team", org_id)
    field_ = at.selectbox(key=f"{form}_ambassadeur")
    assert field_.disabled and field_.value == SUBREGION  # shown, read-only
    assert any("Alleen het bestuur kan ambassadeurs aanwijzen" in c.value for c in at.caption)
    at.text_area(key=f"{form}_notities").input("gebeld")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    with Store(path, reference) as store:
        org = store.get_organisation(org_id, include_personal=True)
        history = store.history(org_id)
    assert org["notities"] == "gebeld"  # the rest of the form is saved ...
    assert org["ambassadeur_voor"] == SUBREGION  # ... the ambassador is not touched
    changed_by_kees = set(history.loc[history["gebruiker"] == "kees", "veld"])
    assert changed_by_kees == {"notities"}

    # A stale session: the form was opened as board member, the role is team by the time
    # it is submitted (e.g. the account was downgraded). The change is not saved.
    at = _beheer("bestuur", org_id)
    at.selectbox(key=f"{form}_ambassadeur").set_value("")
    at.session_state["rol"] = "team"
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    assert _ambassador(path, reference, org_id) == SUBREGION


def test_team_member_cannot_appoint_ambassador_through_an_import_file(beheer_register,
                                                                      reference):
    """Finding 5: "only the board may" set an ambassador — also not with an 'Ambassadeur'
    column in an import file applied by a team member."""
    path, org_id = beheer_register
    csv = (b"Bedrijfsnaam;Adres;PC;Plaats;Ambassadeur\r\n"
           b"Wegenbouw Ambassade;Dorpsstraat 1;1703 AB;Heerhugowaard;nee\r\n"
           b"Nieuwe Ambassade;Kade 3;1621 AA;Hoorn;ja\r\n")
    at = AppTest.from_file(str(PAGES_DIR / "beheer.py"), default_timeout=TIMEOUT)
    at.session_state["rol"] = "team"
    at.session_state["gebruiker"] = "kees"
    at.run()
    at.file_uploader(key="beheer_upload").set_value(("partners.csv", csv, "text/csv")).run()
    assert any("'Ambassadeur' wordt genegeerd" in w.value and "alleen het bestuur" in w.value
               for w in at.warning)
    at.button(key="beheer_importeren").click().run()
    assert not at.exception
    with Store(path, reference) as store:
        orgs = store.organisations().set_index("naam")
    assert set(orgs.index) == {"Wegenbouw Ambassade", "Nieuwe Ambassade"}
    assert orgs.loc["Wegenbouw Ambassade", "ambassadeur_voor"] == SUBREGION  # not cleared
    assert orgs.loc["Nieuwe Ambassade", "ambassadeur_voor"] is None  # not appointed


def test_team_member_cannot_appoint_ambassador_through_the_store(beheer_register, reference):
    """Finding 5: "only the board may" — the store refuses every path that changes
    ambassadeur_voor without the board's role, whatever a page forgets to check."""
    path, org_id = beheer_register
    with Store(path, reference) as store:
        for role in ("team", "publiek", None):
            with pytest.raises(AuthError, match="Alleen het bestuur"):
                store.save_organisation({"id": org_id, "ambassadeur_voor": None}, user="kees",
                                        role=role)
            with pytest.raises(AuthError, match="Alleen het bestuur"):
                store.set_ambassador(org_id, "Zaanstreek", user="kees", role=role)
            with pytest.raises(AuthError, match="Alleen het bestuur"):
                store.apply_import([{"naam": "Nieuw", "ambassadeur_voor": SUBREGION},
                                    {"id": org_id, "ambassadeur_voor": None}], user="kees",
                                   role=role)
            with pytest.raises(AuthError, match="Alleen het bestuur"):
                store.save_organisation({"naam": "Ook nieuw", "ambassadeur_voor": SUBREGION},
                                        user="kees", role=role)
        # nothing was written by any of them
        assert store.get_organisation(org_id)["ambassadeur_voor"] == SUBREGION
        assert set(store.organisations()["naam"]) == {"Wegenbouw Ambassade"}
        # a team member may save the record with the ambassador as it is
        store.save_organisation({"id": org_id, "ambassadeur_voor": SUBREGION,
                                 "notities": "x"}, user="kees", role="team")
        # the board may change it
        store.save_organisation({"id": org_id, "ambassadeur_voor": None}, user="piet",
                                role="bestuur")
        assert store.get_organisation(org_id)["ambassadeur_voor"] is None


def test_team_member_cannot_mark_ambassadors_from_a_stale_board_session(app_env, reference):
    """Finding 5: "only the board may" — the Ambassadeurs page checks the role again when
    'Markeer' arrives, not only when the button was drawn."""
    from tests.test_ambassadors import fill_store

    path = app_env / "infrakaart.sqlite"
    fill_store(path, reference, n=30).close()
    at = AppTest.from_file(str(PAGES_DIR / "ambassadeurs.py"), default_timeout=TIMEOUT)
    at.session_state["rol"] = "bestuur"
    at.session_state["gebruiker"] = "piet"
    at.run()
    assert not at.button(key="amb_markeer").disabled
    at.button(key="amb_markeer").click()
    at.session_state["rol"] = "team"  # downgraded before the click is handled
    at.run()
    assert not at.exception
    assert not any("gemarkeerd als ambassadeur" in s.value for s in at.success)
    with Store(path, reference) as store:
        assert store.organisations()["ambassadeur_voor"].isna().all()


def test_password_spraying_behind_a_local_proxy_is_throttled(with_team_user,  # noqa: F811
                                                             connection):  # noqa: F811
    """Finding 5: "Password spraying (many names from one client) is never throttled when
    the app sits behind a local proxy (127.0.0.1)"."""
    # A reverse proxy on this machine without X-Forwarded-For: every visitor arrives from
    # 127.0.0.1, which Streamlit reports as None. They share one bucket, which locks.
    connection.peer = None
    at = login._spray(login._run(), 20)
    at = login._login(at, "jan", login.PASSWORD)
    assert "Te veel mislukte inlogpogingen" in login._texts(at.error)
    assert login._role(at) == "publiek"


def test_password_spraying_with_forged_forwarded_for_is_throttled(
        with_team_user, connection):  # noqa: F811
    """Finding 5: password spraying must be throttled per client; an X-Forwarded-For
    header is trusted only from a configured proxy, so a forged one changes nothing."""
    connection.peer = "198.51.100.66"  # not a trusted proxy (none are configured)
    at = login._run()
    for i in range(20):
        connection.forwarded = [f"10.{i}.0.1"]  # a new "client" for every attempt
        at = login._login(at, f"naam{i}", "zomer2024!")
    connection.forwarded = ["10.99.0.1"]
    at = login._login(at, "jan", login.PASSWORD)
    assert "Te veel mislukte inlogpogingen" in login._texts(at.error)


def test_password_spraying_through_a_pass_through_local_proxy_is_throttled(
        with_team_user, connection):  # noqa: F811
    """Finding 5: spraying "behind a local proxy (127.0.0.1)" — a proxy that passes the
    client's own X-Forwarded-For on unchanged makes Streamlit's server take the forged
    value as the peer; a fresh forged address per attempt must not escape throttling."""
    at = login._run()
    for i in range(20):
        forged = f"10.{i}.0.1"
        connection.peer = forged  # what uvicorn reports after applying the header
        connection.forwarded = [forged]
        at = login._login(at, f"naam{i}", "zomer2024!")
    connection.peer = "10.99.0.1"
    connection.forwarded = ["10.99.0.1"]
    at = login._login(at, "jan", login.PASSWORD)
    assert "Te veel mislukte inlogpogingen" in login._texts(at.error)
