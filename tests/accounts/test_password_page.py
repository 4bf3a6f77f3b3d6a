"""Everyone's own-password page (/accounts/password/): the old password, then a new one
saved by accounts.services.password_set; the other sessions and every token end."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import SignInFailure
from audit.models import AuditEntry
from tests.builders import token_client

NEW = "Sirimau-Aman-2026"
URL = "/accounts/password/"


def _sign_in(username="kapolsek.sirimau", password="pw", **extra) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": password, **extra}
    )
    assert response.status_code == 302
    return client


def _signed_in(client) -> bool:
    return client.get("/reports/").status_code == 200


def _change(client, old="pw", new=NEW, again=None):
    return client.post(
        URL, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_kapolsek_changes_own_password_other_sessions_and_tokens_end(personas):
    user = personas.kapolsek_a
    here, phone = _sign_in(), _sign_in()
    api = token_client(user)

    page = here.get(URL)
    assert page.status_code == 200
    assert 'name="old_password"' in page.content.decode()
    response = _change(here)
    assert response.status_code == 302 and response.url == "/accounts/password/done/"
    assert "Kata sandi diganti" in here.get(response.url).content.decode()

    assert _signed_in(here)  # this session carries on
    assert not _signed_in(phone)  # the other device's session ended
    assert api.get("/api/v1/reports/").status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW)
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert (entry.actor, entry.channel, entry.object_id) == (user, "web", str(user.pk))
    assert NEW not in str(entry.changes) and entry.changes["tokens_ended"] == 1
    assert _signed_in(_sign_in(password=NEW))


def test_wrong_old_password_changes_nothing_counts_as_a_failure_and_is_throttled(
    personas, settings
):
    settings.PAMILU_SIGNIN_FAILURES_PER_ACCOUNT_ADDRESS = 3
    user = personas.kapolsek_a
    client = _sign_in()
    api = token_client(user)
    stored = user.password

    response = _change(client, old="salah")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["old_password"]
    assert 'href="#id_old_password"' in response.content.decode()
    user.refresh_from_db()
    assert user.password == stored
    assert api.get("/api/v1/reports/").status_code == 200
    assert SignInFailure.objects.filter(username="kapolsek.sirimau").count() == 1
    assert not AuditEntry.objects.filter(action="auth.password_change").exists()

    _change(client, old="salah")
    _change(client, old="salah")
    refused = _change(client)  # the right old password, but the account is throttled here
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Terlalu banyak percobaan" in refused.content.decode()
    user.refresh_from_db()
    assert user.password == stored


@pytest.mark.parametrize(
    ("new", "again", "field"),
    [("12345678", None, "new_password2"), (NEW, NEW + "x", "new_password2")],
    ids=["weak", "mismatch"],
)
def test_weak_or_mismatched_new_password_is_refused_naming_the_field(personas, new, again, field):
    user = personas.kapolsek_a
    client = _sign_in()
    stored = user.password
    response = _change(client, new=new, again=again)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    user.refresh_from_db()
    assert user.password == stored
    assert not SignInFailure.objects.exists()  # only a wrong old password counts


@pytest.mark.outsider("password_change", "password_change_done")
def test_anonymous_is_sent_to_sign_in_and_a_display_session_cannot_change(personas):
    anonymous = Client()
    for url in (URL, "/accounts/password/done/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _change(anonymous).status_code == 302

    wall = _sign_in("cc.maluku", display="on")
    stored = personas.command_center.password
    assert _change(wall).status_code == 403
    personas.command_center.refresh_from_db()
    assert personas.command_center.password == stored


def test_every_page_links_to_the_password_page(personas):
    client = _sign_in()
    assert f'href="{URL}"' in client.get("/reports/today/").content.decode()
