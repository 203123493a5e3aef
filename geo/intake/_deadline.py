"""The deadline of one whole request: connecting, headers and body, on real time.

A socket time-out bounds one ``recv`` only, so a server that sends one byte every few
seconds never trips it. Here every request that :class:`~geo.intake._http.JsonClient`
sends runs under a :class:`Deadline`: when it passes, a watchdog shuts the request's
sockets down, which ends any blocked read at once. The sockets are handed to the deadline
by a requests transport (:func:`new_session`) whose urllib3 connections report every
socket they connect or reuse.

Together with :mod:`geo.intake._http` this is the only code that touches the network.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

import requests
import urllib3
from requests.adapters import HTTPAdapter

logger = logging.getLogger(__name__)

_active = threading.local()


class Deadline:
    """The deadline of one request: when it passes, the request's sockets are shut down.

    A socket time-out bounds one ``recv`` only, so a server that trickles its status
    line, headers or body keeps a request alive for as long as it likes. Here a timer
    thread shuts down (``SHUT_RDWR``) every socket the request used once the deadline
    passes; a blocked read on such a socket returns at once, the request fails and
    :attr:`expired` tells it was the deadline. This also covers connecting and the TLS
    handshake (the socket is watched from the moment it is connected). Not covered: the
    name lookup before a connection (``getaddrinfo`` cannot be interrupted); it is
    bounded by the system resolver's own time-outs.

    Sockets are watched through a duplicate of their file descriptor, so the watch keeps
    working when TLS takes the socket over (``SSLContext.wrap_socket`` detaches it) and
    never touches a descriptor number another thread may have reused.

    Parameters
    ----------
    seconds : float
        Time from :meth:`start` until the sockets are shut down.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._done = False
        self._watched: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        """Start the clock; this thread's new and reused connections are watched."""
        _active.deadline = self
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it has passed)."""
        if sock is None:
            return
        try:
            handle = socket.socket(sock.family, sock.type, sock.proto,
                                   fileno=os.dup(sock.fileno()))
        except (OSError, ValueError):
            logger.debug("socket cannot be watched; only the chunk checks apply")
            return
        with self._lock:
            if self._done:
                handle.close()
                return
            self._watched.append(handle)
            if self.expired:
                _shut_down(handle)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for handle in self._watched:
                _shut_down(handle)

    def finish(self) -> None:
        """Stop the clock and release the watches (the request is over)."""
        if getattr(_active, "deadline", None) is self:
            _active.deadline = None
        with self._lock:
            self._done = True
            self._timer.cancel()
            for handle in self._watched:
                handle.close()
            self._watched.clear()


def _shut_down(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or never connected


def _watch(sock: socket.socket | None) -> None:
    """Put ``sock`` under the deadline of this thread's current request, if any."""
    deadline = getattr(_active, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _WatchedConnectionMixin:
    """Hands every socket a connection uses to the current :class:`Deadline`."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        _watch(sock)
        return sock

    def getresponse(self, *args: object, **kwargs: object) -> object:
        _watch(getattr(self, "sock", None))  # a reused keep-alive connection
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedConnectionMixin, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """A requests transport whose connections are watched by the request's deadline."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: object) -> object:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools keep their own classes
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def new_session() -> requests.Session:
    """A :class:`requests.Session` whose requests the client can cut off.

    Returns
    -------
    requests.Session
        With a transport that hands each connection's socket to the deadline of the
        request in progress. Pass a session of your own to
        :class:`~geo.intake._http.JsonClient` only with this transport, or the deadline is
        checked between body chunks only.
    """
    session = requests.Session()
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def deadline_passed(seconds: float, err: BaseException | None) -> TimeoutError:
    """The cause of a deadline time-out: says so, chained to what the transport saw."""
    passed = TimeoutError(f"request deadline of {seconds:g} s passed")
    passed.__cause__ = err
    return passed
