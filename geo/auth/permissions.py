"""Roles and permissions: the one gate every permission and privacy decision goes through.

Every decision calls :func:`can` (or :func:`require`, which raises) over the table
:data:`PERMISSIONS`; pages, the navigation, the command line and the store never compare
role names themselves. To add an action, add a row to :data:`PERMISSIONS`, check it with
:func:`can`/:func:`require` where it happens, and give it a probe in
``tests/attacks/test_roles.py`` (which walks every page for every role).
"""

from __future__ import annotations

import logging

from geo.errors import AuthError

log = logging.getLogger(__name__)

#: Roles, from least to most rights.
ROLES: tuple[str, ...] = ("publiek", "team", "bestuur")

#: Roles that need a login (local account or OIDC).
STAFF_ROLES: tuple[str, ...] = ("team", "bestuur")

#: action → roles allowed to perform it. Every action is checked with :func:`can` /
#: :func:`require` where it happens (named after each entry); tests/attacks/test_roles.py
#: walks every page for every role and fails for an action that nothing checks.
PERMISSIONS: dict[str, frozenset[str]] = {
    # public pages (app.py navigation): public data only
    "kaart_bekijken": frozenset({"publiek", "team", "bestuur"}),  # Kaart, Wat als
    "scholen_zoeken": frozenset({"publiek", "team", "bestuur"}),  # School koppelen
    # staff
    "contactgegevens_zien": frozenset({"team", "bestuur"}),  # personal fields on every page
    "beheren": frozenset({"team", "bestuur"}),  # Beheer: review, edit, add, delete
    "importeren": frozenset({"team", "bestuur"}),  # Beheer → Importeren
    "geschiedenis_zien": frozenset({"team", "bestuur"}),  # Beheer → Historie
    "exporteren_met_contactgegevens": frozenset({"team", "bestuur"}),  # Beheer → Exporteren
    "ambassadeurs_bekijken": frozenset({"team", "bestuur"}),  # Ambassadeurs (the planner)
    # Beheer → Opleidingslocaties, `infrakaart mbo zet` and every Store write of a place
    "opleidingslocaties_beheren": frozenset({"team", "bestuur"}),
    "jaaroverzicht_bekijken": frozenset({"team", "bestuur"}),  # Jaaroverzicht (the page)
    "keten_bekijken": frozenset({"team", "bestuur"}),  # Keten (the page)
    "bereik_bekijken": frozenset({"team", "bestuur"}),  # Bereik: reach per subregion
    # board only (issue 5): appoint ambassadors — Ambassadeurs → Vastleggen, the Beheer
    # form field, an import's Ambassadeur column, and every Store write of ambassadeur_voor
    "ambassadeurs_markeren": frozenset({"bestuur"}),
}

#: Dutch refusal of :func:`require` per action; other actions get :data:`NO_ACCESS_MESSAGE`.
DENIED_MESSAGES: dict[str, str] = {
    "ambassadeurs_markeren": "Alleen het bestuur kan ambassadeurs aanwijzen.",
}

#: Refusal of :func:`require` for an action without its own message.
NO_ACCESS_MESSAGE = (
    "U heeft geen toegang tot dit onderdeel. Log in met een account dat de juiste rol heeft."
)

#: Role of the command line (``infrakaart import`` and friends). Whoever can run it on the
#: server can read and write the database file directly, so it acts with the board's rights.
LOCAL_ADMIN_ROLE = "bestuur"


def can(role: str | None, action: str) -> bool:
    """Whether ``role`` may perform ``action``.

    Parameters
    ----------
    role : str or None
        ``"publiek"``, ``"team"`` or ``"bestuur"``. Anything else (``None``, a typo) has no
        rights at all: the check fails closed.
    action : str
        A key of :data:`PERMISSIONS`.

    Returns
    -------
    bool
        True when the permission table allows it.

    Raises
    ------
    KeyError
        For an action that is not in :data:`PERMISSIONS` (a programming error, not a user's).
    """
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}; add it to geo.auth.PERMISSIONS")
    return role in PERMISSIONS[action]


def require(role: str | None, action: str) -> None:
    """Raise :class:`~geo.errors.AuthError` unless ``role`` may perform ``action``.

    Parameters
    ----------
    role : str or None
        The role of the current user.
    action : str
        A key of :data:`PERMISSIONS`.

    Raises
    ------
    AuthError
        With a Dutch message (:data:`DENIED_MESSAGES`, else :data:`NO_ACCESS_MESSAGE`)
        when the role lacks the permission.
    """
    if not can(role, action):
        log.warning("refused action %s for role %r", action, role)
        raise AuthError(DENIED_MESSAGES.get(action, NO_ACCESS_MESSAGE))


def check_staff_role(role: str) -> str:
    """``role`` itself when it is a role an account can hold (``team`` or ``bestuur``).

    Parameters
    ----------
    role : str
        The role asked for a new or changed account.

    Returns
    -------
    str
        ``role``, unchanged.

    Raises
    ------
    AuthError
        With a Dutch message for any other role.
    """
    if role not in STAFF_ROLES:
        raise AuthError(f"Onbekende rol {role!r}: kies 'team' of 'bestuur'.")
    return role
