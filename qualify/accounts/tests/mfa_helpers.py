"""Second factors for tests: TOTP codes computed here (RFC 6238 over HMAC-SHA1, independent of allauth's own code),
enrolment through allauth's own activation, and a full sign-in (password, then code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from typing import Any

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD


def totp_code(secret: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for ``secret`` at ``at`` (now by default)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def enrol_totp(user: Any) -> tuple[str, list[str]]:
    """An authenticator app and recovery codes for ``user``: the secret and the codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


def sign_in(client: Client, email: str, code: str, password: str = PASSWORD) -> Any:
    """Password, then the second factor; answers the second step's response."""
    first = client.post(reverse("account_login"), {"login": email, "password": password})
    assert first.status_code == 302 and first["Location"] == reverse("mfa_authenticate"), first
    return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
