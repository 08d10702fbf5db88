"""The platform's settings: read once from the environment, and QUALIFY_SITE_URL required for production."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("value", ["", "http://qualify.example.org", "qualify.example.org", "https://x.org/app"])
def test_check_deploy_fails_without_an_https_site_url(settings, value):
    settings.QUALIFY_SITE_URL = value
    with pytest.raises(SystemCheckError, match=r"qualify\.E001"):
        call_command("check", deploy=True, tags=["security"])


def test_check_deploy_accepts_the_site_url(settings):
    settings.QUALIFY_SITE_URL = "https://qualify.example.org/"
    call_command("check", deploy=True, tags=["security"], fail_level="ERROR")


def test_a_malformed_site_url_fails_even_the_ordinary_check(settings):
    settings.QUALIFY_SITE_URL = "qualify.example.org"
    with pytest.raises(SystemCheckError, match=r"qualify\.E001"):
        call_command("check")
    settings.QUALIFY_SITE_URL = ""  # development without it keeps site paths
    call_command("check")


def test_the_apps_read_no_setting_and_no_environment_of_their_own():
    """Every QUALIFY_ setting has its one default in config/settings/base.py; only config/ reads the environment."""
    offenders = []
    for path in (ROOT / "qualify").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ('getattr(settings, "QUALIFY_', "os.environ", "os.getenv"):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []


def test_a_clock_set_in_the_environment_reaches_the_settings(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; print(settings.QUALIFY_REVIEW_DAYS)"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "QUALIFY_REVIEW_DAYS": "33", "PATH": "/usr/bin:/bin"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    out = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "33"
