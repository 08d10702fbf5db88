"""Posting one delivery to a subscriber's endpoint: HTTPS only, to public addresses only, briefly, bounded.

In production (``QUALIFY_WEBHOOK_ALLOW_PRIVATE`` off) an endpoint must be ``https://`` and every address its name
resolves to must be public: loopback, private, link-local, reserved and multicast addresses are refused, so a
subscriber cannot make the server call into its own network (SSRF). The connection goes to the address that was
checked (the name is not looked up a second time, so it cannot be re-pointed in between) with the name kept for the
TLS certificate check. Redirects are not followed. Each network step waits at most ``QUALIFY_WEBHOOK_TIMEOUT_SECONDS``;
only the start of the answer is read and kept (``core.text.one_line``).

A ``Sender`` keeps one connection per endpoint open across the deliveries of one run, as subscribers' servers expect
of a busy client.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from qualify.core.text import error_text, one_line

SNIPPET = 300
READ_AT_MOST = 4096


class EndpointRefused(ValueError):
    """The address may not be called (wrong scheme, or not a public address in production)."""


@dataclass(frozen=True)
class Answer:
    code: int | None
    snippet: str
    error: str

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def allow_private() -> bool:
    return bool(settings.QUALIFY_WEBHOOK_ALLOW_PRIVATE)


def check_url(url: str) -> None:
    """Refuse an endpoint that is not HTTPS (plain HTTP only where private addresses are allowed)."""
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_private() else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise EndpointRefused("The endpoint must be an https:// address.")
    if parts.username or parts.password:
        raise EndpointRefused("The endpoint must not carry a user name or password.")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> str:
    """The address to connect to: the first one the name resolves to, once every one is known to be public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise EndpointRefused(f"The endpoint's name could not be resolved ({error_text(error, limit=100)}).") from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise EndpointRefused("The endpoint's name resolves to no address.")
    if not allow_private() and not all(_public(a) for a in addresses):
        raise EndpointRefused("The endpoint resolves to a private or local address, which webhooks may not call.")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class Sender:
    """Posts deliveries, reusing one connection per endpoint; ``close()`` when done."""

    def __init__(self) -> None:
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def _connection(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        connection = self._connections.get(key)
        if connection is None:
            timeout = float(settings.QUALIFY_WEBHOOK_TIMEOUT_SECONDS)
            address = resolve(host, port)
            kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
            connection = kind(host, port, address, timeout)
            self._connections[key] = connection
        return connection

    def _drop(self, key: tuple[str, str, int]) -> None:
        connection = self._connections.pop(key, None)
        if connection is not None:
            connection.close()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            check_url(url)
        except EndpointRefused as refused:
            return Answer(None, "", str(refused))
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (scheme, host, port)
        for fresh in (False, True):  # a kept connection the server closed meanwhile is opened once more
            try:
                connection = self._connection(scheme, host, port)
                connection.request("POST", path, body=body, headers={**headers, "user-agent": "qualify-webhooks/1"})
                response = connection.getresponse()
                data = response.read(READ_AT_MOST)
                if response.will_close or not response.isclosed():
                    self._drop(key)  # an answer longer than we read, or a server closing: start afresh next time
                text = one_line(data.decode("utf-8", errors="replace"), limit=SNIPPET, mark_cut=True)
                return Answer(response.status, text, "")
            except EndpointRefused as refused:
                return Answer(None, "", str(refused))
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self._drop(key)
                if fresh:
                    return Answer(None, "", one_line(f"The connection failed: {error_text(error)}", limit=SNIPPET))
            except (OSError, http.client.HTTPException) as error:
                self._drop(key)
                return Answer(None, "", one_line(f"The endpoint did not answer: {error_text(error)}", limit=SNIPPET))
        return Answer(None, "", "The connection failed.")  # pragma: no cover - the loop always returns

    def close(self) -> None:
        for key in list(self._connections):
            self._drop(key)
