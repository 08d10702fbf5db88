"""A fresh second factor before the most sensitive steps (issue 16).

Recording a board decision, signing a Final QAD as its director, revoking a qualification and creating an API token
are refused to a person who has a second factor unless they gave it within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
seconds (at sign-in or since). Otherwise the request is set aside and they are sent to allauth's second-factor
re-authentication page, which carries out the set-aside request once the code or key is given: nothing changes
before that. A password alone does not count, so a stolen password with a still-open session cannot take the step.

A person without a second factor is not asked: where their role requires one, ``MandatoryMfaMiddleware`` has already
sent them to enrol; where it does not, there is nothing to ask for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

V = TypeVar("V", bound=Callable[..., HttpResponseBase])
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: Any) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists())


def gave_second_factor_recently(request: HttpRequest) -> bool:
    """A second factor (code, recovery code or security key) was given in this session within the timeout."""
    records = get_authentication_records(request, request.user)
    times = [record.get("at", 0) for record in records if record.get("method") == "mfa"]
    return bool(times) and time.time() - max(times) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def second_factor_required(when: Callable[[HttpRequest], bool] = lambda request: True) -> Callable[[V], V]:
    """Wrap a view (inside its guard) so that, when ``when(request)`` holds, a person with a second factor gives it
    again unless they did so recently."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if (
                user.is_authenticated
                and when(request)
                and not gave_second_factor_recently(request)
                and has_second_factor(user)
            ):
                set_aside: HttpResponseBase = suspend_request(request, reverse("mfa_reauthenticate"))
                return set_aside
            return view(request, *args, **kwargs)

        wrapped.second_factor_required = True  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def is_post(request: HttpRequest) -> bool:
    return request.method == "POST"
