"""System checks for the platform's own settings (run by ``manage.py check``; ``--deploy`` adds the production ones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


def _site_url_problem(value: str, *, deploy: bool) -> str | None:
    if not value:
        return "is not set, so the links in e-mails (notices, invitations) would be bare site paths" if deploy else None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return f"must be an absolute address such as https://qualify.example.org, not {value!r}"
    if parts.path.strip("/") or parts.query or parts.fragment:
        return f"must be the site's address alone (links add their own path), not {value!r}"
    if deploy and parts.scheme != "https":
        return f"must be an https:// address in production, not {value!r}"
    return None


def _site_url_errors(*, deploy: bool) -> list[CheckMessage]:
    problem = _site_url_problem(str(settings.QUALIFY_SITE_URL), deploy=deploy)
    if problem is None:
        return []
    return [
        Error(
            f"QUALIFY_SITE_URL {problem}.",
            hint="Set the environment variable QUALIFY_SITE_URL to the address people reach the platform at.",
            id="qualify.E001",
        )
    ]


@register()
def site_url_is_an_address(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Wherever it is set, QUALIFY_SITE_URL is an absolute http(s) address without a path."""
    return _site_url_errors(deploy=False)


@register(Tags.security, deploy=True)
def site_url_is_set_for_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """In production QUALIFY_SITE_URL is set, and to an https:// address."""
    return _site_url_errors(deploy=True)
