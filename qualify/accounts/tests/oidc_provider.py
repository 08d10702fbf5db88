"""A small, real OpenID Connect provider for the tests, served on loopback from a thread.

It does what an organisation's identity provider does in the authorisation-code flow: discovery, an authorisation
endpoint that approves whoever the test says is signed in there (no login form) and sends the browser back with a
code and the state, a token endpoint that checks the client's secret, the redirect address and PKCE and issues an
RS256-signed id_token, the signing keys, and userinfo. A test can also make it misbehave (an id_token for another
audience, from another issuer, or signed with a key it does not publish) to prove the sign-in refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Person:
    """Who is signed in at the provider: the claims it will vouch for."""

    sub: str
    email: str
    email_verified: bool = True
    name: str = "Test Person"


@dataclass
class _Grant:
    person: Person
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None


@dataclass
class LoopbackOidcProvider:
    client_id: str = "qualify-test-client"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    person: Person | None = None
    # Misbehaviour, for the refusal tests.
    id_token_audience: str | None = None
    id_token_issuer: str | None = None
    sign_with_unpublished_key: bool = False
    id_token_lifetime: int = 300

    def __post_init__(self) -> None:
        self._key = _new_key()
        self._kid = secrets.token_hex(8)
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, Person] = {}
        self._lock = threading.Lock()
        self.token_requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.timeout = 5
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LoopbackOidcProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # What the endpoints answer ------------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self._kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        """Approve the signed-in person at once: a redirect back with a one-time code and the state."""
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or query.get("response_type") != "code" or not redirect_uri:
            return 400, {}
        if "openid" not in query.get("scope", "").split():
            return 400, {}
        if self.person is None:
            return 302, {"Location": f"{redirect_uri}?{urlencode({'error': 'login_required', **_state(query)})}"}
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._grants[code] = _Grant(
                self.person, self.client_id, redirect_uri, query.get("nonce"), query.get("code_challenge")
            )
        return 302, {"Location": f"{redirect_uri}?{urlencode({'code': code, **_state(query)})}"}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or not secrets.compare_digest(client_secret, self.client_secret):
            return 401, {"error": "invalid_client"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant"}
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if challenge != grant.code_challenge:
                return 400, {"error": "invalid_grant"}
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access] = grant.person
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self._id_token(grant),
        }

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        person = self._tokens.get(authorization.removeprefix("Bearer ").strip())
        if person is None:
            return 401, {"error": "invalid_token"}
        return 200, _claims(person)

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.id_token_issuer or self.url,
            "aud": self.id_token_audience or grant.client_id,
            "iat": now,
            "exp": now + self.id_token_lifetime,
            **_claims(grant.person),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        key = _new_key() if self.sign_with_unpublished_key else self._key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._kid})

    # HTTP ------------------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif parts.path == "/jwks":
                    self._json(200, provider.jwks())
                elif parts.path == "/userinfo":
                    self._json(*provider.userinfo(self.headers.get("Authorization", "")))
                elif parts.path == "/authorize":
                    status, headers = provider.authorize(query)
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path == "/token":
                    self._json(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self._json(404, {"error": "not_found"})

        return Handler


def _state(query: dict[str, str]) -> dict[str, str]:
    return {"state": query["state"]} if "state" in query else {}


def _claims(person: Person) -> dict[str, Any]:
    return {"sub": person.sub, "email": person.email, "email_verified": person.email_verified, "name": person.name}
