"""The client behind a login attempt: its peer address, or what trusted proxies report.

The client is the connection's peer address, or — only when that peer is a configured
trusted proxy — the address the proxies report in ``X-Forwarded-For`` (see
:func:`client_address`). :class:`~geo.auth.throttle.LoginThrottle` counts failures per
client.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Address used when Streamlit reports no peer: it says None for a loopback peer
#: (127.0.0.1, ::1), which is what a reverse proxy on the same machine is.
LOOPBACK = "127.0.0.1"

#: Client key when the peer cannot be understood at all; such clients share one bucket.
UNKNOWN_CLIENT = "onbekend"

#: At most this many ``X-Forwarded-For`` hops are followed (no real chain is longer).
MAX_FORWARDED_HOPS = 16


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """The networks of ``Settings.trusted_proxies``.

    Parameters
    ----------
    text : str
        IP addresses and networks (CIDR), separated by commas or spaces, e.g.
        ``"127.0.0.1, ::1, 10.0.0.0/24"``. Empty: no trusted proxies.

    Returns
    -------
    tuple of ipaddress.IPv4Network or ipaddress.IPv6Network

    Raises
    ------
    ValueError
        With a Dutch message naming the entry that is not an address or network.
    """
    networks = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as err:
            raise ValueError(
                f"INFRAKAART_TRUSTED_PROXIES: '{entry}' is geen IP-adres of netwerk "
                "(zoals 127.0.0.1 of 10.0.0.0/24)."
            ) from err
    return tuple(networks)


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a peer or an ``X-Forwarded-For`` hop; None for anything else.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``, ``[2001:db8::1]:443`` and
    ``"quoted"`` forms; an IPv4-mapped IPv6 address becomes its IPv4 address. Names,
    ``unknown`` and obfuscated identifiers (``_hidden``) are None.
    """
    value = text.strip().strip('"').strip()
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return None
        value = value[1:end]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    if not value or len(value) > 64:
        return None
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_trusted(ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
                trusted: Iterable[Network]) -> bool:
    return any(ip.version == net.version and ip in net for net in trusted)


#: The hosts whose ``X-Forwarded-For`` Streamlit's web server (uvicorn) applies itself
#: unless the environment variable ``FORWARDED_ALLOW_IPS`` says otherwise.
SERVER_FORWARDED_DEFAULT = "127.0.0.1,::1"


@dataclass(frozen=True)
class ServerTrust:
    """The proxies whose ``X-Forwarded-For`` the web server applies before the app runs.

    Streamlit 1.67 serves through uvicorn, which by default replaces a peer on
    127.0.0.1 or ::1 by the right-most address in ``X-Forwarded-For`` that is not one of
    those (``FORWARDED_ALLOW_IPS``). The app then sees that header value as the peer.

    Attributes
    ----------
    networks : tuple of network
        Trusted addresses and networks.
    literals : frozenset of str
        Entries that are no address (uvicorn compares them as text).
    everyone : bool
        ``FORWARDED_ALLOW_IPS="*"``: the header of every peer is applied.
    """

    networks: tuple[Network, ...] = ()
    literals: frozenset[str] = frozenset()
    everyone: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerTrust:
        """Read ``FORWARDED_ALLOW_IPS`` the way uvicorn does.

        Parameters
        ----------
        environ : Mapping, optional
            The environment; defaults to :data:`os.environ`.

        Returns
        -------
        ServerTrust
        """
        env = os.environ if environ is None else environ
        raw = env.get("FORWARDED_ALLOW_IPS", SERVER_FORWARDED_DEFAULT)
        if raw.strip() == "*":
            return cls(everyone=True)
        networks, literals = [], set()
        for entry in (item.strip() for item in raw.split(",")):
            try:
                networks.append(ipaddress.ip_network(entry) if "/" in entry else
                                ipaddress.ip_network(ipaddress.ip_address(entry)))
            except ValueError:
                literals.add(entry)
        return cls(tuple(networks), frozenset(literals))

    def trusts(self, host: str) -> bool:
        """Whether uvicorn trusts ``host`` (an address or other text)."""
        if self.everyone:
            return True
        if not host:
            return False
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return host in self.literals
        return any(ip in net for net in self.networks if net.version == ip.version)

    def client_from(self, hops: list[str]) -> str:
        """The host uvicorn takes from the header's hops (its ``get_trusted_client_address``)."""
        if self.everyone:
            return _server_host(hops[0])
        for hop in reversed(hops):
            host = _server_host(hop)
            if not self.trusts(host):
                return host
        return _server_host(hops[0])


def _server_host(value: str) -> str:
    """A hop without its port, exactly as uvicorn's proxy-header middleware cuts it."""
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return value
        rest = value[end + 1:]
        return value[1:end] if not rest or rest.startswith(":") else value
    if value.count(":") == 1:
        host, port = value.rsplit(":", 1)
        return host if port.isdigit() else value
    return value


def _hops(forwarded_for: str | Iterable[str] | None) -> list[str]:
    if forwarded_for is None:
        return []
    headers = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for)
    return [hop.strip() for header in headers for hop in str(header).split(",")]


def _within(net: Network, trusted: tuple[Network, ...]) -> bool:
    return any(net.version == t.version and net.subnet_of(t) for t in trusted)


def client_address(
    peer: str | None,
    forwarded_for: str | Iterable[str] | None,
    trusted: Iterable[Network],
    *,
    server: ServerTrust | None = None,
) -> str:
    """The address of the client behind an attempt, for throttling.

    The client is the connection's peer. Only when the peer is a trusted proxy, the
    ``X-Forwarded-For`` header is read from right to left: each hop that is itself a
    trusted proxy is skipped, and the first other address is the client. A header from an
    untrusted peer is ignored, so a client cannot pick its own address. When the header is
    missing, or the next hop is not an address, the last trusted proxy counts as the client:
    everyone behind it then shares one throttle bucket, which is safe (too strict rather
    than too lenient). In the same way, with no trusted proxies configured, every client of
    a reverse proxy on the same machine shares the loopback bucket.

    The web server may already have replaced a peer it trusts by a header value
    (:class:`ServerTrust`; by default a peer on 127.0.0.1/::1). When the peer is exactly
    what the server would have taken from the header, the header is believed only if one
    of the server's trusted proxies is also in ``trusted``; otherwise the attempt counts in
    the shared :data:`LOOPBACK` bucket. So a local proxy that passes a client's own
    ``X-Forwarded-For`` through unchanged cannot give each attempt a fresh address.

    Parameters
    ----------
    peer : str or None
        The peer address of the connection (``st.context.ip_address``). None counts as
        :data:`LOOPBACK`: Streamlit reports a loopback peer as None.
    forwarded_for : str, iterable of str, or None
        The ``X-Forwarded-For`` header(s), each a comma-separated list of hops, the
        nearest proxy's view last; several headers are read as one list, in order.
    trusted : iterable of network
        Trusted proxies (:func:`parse_trusted_proxies`).
    server : ServerTrust, optional
        What the web server trusts; uvicorn's default (127.0.0.1 and ::1) when omitted.

    Returns
    -------
    str
        The client's address in canonical form (IPv4-mapped IPv6 as IPv4), or
        :data:`UNKNOWN_CLIENT` when the peer itself is not an address.
    """
    trusted = tuple(trusted)
    server = ServerTrust.from_env({}) if server is None else server
    hops = _hops(forwarded_for)
    if peer is not None and hops and peer == server.client_from(hops):
        # The server put this header value in place of one of its trusted proxies.
        if server.everyone or not any(_within(net, trusted) for net in server.networks):
            return LOOPBACK
        client = None
    else:
        client = _parse_address(LOOPBACK if peer is None else peer)
        if client is None:
            return UNKNOWN_CLIENT
        if not _is_trusted(client, trusted):
            return str(client)
    for hop in reversed(hops[-MAX_FORWARDED_HOPS:]):
        ip = _parse_address(hop)
        if ip is None:
            break
        client = ip
        if not _is_trusted(ip, trusted):
            break
    return LOOPBACK if client is None else str(client)
