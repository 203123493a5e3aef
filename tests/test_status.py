"""``infrakaart status``: what it reports, and when it says the app is not healthy."""

from __future__ import annotations

import dataclasses
import http.server
import threading

import pytest

from geo.cli import main
from geo.register import backup
from geo.register.schema import SCHEMA_VERSION
from geo.register.store import Store
from tests.fake_pdok import fake_pdok_fixture  # noqa: F401  (fixture "fake_pdok")


def status(settings, capsys, *extra: str) -> tuple[int, str]:
    code = main(["status", *extra], settings=settings)
    printed = capsys.readouterr()
    return code, printed.out + printed.err


@pytest.fixture
def health_server():
    """A local server answering 200 on /ok and 503 elsewhere."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/ok" else 503)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_status_of_a_register_with_a_backup(settings, reference, capsys):
    with Store(settings.database_path, reference) as store:
        store.save_organisation({"naam": "Status B.V.", "postcode": "1628ab",
                                 "plaats": "Hoorn"}, user="anna")
    code, out = status(settings, capsys)
    assert code == 0
    assert f"leesbaar, schemaversie {SCHEMA_VERSION}" in out
    assert "1 organisaties, 270 scholen, 2 opleidingslocaties" in out
    assert "Laatste reservekopie: nog geen" in out
    assert "Geocoder: offline" in out
    assert "Status: in orde." in out
    made, _ = backup.make_backup(settings.database_path, settings.backup_dir, keep=2)
    code, out = status(settings, capsys)
    assert f"0 minuten geleden): {made.name}" in out


def test_status_does_not_create_or_change_the_register(settings, capsys):
    code, out = status(settings, capsys)
    assert code == 0 and "nog niet aangemaakt" in out
    assert not settings.database_path.exists()


def test_status_of_a_damaged_register_is_not_healthy(settings, capsys):
    settings.database_path.write_bytes(b"dit is geen database" * 100)
    code, out = status(settings, capsys)
    assert code == 1
    assert "niet leesbaar" in out and "beschadigd" in out
    assert "Status: NIET in orde." in out


def test_status_reports_pdok_but_does_not_fail_without_it(settings, reference, capsys,
                                                          fake_pdok):
    Store(settings.database_path, reference).close()
    online = dataclasses.replace(settings, offline=False, pdok_url=fake_pdok.url,
                                 pdok_timeout_s=2.0)
    code, out = status(online, capsys)
    assert code == 0 and "Geocoder: PDOK bereikbaar" in out
    assert fake_pdok.request_count == 1
    fake_pdok.fail("500", times=5)
    code, out = status(online, capsys)
    assert code == 0 and "PDOK niet bereikbaar" in out
    code, out = status(online, capsys, "--zonder-geocoder")
    assert "niet gecontroleerd" in out
    assert fake_pdok.request_count == 2  # --zonder-geocoder asked nothing


def test_status_with_app_check(settings, reference, capsys, health_server):
    Store(settings.database_path, reference).close()
    code, out = status(settings, capsys, "--app", f"{health_server}/ok")
    assert code == 0 and "App: antwoordt (" in out
    code, out = status(settings, capsys, "--app", f"{health_server}/kapot")
    assert code == 1 and "App: antwoordt niet" in out
