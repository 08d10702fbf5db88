"""The one place that reads the process environment.

Every setting that can vary between machines is read here, typed, and validated, so that a bad value stops the
process at start-up with a message naming the variable instead of failing later in a request. A secret may be
given directly (``X``) or as the path of a file holding it (``X_FILE``), which is how container secrets arrive.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    file_var = f"{name}_FILE"
    if file_var in os.environ:
        path = Path(os.environ[file_var])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_var} names {path}, which cannot be read: {exc}") from exc
    return os.environ.get(name)


def string(name: str, default: str | None = None) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} (or {name}_FILE) must be set.")
        return default
    return value


def secret(name: str, *, min_length: int) -> str:
    """A secret that must be set and long enough to resist guessing (e.g. a key for HMAC)."""
    value = string(name)
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long.")
    return value


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, not {value!r}.")


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def choice_list(name: str, default: list[str], *, allowed: list[str]) -> list[str]:
    """Comma-separated values, each one of ``allowed``; ``none`` (or an empty value) is the empty list."""
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if [item.lower() for item in items] == ["none"]:
        return []
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ImproperlyConfigured(f"{name}: {', '.join(unknown)} not among {', '.join(allowed)}.")
    return items


def integer_map(name: str, *, minimum: int = 0) -> dict[str, int]:
    """``KEY=number`` pairs separated by commas (e.g. ``INITIAL_QAD=40,QT_START=90``); empty when unset."""
    value = _raw(name)
    result: dict[str, int] = {}
    for item in (value or "").split(","):
        if not item.strip():
            continue
        key, equals, number = item.partition("=")
        if not equals or not key.strip():
            raise ImproperlyConfigured(f"{name} must be KEY=number pairs separated by commas, not {item.strip()!r}.")
        try:
            days = int(number)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {key.strip()} must be a whole number, not {number.strip()!r}."
            ) from exc
        if days < minimum:
            raise ImproperlyConfigured(f"{name}: {key.strip()} must be at least {minimum}, not {days}.")
        result[key.strip().upper()] = days
    return result


def database_url(default: str) -> str:
    url = string("DATABASE_URL", default)
    if not url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:// or postgres(ql)://, not {url.split(':', 1)[0]!r}."
        )
    return url


def rate(name: str, default: str) -> str:
    """A request rate such as ``30/min`` (units s, min, h, day); ``off`` (or empty) turns it off, read as ""."""
    value = (_raw(name) or default).strip()
    if value.lower() in ("", "off"):
        return ""
    count, _, unit = value.partition("/")
    if not (count.isdigit() and int(count) > 0 and unit in ("s", "sec", "m", "min", "h", "hour", "d", "day")):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as '30/min' (s, min, h or day), or 'off', not {value!r}."
        )
    return value
