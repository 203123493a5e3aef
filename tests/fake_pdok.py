"""A fake PDOK Locatieserver v3_1 for offline tests: a real HTTP server on 127.0.0.1.

It serves the documented ``free`` response shape
``{"response": {"numFound", "start", "maxScore", "numFoundExact", "docs": [...]}}`` with
documents of type ``adres``, ``postcode`` and ``woonplaats`` as PDOK writes them:
``centroide_ll`` is WKT ``POINT(lon lat)`` (longitude first), ``centroide_rd`` is
``POINT(x y)`` in EPSG:28992, ``gemeentecode`` has four digits without ``GM``,
``postcode`` has no space, empty ``huisletter``/``huisnummertoevoeging`` are left out.

The addresses are fictional street names at real postcode areas (PC4) in the five
labour-market regions, with coordinates near the bundled PC4 points; the one real
address is ``Evert van de Beekstraat 202, 1118CP Schiphol`` (Haarlemmermeer, 0394),
an office address used in public test suites of other geocoding libraries.

Use from tests::

    from tests.fake_pdok import fake_pdok_fixture  # noqa: F401  (fixture "fake_pdok")

    def test_something(fake_pdok):
        settings = Settings(pdok_url=fake_pdok.url, ...)
        fake_pdok.fail("500", times=1)
        ...
        assert fake_pdok.request_count == 2

Failure modes (:data:`MODES`, switched on with :meth:`FakePdok.fail`):

* ``gzip``: the normal answer, gzip-compressed (``Content-Encoding: gzip``);
* transport: ``timeout`` (holds the answer back ``delay_s``), ``400``, ``429``, ``500``,
  ``redirect`` (a 302 back to the same URL, with a ``huge_bytes`` body a client should
  not read);
  ``drip`` (headers at once, then the body one byte every ``drip_interval_s``) and
  ``drip_headers`` (status line and headers dripped too);
* size: ``huge`` (claims ``huge_bytes`` in Content-Length and streams them),
  ``endless`` (chunked, no length, streams ``huge_bytes``), ``gzip_bomb`` (a small
  gzip body that unpacks to ``huge_bytes``); :attr:`FakePdok.body_bytes_sent` counts
  what the client let through;
* HTTP 200 that is not PDOK's answer (:data:`BAD_SHAPES`): ``malformed`` (cut-off
  JSON), ``html`` (a web page), ``array`` (the docs as a bare JSON array), ``error``
  (Solr's ``{"error": …}``), ``empty`` (no body), ``wrong_types`` (the right answer
  with ``numFound`` as a string), ``deep`` (JSON nested too deep to decode).

Or run it for the browser tests (the app reads ``INFRAKAART_PDOK_URL``)::

    python -m tests.fake_pdok --port 8765
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
import signal
import ssl
import sys
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from pyproj import Transformer

#: Path prefix of the real service, so ``url`` looks like PDOK's base URL.
BASE_PATH = "/bzk/locatieserver/search/v3_1/"

#: Query parameters v3_1 accepts on ``/free``; anything else is answered with HTTP 400.
ALLOWED_PARAMS = {"q", "fq", "fl", "df", "rows", "start", "sort", "wt", "indent",
                  "lat", "lon", "bq"}

#: Fields PDOK returns when no ``fl`` is given.
DEFAULT_FIELDS = ("id", "weergavenaam", "type", "score")

#: HTTP 200 answers that are not PDOK's documented shape.
BAD_SHAPES = ("malformed", "html", "array", "error", "empty", "wrong_types", "deep")

#: Answers larger than any client should read.
OVERSIZED = ("huge", "endless", "gzip_bomb")

#: Path (under the service URL) that switches a failure mode from another process.
CONTROL_PATH = "/_nep/storing"

#: Failure modes a test can switch on with :meth:`FakePdok.fail`.
MODES = ("ok", "gzip", "timeout", "redirect", "400", "429", "500", "drip", "drip_headers",
         *OVERSIZED, *BAD_SHAPES)

#: A captive-portal page, as a hotel or train wifi answers any URL.
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Wifi - inloggen</title></head>"
             b"<body><h1>Welkom</h1><p>Accepteer de voorwaarden om verder te gaan.</p>"
             b"</body></html>")

#: Block streamed by the oversized modes: JSON whitespace, so only the size is wrong.
_FILL = b" " * (64 * 1024)

_TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)

# (straat, huisnummer, huisletter, toevoeging, postcode, woonplaats, gemeente,
#  gemeentecode, lat, lon). Coordinates: the PC4 point of data/pc4_nl.csv plus a few
# metres; Schiphol is the real BAG position.
ADDRESSES: tuple[tuple, ...] = (
    ("Bouwkade", 12, "", "", "1703AB", "Heerhugowaard", "Dijk en Waard", "1980",
     52.659650, 4.825010),
    ("Bouwkade", 12, "A", "", "1703AB", "Heerhugowaard", "Dijk en Waard", "1980",
     52.659670, 4.825060),
    ("Bouwkade", 12, "", "2", "1703AB", "Heerhugowaard", "Dijk en Waard", "1980",
     52.659650, 4.825010),
    ("Bouwkade", 14, "", "", "1703AB", "Heerhugowaard", "Dijk en Waard", "1980",
     52.659720, 4.825240),
    ("Bouwkade", 40, "", "", "1703AC", "Heerhugowaard", "Dijk en Waard", "1980",
     52.660410, 4.826530),
    ("Molenwerf", 3, "", "", "1911AB", "Uitgeest", "Uitgeest", "0450",
     52.522600, 4.737100),
    ("Roode Steenkade", 11, "", "", "1621AR", "Hoorn", "Hoorn", "0405",
     52.639200, 5.060450),
    ("Marinehaven", 1, "", "", "1781AA", "Den Helder", "Den Helder", "0400",
     52.954300, 4.773700),
    ("Sluispad", 7, "", "", "1501CD", "Zaandam", "Zaanstad", "0479",
     52.436800, 4.833400),
    ("Waterlandkade", 21, "B", "", "1441AA", "Purmerend", "Purmerend", "0439",
     52.498450, 4.956300),
    ("Spaarnewerf", 5, "", "", "2011EF", "Haarlem", "Haarlem", "0392",
     52.382900, 4.637600),
    ("Havenhoofdweg", 40, "", "", "1971GH", "IJmuiden", "Velsen", "0453",
     52.453600, 4.622000),
    ("Dijkgracht", 30, "", "3", "1012KL", "Amsterdam", "Amsterdam", "0363",
     52.375400, 4.896100),
    ("Evert van de Beekstraat", 202, "", "", "1118CP", "Schiphol", "Haarlemmermeer", "0394",
     52.3038972, 4.7479077),
    ("Mediastraat", 9, "", "", "1211MN", "Hilversum", "Hilversum", "0402",
     52.226400, 5.177200),
    ("Vestingweg", 2, "", "", "1402PR", "Bussum", "Gooise Meren", "1942",
     52.272650, 5.177050),
)


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """Gzip data that unpacks to ``size`` bytes of spaces (about 1/1000 of it)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * (1 << 20)
    parts = [packer.compress(block[:min(len(block), size - done)])
             for done in range(0, size, len(block))]
    return b"".join(parts) + packer.flush()


def bad_shape_body(mode: str, answer: dict) -> tuple[bytes, str]:
    """Body and Content-Type of a 200 answer in one of the :data:`BAD_SHAPES`."""
    json_type = "application/json; charset=utf-8"
    if mode == "malformed":
        return b'{"response": {"numFound": 1, "docs": [{"id": "adr-', json_type
    if mode == "html":
        return HTML_PAGE, "text/html; charset=utf-8"
    if mode == "array":
        return json.dumps(answer["response"]["docs"]).encode(), json_type
    if mode == "error":
        error = {"responseHeader": {"status": 400},
                 "error": {"msg": "undefined field huisnummer", "code": 400}}
        return json.dumps(error).encode(), json_type
    if mode == "empty":
        return b"", json_type
    if mode == "wrong_types":
        response = {**answer["response"], "numFound": str(answer["response"]["numFound"])}
        return json.dumps({"response": response}).encode(), json_type
    if mode == "deep":
        return b"[" * 200_000 + b"]" * 200_000, json_type
    raise ValueError(f"not a bad shape: {mode!r}")


def _doc_id(prefix: str, *parts: object) -> str:
    digest = hashlib.md5("|".join(map(str, parts)).encode(), usedforsecurity=False)
    return f"{prefix}-{digest.hexdigest()}"


def _points(lat: float, lon: float) -> dict[str, str]:
    x, y = _TO_RD.transform(lon, lat)
    return {"centroide_ll": f"POINT({lon:.8f} {lat:.8f})",
            "centroide_rd": f"POINT({x:.3f} {y:.3f})"}


def _province() -> dict[str, str]:
    return {"provincienaam": "Noord-Holland", "provinciecode": "PV27",
            "provincieafkorting": "NH"}


def build_docs() -> list[dict]:
    """All documents of the fake index: addresses, their postcodes and places."""
    docs: list[dict] = []
    by_postcode: dict[str, list[tuple]] = {}
    by_place: dict[str, list[tuple]] = {}
    for row in ADDRESSES:
        straat, nummer, letter, toevoeging, pc, plaats, gemeente, code, lat, lon = row
        huis_nlt = f"{nummer}{letter}" + (f"-{toevoeging}" if toevoeging else "")
        doc = {
            "bron": "BAG", "type": "adres",
            "id": _doc_id("adr", pc, huis_nlt),
            "weergavenaam": f"{straat} {huis_nlt}, {pc} {plaats}",
            "straatnaam": straat, "huisnummer": nummer, "huis_nlt": huis_nlt,
            "postcode": pc, "woonplaatsnaam": plaats, "gemeentenaam": gemeente,
            "gemeentecode": code, **_province(), **_points(lat, lon),
        }
        if letter:
            doc["huisletter"] = letter
        if toevoeging:
            doc["huisnummertoevoeging"] = toevoeging
        docs.append(doc)
        by_postcode.setdefault(pc, []).append(row)
        by_place.setdefault(plaats, []).append(row)
    for pc, rows in by_postcode.items():
        straat, plaats, gemeente, code = rows[0][0], rows[0][5], rows[0][6], rows[0][7]
        lat = sum(r[8] for r in rows) / len(rows)
        lon = sum(r[9] for r in rows) / len(rows)
        docs.append({
            "bron": "BAG", "type": "postcode", "id": _doc_id("pcd", pc),
            "weergavenaam": f"{straat}, {pc} {plaats}", "straatnaam": straat,
            "postcode": pc, "woonplaatsnaam": plaats, "gemeentenaam": gemeente,
            "gemeentecode": code, **_province(), **_points(lat, lon),
        })
    for plaats, rows in by_place.items():
        gemeente, code = rows[0][6], rows[0][7]
        docs.append({
            "bron": "BAG", "type": "woonplaats", "id": _doc_id("wpl", plaats),
            "weergavenaam": f"{plaats}, {gemeente}, Noord-Holland",
            "woonplaatsnaam": plaats, "gemeentenaam": gemeente, "gemeentecode": code,
            **_province(), **_points(rows[0][8], rows[0][9]),
        })
    return docs


def _tokens(text: object) -> list[str]:
    return re.findall(r"[0-9a-z]+", str(text).casefold())


def _matches_filter(doc: dict, fq: str) -> bool:
    name, _, value = fq.partition(":")
    value = value.strip().strip('"')
    if not name or name not in doc:
        return False
    return str(doc[name]).casefold() == value.casefold()


def search(docs: list[dict], params: list[tuple[str, str]]) -> dict:
    """Answer one ``/free`` request like PDOK: filter, score, page, select fields.

    Free text is a simple approximation of Solr: a document matches when at least one
    query word occurs in its ``weergavenaam``, ``postcode``, ``huis_nlt`` or place
    names; documents with more matching words score higher.
    """
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    found = [d for d in docs if all(_matches_filter(d, fq) for fq in values.get("fq", []))]
    q = (values.get("q") or ["*:*"])[0].strip()
    scored: list[tuple[float, int, dict]] = []
    if q in {"", "*:*", "*"}:
        scored = [(1.0, i, d) for i, d in enumerate(found)]
    else:
        wanted = _tokens(q)
        for i, doc in enumerate(found):
            have = set(_tokens(" ".join(str(doc.get(k, "")) for k in (
                "weergavenaam", "postcode", "huis_nlt", "woonplaatsnaam", "gemeentenaam"))))
            hits = sum(1 for w in wanted if w in have)
            if hits:
                scored.append((round(3.25 * hits + 0.5 / (1 + i), 6), i, doc))
        scored.sort(key=lambda item: (-item[0], item[1]))
    rows = int((values.get("rows") or ["10"])[0])
    start = int((values.get("start") or ["0"])[0])
    fl = (values.get("fl") or [",".join(DEFAULT_FIELDS)])[0]
    fields = [f for f in re.split(r"[,\s]+", fl) if f]
    page = []
    for score, _, doc in scored[start:start + rows]:
        full = {**doc, "score": score}
        page.append(full if "*" in fields else {k: full[k] for k in fields if k in full})
    return {"response": {
        "numFound": len(scored), "start": start,
        "maxScore": max((s for s, _, _ in scored), default=0.0),
        "numFoundExact": True, "docs": page,
    }}


@dataclass
class RecordedRequest:
    """One request as the fake server received it."""

    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str] = field(default_factory=dict)

    def values(self, name: str) -> list[str]:
        """All values of parameter ``name`` (``fq`` may repeat)."""
        return [v for k, v in self.params if k == name]


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakePDOK/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: tests read .requests instead

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            pass  # the client hung up (the deadline and size tests make it do so)

    def _send(self, status: int, body: bytes, *, headers: dict[str, str] | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (time-out test)

    def _drip(self, data: bytes, fake: FakePdok) -> None:
        """Write ``data`` one byte at a time, ``fake.drip_interval_s`` apart."""
        self.close_connection = True
        try:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                if fake._stopping.wait(fake.drip_interval_s):
                    return
        except OSError:
            pass  # the client gave up (the point of the test)

    def _stream(self, mode: str, fake: FakePdok) -> None:
        """Answer in one of the :data:`OVERSIZED` modes, counting the body bytes sent."""
        self.close_connection = True
        size = fake.huge_bytes
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            if mode == "gzip_bomb":
                body = gzip_bomb(size)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                fake._count_body(len(body))
                return
            if mode == "huge":
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            while sent < size and not fake._stopping.is_set():
                block = _FILL[:size - sent]
                if mode == "endless":
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                else:
                    self.wfile.write(block)
                sent += len(block)
                fake._count_body(len(block))
            if mode == "endless":
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up: what a client should do

    def _control(self, fake: FakePdok, params: dict[str, str]) -> None:
        """``…/_nep/storing?mode=500`` switches a failure mode on, ``mode=ok`` off again.

        For a fake running in another process (the browser tests' app talks to one).
        """
        mode = params.get("mode", "ok")
        if mode == "ok":
            fake.reset()
        elif mode in MODES:
            fake.fail(mode)
        else:
            self._send(400, b'{"detail": "unknown mode"}')
            return
        self._send(200, b'{"mode": "' + mode.encode("ascii") + b'"}')

    def do_GET(self) -> None:  # noqa: N802
        fake: FakePdok = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        params = parse_qsl(parts.query, keep_blank_values=True)
        fake._record(RecordedRequest(parts.path, params, {
            "User-Agent": self.headers.get("User-Agent", ""),
            "Referer": self.headers.get("Referer", ""),
        }))
        if parts.path.rstrip("/").endswith(CONTROL_PATH):
            self._control(fake, dict(params))
            return
        if not parts.path.rstrip("/").endswith("/free"):
            self._send(404, b'{"detail": "Not Found"}')
            return
        mode = fake._next_mode()
        if mode == "timeout":
            fake._stopping.wait(fake.delay_s)
        elif mode == "429":
            self._send(429, b'{"detail": "Too Many Requests"}',
                       headers={"Retry-After": str(fake.retry_after_s)})
            return
        elif mode == "500":
            self._send(500, b'{"detail": "Internal Server Error"}')
            return
        elif mode == "redirect":
            self.close_connection = True
            try:
                self.send_response(302)
                self.send_header("Location", self.path)
                self.send_header("Content-Length", str(fake.huge_bytes))
                self.end_headers()
                for _ in range(0, fake.huge_bytes, len(_FILL)):
                    self.wfile.write(_FILL)
                    fake._count_body(len(_FILL))
            except OSError:
                pass  # the client did not read the body
            return
        elif mode == "400":
            self._send(400, b'{"title": "Bad Request", "status": 400}')
            return
        elif mode in OVERSIZED:
            self._stream(mode, fake)
            return
        unknown = sorted({k for k, _ in params} - ALLOWED_PARAMS)
        if unknown:
            body = {"title": "Bad Request", "status": 400,
                    "detail": f"unknown query parameter(s): {', '.join(unknown)}"}
            self._send(400, json.dumps(body).encode())
            return
        try:
            answer = search(fake.docs, params)
        except ValueError:
            self._send(400, b'{"title": "Bad Request", "status": 400}')
            return
        body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        if mode in BAD_SHAPES:
            bad, content_type = bad_shape_body(mode, answer)
            self._send(200, bad, content_type=content_type)
        elif mode in ("drip", "drip_headers"):
            head = (f"{self.protocol_version} 200 OK\r\n"
                    "Content-Type: application/json; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode("ascii")
            if mode == "drip":
                try:
                    self.wfile.write(head)
                except OSError:
                    return
                self._drip(body, fake)
            else:
                self._drip(head + body, fake)
        elif mode == "gzip":
            packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
            self._send(200, packer.compress(body) + packer.flush(),
                       headers={"Content-Encoding": "gzip"})
        else:
            self._send(200, body)


class FakePdok:
    """A fake PDOK Locatieserver on ``127.0.0.1`` (a free port unless one is given).

    Parameters
    ----------
    port : int
        Port to listen on; 0 picks a free one.
    docs : list of dict, optional
        The index; :func:`build_docs` by default.
    ssl_context : ssl.SSLContext, optional
        Serve HTTPS with this server context (``url`` then starts with ``https``).

    Attributes
    ----------
    url : str
        Base URL to put in ``Settings.pdok_url`` (ends with a slash).
    requests : list of RecordedRequest
        Every request received, in order.
    mode : str
        Current failure mode, one of :data:`MODES`.
    delay_s : float
        How long a ``timeout`` answer is held back.
    retry_after_s : int
        ``Retry-After`` sent with a 429.
    drip_interval_s : float
        Pause between two bytes in the ``drip`` modes.
    huge_bytes : int
        Size of the answers of the :data:`OVERSIZED` modes (unpacked, for ``gzip_bomb``).
    """

    def __init__(self, *, port: int = 0, docs: list[dict] | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.docs = docs if docs is not None else build_docs()
        self.requests: list[RecordedRequest] = []
        self.mode = "ok"
        self.delay_s = 5.0
        self.retry_after_s = 1
        self.drip_interval_s = 0.3
        self.huge_bytes = 300 * 1024 * 1024
        self._body_bytes_sent = 0
        self._failures_left: int | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket,
                                                          server_side=True)
        self.port = self._server.server_address[1]
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}{BASE_PATH}"
        self._thread: threading.Thread | None = None

    @property
    def request_count(self) -> int:
        """Number of requests received so far."""
        with self._lock:
            return len(self.requests)

    @property
    def body_bytes_sent(self) -> int:
        """Body bytes the oversized modes got onto the wire (the client read at most this)."""
        with self._lock:
            return self._body_bytes_sent

    def _count_body(self, n: int) -> None:
        with self._lock:
            self._body_bytes_sent += n

    def fail(self, mode: str, *, times: int | None = None) -> None:
        """Answer the next ``times`` requests (all when None) in failure ``mode``.

        Set :attr:`huge_bytes` before switching on ``gzip_bomb``: the bomb is packed here.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
        if mode == "gzip_bomb":
            gzip_bomb(self.huge_bytes)  # pack it now, not while a client's deadline runs
        with self._lock:
            self.mode = mode
            self._failures_left = times

    def reset(self) -> None:
        """Back to normal answers; forget recorded requests."""
        with self._lock:
            self.mode = "ok"
            self._failures_left = None
            self.requests.clear()
            self._body_bytes_sent = 0

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_mode(self) -> str:
        with self._lock:
            mode = self.mode
            if mode != "ok" and self._failures_left is not None:
                self._failures_left -= 1
                if self._failures_left <= 0:
                    self.mode, self._failures_left = "ok", None
            return mode

    def start(self) -> FakePdok:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02},
                                        name="fake-pdok", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (held-back answers are released)."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakePdok:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(name="fake_pdok")
def fake_pdok_fixture():
    """Pytest fixture ``fake_pdok``: a running :class:`FakePdok`, stopped after the test."""
    with FakePdok() as server:
        yield server


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the fake server in the foreground until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_pdok",
        description="Nep-PDOK Locatieserver voor tests (alleen 127.0.0.1).")
    parser.add_argument("--port", type=int, default=0, help="poort (0 = een vrije poort)")
    parser.add_argument("--mode", choices=MODES, default="ok", help="foutmodus")
    args = parser.parse_args(argv)
    server = FakePdok(port=args.port)
    server.fail(args.mode)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    print(server.url, flush=True)
    print(f"Nep-PDOK luistert op {server.url} (stoppen met Ctrl-C); "
          f"zet INFRAKAART_PDOK_URL={server.url}", file=sys.stderr, flush=True)
    try:
        server._server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server._stopping.set()
        server._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
