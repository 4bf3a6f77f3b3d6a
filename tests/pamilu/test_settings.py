import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from pamilu import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL not set")
def test_suite_runs_on_postgresql_when_database_url_set(db):
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_redis_reachable_when_redis_url_set():
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert client.ping() is True


def test_env_bool_rejects_garbage_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        env.env_bool("DEBUG")


def test_env_int_rejects_non_number(monkeypatch):
    monkeypatch.setenv("ATTACHMENT_MAX_BYTES", "5MB")
    with pytest.raises(ImproperlyConfigured, match="ATTACHMENT_MAX_BYTES"):
        env.env_int("ATTACHMENT_MAX_BYTES", 1)


def test_env_database_rejects_unknown_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.env_database("DATABASE_URL", "sqlite:///x")


def _django(code: str, **environ) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(environ, DJANGO_SETTINGS_MODULE="pamilu.settings")
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _django("import django; django.setup()", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_audit_seal_key():
    result = _django(
        "import django; django.setup()", DEBUG="false", SECRET_KEY="x" * 50, AUDIT_SEAL_KEY=""
    )
    assert result.returncode != 0
    assert "AUDIT_SEAL_KEY must be set" in result.stderr


def test_invalid_debug_value_stops_startup_with_its_name():
    result = _django("import django; django.setup()", DEBUG="sometimes")
    assert result.returncode != 0
    assert "DEBUG='sometimes' is not a boolean" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _django(
        "import django, sys; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-like-secret-key-with-enough-entropy-9f8e7d6c",
        AUDIT_SEAL_KEY="a-production-like-audit-seal-key",
        ALLOWED_HOSTS="pamilu.example.polri.go.id",
    )
    assert result.returncode == 0, result.stderr


def test_health_is_public(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["ok"] is True
