"""Sessions end when they should: idle and absolute limits, display sessions, invalidation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, Role
from accounts.services import password_changed, token_issue, user_access_changed
from audit.models import AuditEntry
from tests import builders
from tests.builders import token_client

T0 = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def _sign_in(client, username="kapolsek.sirimau", password="pw", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def _signed_in(client) -> bool:
    return client.get("/reports/").status_code == 200


def test_signin_gives_a_new_session_key(client, personas):
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-key-0123456789"
    before = client.session.session_key
    _sign_in(client)
    assert client.session.session_key != before
    assert client.cookies["sessionid"].value != "attacker-chosen-session-key-0123456789"


@pytest.mark.outsider("keepalive")
def test_idle_session_ends_after_30_minutes(personas):
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        clock.shift(dt.timedelta(minutes=29))
        assert _signed_in(client)
        clock.shift(dt.timedelta(minutes=29))  # activity at 29 min restarted the clock
        assert _signed_in(client)
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/reports/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        # Anonymous keepalive: 401, not a new session.
        assert client.post("/accounts/keepalive/").status_code == 401


def test_dashboard_polls_do_not_keep_a_session_alive(client, personas, operation):
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client, "cc.maluku")
        for _ in range(4):
            clock.shift(dt.timedelta(minutes=10))
            client.get("/dashboard/panels/", HTTP_HX_REQUEST="true")
        assert client.get("/dashboard/").status_code == 302


def test_keepalive_from_autosave_keeps_the_session(client, personas, settings):
    settings.PAMILU_SESSION_IDLE_MINUTES = 5
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        for _ in range(6):
            clock.shift(dt.timedelta(minutes=4))
            assert client.post("/accounts/keepalive/").status_code == 204
        assert _signed_in(client)
        clock.shift(dt.timedelta(minutes=6))
        assert not _signed_in(client)


def test_absolute_lifetime_ends_an_active_session(client, personas, settings):
    settings.PAMILU_SESSION_MAX_HOURS = 2
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        for _ in range(7):
            clock.shift(dt.timedelta(minutes=15))
            assert client.post("/accounts/keepalive/").status_code == 204
        clock.shift(dt.timedelta(minutes=16))
        assert client.post("/accounts/keepalive/").status_code == 401


def test_display_session_reads_only_and_has_its_own_lifetime(client, personas, settings):
    settings.PAMILU_DISPLAY_SESSION_HOURS = 48
    with time_machine.travel(T0, tick=False) as clock:
        assert _sign_in(client, "cc.maluku", display="on").status_code == 302
        clock.shift(dt.timedelta(hours=20))  # no idle limit on a wall screen
        assert client.get("/dashboard/").status_code == 200
        assert client.post("/accounts/keepalive/").status_code == 403
        assert client.post("/api/v1/me/tokens/", {}).status_code == 403
        clock.shift(dt.timedelta(hours=29))
        assert client.get("/dashboard/").status_code == 302
    entry = AuditEntry.objects.get(action="auth.signin")
    assert entry.changes["display"] is True


def test_display_lifetime_counts_from_sign_in_even_when_the_session_is_saved(
    client, personas, settings
):
    """Django's own expiry moves on whenever the session is saved again (here on every
    request); the display session still ends DISPLAY_SESSION_HOURS after sign-in."""
    settings.PAMILU_DISPLAY_SESSION_HOURS = 6
    settings.SESSION_SAVE_EVERY_REQUEST = True
    with time_machine.travel(T0, tick=False) as clock:
        assert _sign_in(client, "cc.maluku", display="on").status_code == 302
        for _ in range(6):
            clock.shift(dt.timedelta(minutes=59))
            assert client.get("/dashboard/").status_code == 200
        clock.shift(dt.timedelta(minutes=7))  # 6 h 1 min after sign-in
        response = client.get("/dashboard/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_display_session_only_for_command_center(client, personas):
    response = _sign_in(client, display="on")
    assert response.status_code == 200
    assert "Mode layar hanya untuk command center." in response.content.decode()
    assert "_auth_user_id" not in client.session


def _two_sessions_and_a_token(user):
    browsers = [Client(), Client()]
    for browser in browsers:
        _sign_in(browser, user.username)
    return browsers, token_client(user)


def test_password_change_ends_sessions_and_tokens(personas):
    """Failure 4: API tokens survived a password change."""
    user = personas.kapolsek_a
    browsers, api = _two_sessions_and_a_token(user)
    assert api.get("/api/v1/reports/").status_code == 200
    user.set_password("a-new-password-9")
    user.save()
    password_changed(user=user, by=user, channel="web")
    assert [_signed_in(b) for b in browsers] == [False, False]
    assert api.get("/api/v1/reports/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert entry.changes == {"tokens_ended": 1}


def test_token_refused_after_password_change_even_without_the_service(personas):
    """The token's stamp holds even if a path forgets to call the service (e.g. the shell)."""
    user = personas.kapolsek_a
    api = token_client(user)
    user.set_password("changed-in-the-shell-7")
    user.save()
    assert api.get("/api/v1/reports/").status_code == 401


def test_reenabling_a_user_revives_no_session_or_token(personas):
    """Failure 4: re-enabling a disabled user revived their old session cookie."""
    user = personas.kapolsek_a
    browsers, api = _two_sessions_and_a_token(user)
    for active in (False, True):
        before = {"password": user.password, "is_active": not active, "role": user.role}
        before["unit_id"] = user.unit_id
        user.is_active = active
        user.save()
        user_access_changed(user=user, before=before, by=personas.admin, channel="admin")
    assert [_signed_in(b) for b in browsers] == [False, False]
    assert api.get("/api/v1/reports/").status_code == 401
    fresh = Client()
    _sign_in(fresh, user.username)
    assert _signed_in(fresh)


@pytest.mark.parametrize("change", ["role", "unit", "disable"])
def test_admin_change_of_role_unit_or_active_ends_sessions(client, personas, tree, change):
    user = personas.reviewer
    browsers, api = _two_sessions_and_a_token(user)
    client.force_login(personas.admin)
    data = {
        "username": user.username,
        "full_name": "",
        "unit": tree.ambon.pk,
        "role": Role.REVIEWER,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    if change == "role":
        data["role"] = Role.COMMAND_CENTER
    elif change == "unit":
        data["unit"] = tree.sinjai.pk
    else:
        del data["is_active"]
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [_signed_in(b) for b in browsers] == [False, False]
    assert api.get("/api/v1/units/").status_code == 401
    assert AuditEntry.objects.filter(action="auth.sessions_end", object_id=str(user.pk)).exists()


def test_admin_password_change_ends_tokens_and_is_audited(client, personas):
    user = personas.kapolsek_a
    api = token_client(user)
    client.force_login(personas.admin)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Kuat-Sekali-2026", "password2": "Kuat-Sekali-2026"},
    )
    assert response.status_code == 302
    assert api.get("/api/v1/reports/").status_code == 401
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert entry.actor == personas.admin
    assert "Kuat-Sekali-2026" not in str(entry.changes)


def test_admin_password_set_by_an_admin_of_another_polda_is_refused(client, tree, personas):
    # Staff with Django's permission to change users, but the account is in Maluku: the
    # service refuses (403) and the password, the tokens and the trail stay as they were.
    user = personas.kapolsek_a
    api = token_client(user)
    staff = builders.user(Role.ADMIN, tree.sulsel, "admin.sulsel", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_user", "view_user"])
    )
    client.force_login(staff)
    stored = user.password
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Kuat-Sekali-2026", "password2": "Kuat-Sekali-2026"},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.password == stored
    assert api.get("/api/v1/reports/").status_code == 200
    assert not AuditEntry.objects.filter(action="auth.password_change").exists()


def test_admin_can_disable_password_sign_in_through_the_service(client, personas):
    user = personas.kapolsek_a
    client.force_login(personas.admin)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.has_usable_password()
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert (entry.actor, entry.channel) == (personas.admin, "admin")


def test_unchanged_admin_save_keeps_sessions(personas):
    user = personas.kapolsek_a
    before = {"password": user.password, "is_active": True, "role": user.role}
    before["unit_id"] = user.unit_id
    _browsers, api = _two_sessions_and_a_token(user)
    assert user_access_changed(user=user, before=before, by=personas.admin, channel="admin") == []
    assert api.get("/api/v1/reports/").status_code == 200


def test_token_issue_records_the_stamp(personas):
    token, _key = token_issue(
        user=personas.kapolsek_a,
        expiry=timezone.now() + dt.timedelta(days=1),
        by=personas.kapolsek_a,
        name="HP dinas",
        channel="api",
    )
    assert token.info.name == "HP dinas"
    assert token.info.stamp == personas.kapolsek_a.get_session_auth_hash()
    assert token.info.self_issued is True


def test_own_password_change_in_the_admin_is_audited_and_ends_tokens(client, personas):
    admin = personas.admin
    api = token_client(admin)
    client.force_login(admin)
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": "pw",
            "new_password1": "Kuat-Sekali-2026",
            "new_password2": "Kuat-Sekali-2026",
        },
    )
    assert response.status_code == 302
    assert api.get("/api/v1/units/").status_code == 401
    assert client.get("/admin/").status_code == 200  # this browser's session was kept
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert entry.changes == {"tokens_ended": 1}


def test_admin_password_page_is_for_staff_only(client, personas):
    client.force_login(personas.reviewer)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
