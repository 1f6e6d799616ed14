"""Outbound HTTP to webhook receivers: the one module that opens those connections.

A receiver's address is whatever an owner typed, so a request must not reach the server's own network:
the host is resolved once, and the request is refused (nothing sent) when ANY of its addresses is private,
loopback, link-local, multicast, reserved or unspecified, IPv4 or IPv6 (an IPv4 address inside an IPv6 one
counts as itself), unless GTM_WEBHOOKS_ALLOW_PRIVATE=1. The connection then goes to the address that was
checked, never to a second lookup (which could answer otherwise), while the Host header and TLS's server
name stay the receiver's host. Redirects are not followed (a 3xx is a failed try saying where it pointed),
each try has a timeout (GTM_WEBHOOK_TIMEOUT), and at most the first EXCERPT_BYTES of the answer are read.
"""
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app

EXCERPT_BYTES = 1024
USER_AGENT = "gtm-webhooks/1"
# NAT64's well-known prefix carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass
class Outcome:
    """How one try ended. `refused`: the request was not sent because of where it would go (or a URL that names
    no host): trying again will not help."""

    ok: bool
    refused: bool
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(text: str) -> bool:
    """Whether an address is one the open internet routes to: not private, loopback, link-local, multicast,
    reserved, unspecified or otherwise special (checked again for an IPv4 address inside an IPv6 one)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            candidates.append(inner)
    return all(found.is_global and not (found.is_private or found.is_loopback or found.is_link_local
                                        or found.is_multicast or found.is_reserved or found.is_unspecified)
               for found in candidates)


class Refused(Exception):
    """The request was not sent because of where it would go; the message says why."""


class NoAddress(Exception):
    """The host could not be resolved (perhaps for now); the message says so."""


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The host's addresses, all checked; Refused when it has none or one is not public (unless allowed)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise NoAddress(f"Could not resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise NoAddress(f"{host} has no address.")
    if not allow_private:
        blocked = [address for address in addresses if not is_public(address)]
        if blocked:
            raise Refused(f"Refused: {host} resolves to {blocked[0]}, a private, loopback, link-local or reserved "
                          "address; webhooks only go to public addresses.")
    return addresses


def _pinned(connection: http.client.HTTPConnection, address: str, port: int) -> http.client.HTTPConnection:
    """Make the connection open its socket to `address` (already checked), keeping Host and SNI as they are."""
    connection._create_connection = lambda _where, timeout, source=None: socket.create_connection(
        (address, port), timeout, source)
    return connection


def _connection(scheme: str, host: str, port: int, address: str, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return _pinned(http.client.HTTPSConnection(host, port, timeout=timeout,
                                                   context=ssl.create_default_context()), address, port)
    return _pinned(http.client.HTTPConnection(host, port, timeout=timeout), address, port)


def settings(app: Flask | None = None) -> tuple[float, bool]:
    """The timeout of one try, and whether private addresses are allowed (tests on loopback)."""
    config = (app or current_app).config
    return float(config["GTM_WEBHOOK_TIMEOUT"]), bool(config["GTM_WEBHOOKS_ALLOW_PRIVATE"])


def post(url: str, body: bytes, headers: dict[str, str], app: Flask | None = None) -> Outcome:
    """POST `body` to a receiver once; never raises for what the receiver or the network did."""
    timeout, allow_private = settings(app)
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return Outcome(False, True, error="The URL's port is not a number.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(False, True, error="Only http:// and https:// URLs with a host can receive webhooks.")
    try:
        addresses = resolve(parts.hostname, port, allow_private)
    except Refused as exc:
        return Outcome(False, True, error=str(exc), duration_ms=took())
    except NoAddress as exc:
        return Outcome(False, False, error=str(exc), duration_ms=took())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    problem = ""
    for address in addresses:
        connection = _connection(parts.scheme, parts.hostname, port, address, timeout)
        try:
            connection.request("POST", path, body=body, headers=sent_headers)
            response = connection.getresponse()
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
            status = response.status
        except (TimeoutError, socket.timeout):
            return Outcome(False, False, error=f"Timed out after {timeout:g} s without an answer.", duration_ms=took())
        except ConnectionRefusedError:
            problem = f"Connection refused by {address}:{port}."
            continue
        except (OSError, http.client.HTTPException) as exc:
            problem = f"{type(exc).__name__}: {exc}"
            continue
        finally:
            connection.close()
        if 300 <= status < 400:
            where = response.getheader("Location") or "nowhere"
            return Outcome(False, False, status, excerpt, f"Answered {status}, a redirect to {where[:300]}; redirects "
                           "are not followed: give the final address.", took())
        ok = 200 <= status < 300
        return Outcome(ok, False, status, excerpt, "" if ok else f"Answered {status}.", took())
    return Outcome(False, False, error=problem or "Could not connect.", duration_ms=took())
