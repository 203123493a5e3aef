"""Roles, local accounts (argon2id), login throttling, OIDC mapping and the CLI."""

from __future__ import annotations

import io
import ipaddress
import logging
import stat
import tomllib

import pytest
from argon2 import PasswordHasher, Type

from geo import auth
from geo.cli import main as cli_main
from geo.errors import AuthError
from geo.settings import Settings

# Cheap argon2id parameters keep the tests fast; the library default is much stronger.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
PASSWORD = "correct paard batterij"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def users(tmp_path):
    path = tmp_path / "var" / "gebruikers.toml"
    auth.add_user(path, "Jan", "team", PASSWORD, hasher=CHEAP)
    return path


# --------------------------------------------------------------------------- roles


def test_permission_table_separates_public_team_and_board():
    assert auth.can("publiek", "kaart_bekijken")
    assert not auth.can("publiek", "contactgegevens_zien")
    assert not auth.can("publiek", "beheren")
    assert auth.can("team", "contactgegevens_zien")
    assert auth.can("team", "beheren")
    assert not auth.can("team", "ambassadeurs_markeren")
    assert auth.can("bestuur", "ambassadeurs_markeren")


def test_board_can_do_everything_the_team_can():
    for action, roles in auth.PERMISSIONS.items():
        if "team" in roles:
            assert auth.can("bestuur", action), action
        if "publiek" in roles:
            assert auth.can("team", action), action


def test_unknown_role_has_no_rights_and_unknown_action_is_a_bug():
    assert not any(auth.can(None, a) for a in auth.PERMISSIONS)
    assert not any(auth.can("admin", a) for a in auth.PERMISSIONS)
    with pytest.raises(KeyError):
        auth.can("bestuur", "alles_mogen")


def test_require_raises_dutch_auth_error():
    auth.require("bestuur", "ambassadeurs_markeren")
    with pytest.raises(AuthError, match="Alleen het bestuur kan ambassadeurs aanwijzen"):
        auth.require("team", "ambassadeurs_markeren")
    with pytest.raises(AuthError, match="geen toegang"):
        auth.require("publiek", "beheren")
    with pytest.raises(AuthError):
        auth.require(None, "kaart_bekijken")


def test_whoever_manages_the_register_may_see_contact_data():
    # The Beheer edit form shows personal fields to every role that may manage.
    assert auth.PERMISSIONS["beheren"] <= auth.PERMISSIONS["contactgegevens_zien"]
    assert auth.PERMISSIONS["exporteren_met_contactgegevens"] <= (
        auth.PERMISSIONS["contactgegevens_zien"])


def test_only_the_board_appoints_ambassadors_and_the_cli_acts_as_board():
    assert auth.PERMISSIONS["ambassadeurs_markeren"] == frozenset({"bestuur"})
    assert auth.can(auth.LOCAL_ADMIN_ROLE, "ambassadeurs_markeren")


def test_accounts_hold_only_staff_roles():
    assert auth.permissions.check_staff_role("team") == "team"
    for role in ("publiek", "admin", ""):
        with pytest.raises(AuthError, match="Onbekende rol"):
            auth.permissions.check_staff_role(role)


# --------------------------------------------------------------------------- accounts


def test_stored_hash_is_argon2id_and_not_the_password(users):
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text
    record = tomllib.loads(text)["gebruikers"]["jan"]
    assert record["rol"] == "team"
    assert record["wachtwoord_hash"].startswith("$argon2id$")
    assert CHEAP.verify(record["wachtwoord_hash"], PASSWORD)


def test_default_hasher_is_argon2id(tmp_path):
    path = tmp_path / "g.toml"
    auth.add_user(path, "piet", "bestuur", PASSWORD)
    record = tomllib.loads(path.read_text())["gebruikers"]["piet"]
    assert record["wachtwoord_hash"].startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(record["wachtwoord_hash"])


def test_file_mode_is_0600_and_no_temp_files_remain(users):
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    auth.add_user(users, "piet", "bestuur", PASSWORD, hasher=CHEAP)
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    leftovers = [p.name for p in users.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_right_password_works_wrong_fails_unknown_user_same_message(users):
    user = auth.verify(users, "jan", PASSWORD, throttle=None, hasher=CHEAP)
    assert user == auth.User("jan", "team")
    assert auth.verify(users, "  JAN ", PASSWORD, throttle=None, hasher=CHEAP).name == "jan"
    with pytest.raises(AuthError) as wrong:
        auth.verify(users, "jan", PASSWORD + "x", throttle=None, hasher=CHEAP)
    with pytest.raises(AuthError) as unknown:
        auth.verify(users, "klaas", PASSWORD, throttle=None, hasher=CHEAP)
    with pytest.raises(AuthError) as invalid_name:
        auth.verify(users, "<script>", PASSWORD, throttle=None, hasher=CHEAP)
    assert str(wrong.value) == str(unknown.value) == str(invalid_name.value)
    assert str(wrong.value) == auth.LOGIN_FAILED_MESSAGE


def test_missing_file_means_no_users_and_failed_login(tmp_path):
    path = tmp_path / "geen.toml"
    assert auth.list_users(path) == []
    with pytest.raises(AuthError, match="Onbekende gebruiker"):
        auth.verify(path, "jan", PASSWORD, throttle=None, hasher=CHEAP)


def test_add_refuses_short_password_bad_role_bad_name_and_duplicates(users):
    with pytest.raises(AuthError, match="minstens 10"):
        auth.add_user(users, "piet", "team", "kort", hasher=CHEAP)
    with pytest.raises(AuthError, match="rol"):
        auth.add_user(users, "piet", "publiek", PASSWORD, hasher=CHEAP)
    with pytest.raises(AuthError, match="gebruikersnaam"):
        auth.add_user(users, 'piet"\n[x]', "team", PASSWORD, hasher=CHEAP)
    with pytest.raises(AuthError, match="bestaat al"):
        auth.add_user(users, "JAN", "bestuur", PASSWORD, hasher=CHEAP)
    assert auth.list_users(users) == [auth.User("jan", "team")]


def test_replace_changes_role_and_password(users):
    auth.add_user(users, "jan", "bestuur", "nieuw wachtwoord!", replace=True, hasher=CHEAP)
    assert auth.list_users(users) == [auth.User("jan", "bestuur")]
    with pytest.raises(AuthError):
        auth.verify(users, "jan", PASSWORD, throttle=None, hasher=CHEAP)
    assert auth.verify(users, "jan", "nieuw wachtwoord!", throttle=None, hasher=CHEAP).role == (
        "bestuur")


def test_list_and_remove(users):
    auth.add_user(users, "piet", "bestuur", PASSWORD, hasher=CHEAP)
    assert [u.name for u in auth.list_users(users)] == ["jan", "piet"]
    auth.remove_user(users, "Jan")
    assert auth.list_users(users) == [auth.User("piet", "bestuur")]
    with pytest.raises(AuthError, match="bestaat niet"):
        auth.remove_user(users, "jan")


def test_rehash_when_parameters_change(users):
    old = tomllib.loads(users.read_text())["gebruikers"]["jan"]["wachtwoord_hash"]
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1, type=Type.ID)
    assert stronger.check_needs_rehash(old)
    auth.verify(users, "jan", PASSWORD, throttle=None, hasher=stronger)
    new = tomllib.loads(users.read_text())["gebruikers"]["jan"]["wachtwoord_hash"]
    assert new != old
    assert not stronger.check_needs_rehash(new)
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    # the upgraded hash still verifies the same password
    assert auth.verify(users, "jan", PASSWORD, throttle=None, hasher=stronger).role == "team"


def test_corrupt_file_gives_dutch_error(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text("[gebruikers\nrol = ", encoding="utf-8")
    with pytest.raises(AuthError, match="beschadigd"):
        auth.list_users(path)


def test_toml_string_escapes_round_trip():
    nasty = 'a"b\\c\nd\te\x01f é'
    assert tomllib.loads(f"x = {auth.accounts._toml_string(nasty)}")["x"] == nasty


def test_passwords_and_hashes_never_logged(users, caplog):
    caplog.set_level(logging.DEBUG)
    auth.verify(users, "jan", PASSWORD, throttle=None, hasher=CHEAP)
    with pytest.raises(AuthError):
        auth.verify(users, "jan", "fout wachtwoord", throttle=None, hasher=CHEAP)
    auth.add_user(users, "piet", "team", PASSWORD, hasher=CHEAP)
    text = caplog.text
    assert PASSWORD not in text and "fout wachtwoord" not in text
    assert "$argon2" not in text


# --------------------------------------------------------------------------- throttle


def _fail(users, throttle, *, name="jan", client="10.0.0.1", password="fout wachtwoord"):
    with pytest.raises(AuthError) as err:
        auth.verify(users, name, password, throttle=throttle, client=client, hasher=CHEAP)
    return str(err.value)


def test_throttle_locks_user_after_n_failures_and_unlocks_after_delay(users):
    clock = FakeClock()
    throttle = auth.LoginThrottle(max_failures=3, base_delay_s=60, clock=clock)
    for _ in range(3):
        assert _fail(users, throttle) == auth.LOGIN_FAILED_MESSAGE
    # locked: even the right password is refused, with a message saying how long to wait
    message = _fail(users, throttle, password=PASSWORD)
    assert "Te veel mislukte inlogpogingen" in message and "1 minuut" in message
    clock.advance(59)
    assert "1 seconde " in _fail(users, throttle, password=PASSWORD)
    clock.advance(2)
    assert auth.verify(users, "jan", PASSWORD, throttle=throttle, client="10.0.0.1",
                       hasher=CHEAP).name == "jan"


def test_throttle_delay_increases_with_repeated_locks(users):
    clock = FakeClock()
    throttle = auth.LoginThrottle(max_failures=2, base_delay_s=60, clock=clock)
    keys = auth.LoginThrottle.keys_for(name="jan", client=None)
    for _ in range(2):
        _fail(users, throttle, client=None)
    first = throttle.remaining(keys)
    clock.advance(first + 1)
    for _ in range(2):
        _fail(users, throttle, client=None)
    second = throttle.remaining(keys)
    assert first == pytest.approx(60)
    assert second == pytest.approx(120)
    assert "2 minuten" in _fail(users, throttle, client=None)


def test_failures_outside_the_window_are_forgotten(users):
    clock = FakeClock()
    throttle = auth.LoginThrottle(max_failures=3, window_s=900, clock=clock)
    for _ in range(2):
        _fail(users, throttle)
    clock.advance(901)
    for _ in range(2):
        assert _fail(users, throttle) == auth.LOGIN_FAILED_MESSAGE
    assert throttle.remaining(auth.LoginThrottle.keys_for(name="jan", client="10.0.0.1")) == 0


def test_throttle_per_client_locks_spraying_over_many_names(users):
    clock = FakeClock()
    throttle = auth.LoginThrottle(max_failures=5, max_client_failures=4, clock=clock)
    for i in range(4):
        _fail(users, throttle, name=f"naam{i}", client="10.0.0.66")
    # this client is locked even for a name it never tried ...
    assert "Te veel" in _fail(users, throttle, name="jan", client="10.0.0.66",
                              password=PASSWORD)
    # ... while another client can still log in as that user
    assert auth.verify(users, "jan", PASSWORD, throttle=throttle, client="10.0.0.7",
                       hasher=CHEAP).name == "jan"


def test_user_lock_applies_from_every_client(users):
    throttle = auth.LoginThrottle(max_failures=3, clock=FakeClock())
    for i in range(3):
        _fail(users, throttle, client=f"10.0.0.{i}")
    assert "Te veel" in _fail(users, throttle, client="10.0.0.99", password=PASSWORD)


def test_success_resets_user_counter_but_not_client_counter(users):
    throttle = auth.LoginThrottle(max_failures=3, max_client_failures=3, clock=FakeClock())
    for _ in range(2):
        _fail(users, throttle)
    auth.verify(users, "jan", PASSWORD, throttle=throttle, client="10.0.0.1", hasher=CHEAP)
    # the name starts afresh from another client ...
    for _ in range(2):
        assert _fail(users, throttle, client="10.0.0.2") == auth.LOGIN_FAILED_MESSAGE
    # ... but the first client's third failure locks it
    _fail(users, throttle, name="piet")
    assert "Te veel" in _fail(users, throttle, name="klaas")


def test_throttle_stores_no_names_or_addresses(users):
    throttle = auth.LoginThrottle(clock=FakeClock())
    _fail(users, throttle, name="geheimenaam", client="192.168.1.23")
    dump = repr(throttle.__dict__)
    assert "geheimenaam" not in dump and "192.168.1.23" not in dump


def test_throttle_memory_is_bounded(users):
    throttle = auth.LoginThrottle(max_entries=10, clock=FakeClock())
    for i in range(30):
        throttle.record_failure([f"naam:n{i}"])
    assert len(throttle._entries) <= 10


def test_global_limit_stops_spraying_from_many_addresses(users):
    throttle = auth.LoginThrottle(max_client_failures=5, max_global_failures=6,
                                  clock=FakeClock())
    for i in range(6):
        assert _fail(users, throttle, name=f"naam{i}", client=f"10.1.0.{i}") == (
            auth.LOGIN_FAILED_MESSAGE)
    # every client is now slowed down, also a fresh one with the right password
    assert "Te veel" in _fail(users, throttle, client="10.2.0.1", password=PASSWORD)


def test_global_limit_can_be_switched_off(users):
    throttle = auth.LoginThrottle(max_client_failures=5, max_global_failures=None,
                                  clock=FakeClock())
    for i in range(12):
        _fail(users, throttle, name=f"naam{i}", client=f"10.1.0.{i}")
    assert auth.verify(users, "jan", PASSWORD, throttle=throttle, client="10.2.0.1",
                       hasher=CHEAP).name == "jan"


def test_success_does_not_reset_the_global_counter(users):
    throttle = auth.LoginThrottle(max_global_failures=3, clock=FakeClock())
    for i in range(2):
        _fail(users, throttle, name=f"naam{i}", client=f"10.1.0.{i}")
    auth.verify(users, "jan", PASSWORD, throttle=throttle, client="10.3.0.1", hasher=CHEAP)
    _fail(users, throttle, name="piet", client="10.1.0.9")
    assert "Te veel" in _fail(users, throttle, name="klaas", client="10.4.0.1")


def test_ipv6_clients_count_per_64_network(users):
    throttle = auth.LoginThrottle(max_client_failures=3, clock=FakeClock())
    for i in range(3):  # three addresses from one /64: one client
        _fail(users, throttle, name=f"naam{i}", client=f"2001:db8:1:2::{i + 1}")
    assert "Te veel" in _fail(users, throttle, name="jan", client="2001:db8:1:2:ffff::9",
                              password=PASSWORD)
    # another /64 is another client
    assert auth.verify(users, "jan", PASSWORD, throttle=throttle, client="2001:db8:1:3::1",
                       hasher=CHEAP).name == "jan"


def test_keys_cover_name_client_and_all_clients():
    keys = auth.LoginThrottle.keys_for(name="jan", client="2001:db8::7")
    assert keys == ("naam:jan", "client:2001:db8::/64", "alle")
    assert auth.LoginThrottle.keys_for(name="", client=None) == ("alle",)


def test_wait_message_is_dutch_and_rounds_up():
    assert "1 seconde " in auth.wait_message(0.2)
    assert "45 seconden" in auth.wait_message(44.1)
    assert "1 minuut" in auth.wait_message(60)
    assert "3 minuten" in auth.wait_message(121)


# --------------------------------------------------------------------------- clients

PROXY = auth.parse_trusted_proxies("10.0.0.5, 10.0.1.0/24, ::1, 127.0.0.1")


def test_client_is_the_peer_when_no_proxy_is_trusted():
    assert auth.client_address("203.0.113.9", None, ()) == "203.0.113.9"
    # a header from a client that is not a trusted proxy is ignored: no spoofing
    assert auth.client_address("203.0.113.9", "198.51.100.1", PROXY) == "203.0.113.9"
    assert auth.client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"


def test_loopback_peer_without_trusted_proxies_is_one_shared_client():
    # Streamlit reports a loopback peer (a proxy on this machine) as None.
    assert auth.client_address(None, "198.51.100.1", ()) == auth.LOOPBACK
    assert auth.client_address(None, None, ()) == auth.LOOPBACK
    assert auth.client_address("::1", "198.51.100.1", ()) == "::1"


def test_trusted_proxy_names_the_client_from_the_right():
    # the client put a fake address in front; the proxy appended the real one
    assert auth.client_address("10.0.0.5", "1.1.1.1, 198.51.100.23", PROXY) == (
        "198.51.100.23")
    # a loopback proxy (reported as None) is trusted when configured
    assert auth.client_address(None, "198.51.100.23", PROXY) == "198.51.100.23"


def test_chain_of_trusted_proxies_is_skipped():
    forwarded = "1.1.1.1, 198.51.100.23, 10.0.1.7, 10.0.1.8"
    assert auth.client_address("10.0.0.5", forwarded, PROXY) == "198.51.100.23"
    # several headers are read as one list, in order
    assert auth.client_address("10.0.0.5", ["1.1.1.1, 198.51.100.23", "10.0.1.7"],
                               PROXY) == "198.51.100.23"
    # only trusted hops: the left-most one
    assert auth.client_address("10.0.0.5", "10.0.1.7, 10.0.1.8", PROXY) == "10.0.1.7"


def test_missing_or_garbage_forwarded_for_falls_back_to_the_proxy():
    for forwarded in (None, "", "unknown", "_hidden", "1.2.3.4, nonsense", "<script>",
                      "1.2.3.4,", "999.1.1.1", "[2001:db8::1", "a" * 10_000):
        assert auth.client_address("10.0.0.5", forwarded, PROXY) == "10.0.0.5", forwarded
    # garbage behind a trusted hop stops at that hop (never at a client-chosen value)
    assert auth.client_address("10.0.0.5", "198.51.100.1, junk, 10.0.1.7", PROXY) == (
        "10.0.1.7")
    assert auth.client_address("not an address", None, PROXY) == auth.UNKNOWN_CLIENT


def test_ports_quotes_ipv6_and_mapped_addresses():
    assert auth.client_address("10.0.0.5", "198.51.100.2:52311", PROXY) == "198.51.100.2"
    assert auth.client_address("10.0.0.5", '"[2001:db8::1]:443"', PROXY) == "2001:db8::1"
    assert auth.client_address("10.0.0.5", "2001:DB8:0:0::1", PROXY) == "2001:db8::1"
    assert auth.client_address("10.0.0.5", "::ffff:198.51.100.3", PROXY) == "198.51.100.3"
    assert auth.client_address("::ffff:10.0.0.5", "198.51.100.4", PROXY) == "198.51.100.4"
    assert auth.client_address("2001:db8::9", "198.51.100.4", PROXY) == "2001:db8::9"


def test_very_long_chains_are_cut_off():
    forwarded = ", ".join(["198.51.100.1"] + [f"10.0.1.{i}" for i in range(40)])
    # more trusted hops than are followed: the client is never read from far back
    assert auth.client_address("10.0.0.5", forwarded, PROXY).startswith("10.0.1.")


def test_header_applied_by_the_server_is_believed_only_for_a_trusted_proxy():
    # uvicorn replaced its loopback peer by the header's right-most address: the app sees
    # that address as the peer. Without a trusted proxy it may be forged: shared bucket.
    for forged in ("198.51.100.7", "10.9.8.7", "nonsense"):
        assert auth.client_address(forged, forged, ()) == auth.LOOPBACK
        assert auth.client_address(forged, f"1.1.1.1, {forged}", ()) == auth.LOOPBACK
    # a local proxy that appends the real address, trusted by configuration
    local = auth.parse_trusted_proxies("127.0.0.1")
    assert auth.client_address("198.51.100.7", "1.1.1.1, 198.51.100.7", local) == (
        "198.51.100.7")
    # ... and a chain: the server stopped at an internal hop that the app trusts as well
    chain = auth.parse_trusted_proxies("127.0.0.1, 10.0.1.0/24")
    assert auth.client_address("10.0.1.7", "198.51.100.8, 10.0.1.7", chain) == "198.51.100.8"


def test_header_not_applied_by_the_server_leaves_the_peer():
    # a remote peer (e.g. an office's forward proxy) with an internal address in the header
    assert auth.client_address("203.0.113.9", "10.1.2.3", ()) == "203.0.113.9"
    # a remote peer naming itself in the header looks like the server's doing: it gains
    # nothing but the shared bucket
    assert auth.client_address("203.0.113.9", "203.0.113.9", ()) == auth.LOOPBACK


def test_server_trust_follows_forwarded_allow_ips_like_uvicorn():
    default = auth.ServerTrust.from_env({})
    assert default.trusts("127.0.0.1") and default.trusts("::1")
    assert not default.trusts("10.0.0.5") and not default.trusts("")
    assert default.client_from(["1.1.1.1", "198.51.100.2:4711", "127.0.0.1"]) == (
        "198.51.100.2")
    assert default.client_from(["[2001:db8::5]:443"]) == "2001:db8::5"
    assert default.client_from(["127.0.0.1", "::1"]) == "127.0.0.1"
    everyone = auth.ServerTrust.from_env({"FORWARDED_ALLOW_IPS": "*"})
    assert everyone.client_from(["1.1.1.1", "198.51.100.2"]) == "1.1.1.1"
    # everyone trusted: a header value as peer is never believed
    assert auth.client_address("1.1.1.1", "1.1.1.1, 198.51.100.2",
                               auth.parse_trusted_proxies("0.0.0.0/0"),
                               server=everyone) == auth.LOOPBACK
    nobody = auth.ServerTrust.from_env({"FORWARDED_ALLOW_IPS": ""})
    assert not nobody.trusts("127.0.0.1")
    custom = auth.ServerTrust.from_env({"FORWARDED_ALLOW_IPS": "10.0.0.0/24, unix:x"})
    assert custom.trusts("10.0.0.9") and custom.trusts("unix:x")
    assert not custom.trusts("127.0.0.1")
    assert auth.client_address("198.51.100.9", "198.51.100.9",
                               auth.parse_trusted_proxies("10.0.0.0/24"),
                               server=custom) == "198.51.100.9"


def test_parse_trusted_proxies_accepts_addresses_and_networks():
    assert auth.parse_trusted_proxies("") == ()
    nets = auth.parse_trusted_proxies(" 10.0.0.5,10.0.1.0/24  2001:db8::/32 ")
    assert nets == (ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("10.0.1.0/24"),
                    ipaddress.ip_network("2001:db8::/32"))
    assert auth.parse_trusted_proxies("10.0.1.9/24") == (ipaddress.ip_network("10.0.1.0/24"),)


def test_parse_trusted_proxies_names_a_bad_entry_in_dutch():
    with pytest.raises(ValueError, match="'proxy.local' is geen IP-adres of netwerk"):
        auth.parse_trusted_proxies("10.0.0.5, proxy.local")


def test_trusted_proxies_setting_from_the_environment():
    assert Settings.from_env({}).trusted_proxies == ""
    env = {"INFRAKAART_TRUSTED_PROXIES": "10.0.0.5, 10.0.1.0/24"}
    assert Settings.from_env(env).trusted_proxies == "10.0.0.5, 10.0.1.0/24"
    with pytest.raises(ValueError, match="INFRAKAART_TRUSTED_PROXIES"):
        Settings.from_env({"INFRAKAART_TRUSTED_PROXIES": "10.0.0.300"})


# --------------------------------------------------------------------------- OIDC

OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "id",
        "client_secret": "geheim",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
        "rollen": {"Bestuurder@InfraBindt.nl": "bestuur", "iemand@example.nl": "beheerder"},
    }
}


def test_oidc_not_configured_without_auth_section_or_incomplete():
    assert auth.oidc_providers(None) == []
    assert auth.oidc_providers({}) == []
    assert not auth.oidc_configured({"auth": {"client_id": "id"}})
    incomplete = {"auth": {k: v for k, v in OIDC_SECRETS["auth"].items() if k != "client_id"}}
    assert auth.oidc_providers(incomplete) == []


def test_oidc_default_and_named_providers():
    assert auth.oidc_providers(OIDC_SECRETS) == ["default"]
    named = {
        "auth": {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "s",
            "microsoft": {"client_id": "a", "client_secret": "b", "server_metadata_url": "c"},
            "half": {"client_id": "a"},
            "rollen": {"a@b.nl": "team"},
        }
    }
    assert auth.oidc_providers(named) == ["microsoft"]


def test_oidc_role_from_mapping_case_insensitive():
    info = {"is_logged_in": True, "email": "bestuurder@infrabindt.nl", "name": "B"}
    assert auth.oidc_role(info, OIDC_SECRETS) == auth.User("bestuurder@infrabindt.nl", "bestuur")


def test_oidc_role_none_for_unknown_unverified_invalid_role_or_logged_out():
    assert auth.oidc_role({"is_logged_in": True, "email": "x@y.nl"}, OIDC_SECRETS) is None
    assert auth.oidc_role({"is_logged_in": True, "email": "iemand@example.nl"},
                          OIDC_SECRETS) is None
    assert auth.oidc_role({"is_logged_in": True, "email": "bestuurder@infrabindt.nl",
                           "email_verified": False}, OIDC_SECRETS) is None
    assert auth.oidc_role({"email": "bestuurder@infrabindt.nl"}, OIDC_SECRETS) is None


def test_oidc_role_from_local_accounts_file(tmp_path):
    path = tmp_path / "g.toml"
    auth.add_user(path, "Teamlid@InfraBindt.nl", "team", PASSWORD, hasher=CHEAP)
    info = {"is_logged_in": True, "email": "teamlid@infrabindt.nl"}
    assert auth.oidc_role(info, OIDC_SECRETS, users_path=path) == auth.User(
        "teamlid@infrabindt.nl", "team")
    assert auth.oidc_role(info, OIDC_SECRETS) is None


def test_stored_user_finds_only_the_exact_canonical_name(users):
    assert auth.stored_user(users, "jan") == auth.User("jan", "team")
    assert auth.stored_user(users, "Jan") is None  # not canonical: no lookup
    assert auth.stored_user(users, "piet") is None
    assert auth.stored_user(users.parent / "geen.toml", "jan") is None


def test_change_password_checks_the_current_one_and_keeps_the_role(users):
    with pytest.raises(AuthError, match="Onbekende gebruiker of onjuist wachtwoord"):
        auth.change_password(users, "jan", "fout wachtwoord", "een nieuw wachtwoord",
                             throttle=None, hasher=CHEAP)
    with pytest.raises(AuthError, match="te kort"):
        auth.change_password(users, "jan", PASSWORD, "kort", throttle=None, hasher=CHEAP)
    with pytest.raises(AuthError, match="gelijk aan het huidige"):
        auth.change_password(users, "jan", PASSWORD, PASSWORD, throttle=None, hasher=CHEAP)
    assert auth.verify(users, "jan", PASSWORD, throttle=None, hasher=CHEAP).role == "team"
    changed = auth.change_password(users, "jan", PASSWORD, "een nieuw wachtwoord",
                                   throttle=None, hasher=CHEAP)
    assert changed == auth.User("jan", "team")
    assert auth.verify(users, "jan", "een nieuw wachtwoord", throttle=None, hasher=CHEAP)
    with pytest.raises(AuthError):
        auth.verify(users, "jan", PASSWORD, throttle=None, hasher=CHEAP)


# --------------------------------------------------------------------------- CLI


def _cli(monkeypatch, capsys, settings, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli_main(argv, settings=settings)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_add_list_remove(monkeypatch, capsys, settings):
    code, out, _ = _cli(monkeypatch, capsys, settings,
                        ["gebruiker", "toevoegen", "Jan", "--rol", "team", "--wachtwoord-stdin"],
                        stdin=PASSWORD + "\n")
    assert code == 0 and "'jan'" in out and "team" in out
    assert auth.verify(settings.users_path, "jan", PASSWORD, throttle=None).role == "team"
    assert stat.S_IMODE(settings.users_path.stat().st_mode) == 0o600

    _cli(monkeypatch, capsys, settings,
         ["gebruiker", "toevoegen", "piet", "--rol", "bestuur", "--wachtwoord-stdin"],
         stdin=PASSWORD + "\n")
    code, out, _ = _cli(monkeypatch, capsys, settings, ["gebruiker", "lijst"])
    assert code == 0
    assert out.splitlines() == ["jan\tteam", "piet\tbestuur"]
    assert "argon2" not in out

    code, out, _ = _cli(monkeypatch, capsys, settings, ["gebruiker", "verwijderen", "jan"])
    assert code == 0 and "verwijderd" in out
    assert [u.name for u in auth.list_users(settings.users_path)] == ["piet"]


def test_cli_refuses_short_password_and_existing_user(monkeypatch, capsys, settings):
    code, _, err = _cli(monkeypatch, capsys, settings,
                        ["gebruiker", "toevoegen", "jan", "--rol", "team", "--wachtwoord-stdin"],
                        stdin="kort\n")
    assert code == 1 and "minstens 10 tekens" in err
    assert auth.list_users(settings.users_path) == []
    args = ["gebruiker", "toevoegen", "jan", "--rol", "team", "--wachtwoord-stdin"]
    assert _cli(monkeypatch, capsys, settings, args, stdin=PASSWORD + "\n")[0] == 0
    code, _, err = _cli(monkeypatch, capsys, settings, args, stdin=PASSWORD + "\n")
    assert code == 1 and "bestaat al" in err
    code, _, _ = _cli(monkeypatch, capsys, settings, [*args, "--overschrijven"],
                      stdin="een ander wachtwoord\n")
    assert code == 0
    assert auth.verify(settings.users_path, "jan", "een ander wachtwoord", throttle=None)


def test_cli_prompts_twice_and_refuses_mismatch(monkeypatch, capsys, settings):
    answers = iter([PASSWORD, PASSWORD + "?"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = _cli(monkeypatch, capsys, settings,
                        ["gebruiker", "toevoegen", "jan", "--rol", "bestuur"])
    assert code == 1 and "niet gelijk" in err
    assert auth.list_users(settings.users_path) == []

    answers = iter([PASSWORD, PASSWORD])
    code, out, _ = _cli(monkeypatch, capsys, settings,
                        ["gebruiker", "toevoegen", "jan", "--rol", "bestuur"])
    assert code == 0
    assert auth.list_users(settings.users_path) == [auth.User("jan", "bestuur")]


def test_cli_empty_list_explains_how_to_add(monkeypatch, capsys, settings):
    code, out, _ = _cli(monkeypatch, capsys, settings, ["gebruiker", "lijst"])
    assert code == 0 and "infrakaart gebruiker toevoegen NAAM --rol team" in out


def test_cli_remove_unknown_user_fails(monkeypatch, capsys, settings):
    code, _, err = _cli(monkeypatch, capsys, settings, ["gebruiker", "verwijderen", "niemand"])
    assert code == 1 and "bestaat niet" in err
