from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_secret_can_come_from_a_file(tmp_path, monkeypatch):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("QUALIFY_TEST_SECRET_FILE", str(secret_file))
    assert env.string("QUALIFY_TEST_SECRET") == "from-a-file"


def test_unreadable_secret_file_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("QUALIFY_TEST_SECRET_FILE", "/nonexistent/secret")
    with pytest.raises(ImproperlyConfigured, match="QUALIFY_TEST_SECRET_FILE"):
        env.string("QUALIFY_TEST_SECRET")


def test_missing_required_value_names_the_variable(monkeypatch):
    monkeypatch.delenv("QUALIFY_TEST_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="QUALIFY_TEST_SECRET"):
        env.string("QUALIFY_TEST_SECRET")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("QUALIFY_TEST_FLAG", raw)
    assert env.boolean("QUALIFY_TEST_FLAG", default=not expected) is expected


def test_bad_boolean_and_integer_fail_loudly(monkeypatch):
    monkeypatch.setenv("QUALIFY_TEST_FLAG", "maybe")
    monkeypatch.setenv("QUALIFY_TEST_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="QUALIFY_TEST_FLAG"):
        env.boolean("QUALIFY_TEST_FLAG", default=False)
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.integer("QUALIFY_TEST_NUMBER", 1)


def test_database_url_must_be_sqlite_or_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/x")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database_url("sqlite:///x")


@pytest.mark.parametrize(("raw", "expected"), [("30/min", "30/min"), ("5/s", "5/s"), ("off", ""), (None, "7/h")])
def test_rates(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("QUALIFY_TEST_RATE", raising=False)
    else:
        monkeypatch.setenv("QUALIFY_TEST_RATE", raw)
    assert env.rate("QUALIFY_TEST_RATE", "7/h") == expected


@pytest.mark.parametrize("raw", ["fast", "0/min", "30/fortnight", "-1/s"])
def test_bad_rate_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("QUALIFY_TEST_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="QUALIFY_TEST_RATE"):
        env.rate("QUALIFY_TEST_RATE", "7/h")


def test_a_map_of_numbers_reads_key_value_pairs(monkeypatch):
    monkeypatch.setenv("QUALIFY_TEST_MAP", " initial_qad=40, QT_START=90 ,")
    assert env.integer_map("QUALIFY_TEST_MAP") == {"INITIAL_QAD": 40, "QT_START": 90}
    monkeypatch.delenv("QUALIFY_TEST_MAP")
    assert env.integer_map("QUALIFY_TEST_MAP") == {}


@pytest.mark.parametrize("raw", ["INITIAL_QAD", "=4", "QT_START=soon", "QT_START=-1"])
def test_a_bad_map_of_numbers_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("QUALIFY_TEST_MAP", raw)
    with pytest.raises(ImproperlyConfigured, match="QUALIFY_TEST_MAP"):
        env.integer_map("QUALIFY_TEST_MAP")
