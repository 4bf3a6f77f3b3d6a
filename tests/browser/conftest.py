"""Playwright against Debian's Chromium (Playwright's own browser download is not available).

Browser tests use pytest-django's `live_server` and log in through the real login form.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.core.signals import request_started
from django.utils import timezone

from tests import builders
from tests.browser.offline import PHONE

# live_server runs Django in a thread while Playwright's sync API runs an event loop here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = _chromium()
    if not path:
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def login(live_server):
    """login(page, username, password="pw"): sign in through the form."""

    def _login(page, username: str, password: str = "pw") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state("networkidle")

    return _login


# --- the offline tests (tests/browser/offline.py has their helpers) ----------------------


@pytest.fixture
def op(tree):
    today = timezone.now().date()
    return builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
    )


@pytest.fixture
def phone(browser):
    contexts = []

    def make():
        context = browser.new_context(**PHONE)
        context.on("console", lambda message: print("console:", message.text))
        context.on("weberror", lambda error: print("page error:", error.error))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def server_hits():
    """Paths of every request that reached the live server, in order."""
    hits: list[str] = []

    def record(sender, environ, **kwargs):
        hits.append(environ["PATH_INFO"])

    request_started.connect(record)
    yield hits
    request_started.disconnect(record)
