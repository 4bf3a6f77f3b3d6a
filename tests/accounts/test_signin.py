"""The sign-in throttle: counted in PostgreSQL per account + client address and per address."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from accounts.models import Role, SignInFailure
from accounts.signin import client_address
from audit.models import AuditEntry
from tests import builders

LOGIN = "/accounts/login/"


def _attempt(client: Client, username: str, password: str, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_forwarded_for_is_ignored_without_trusted_proxies(personas):
    """Failure 1: rotating X-Forwarded-For used to give every guess a fresh address."""
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [
        _attempt(
            attacker, "kapolsek.sirimau", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.{i}.1"
        ).status_code
        for i in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3
    right = _attempt(attacker, "kapolsek.sirimau", "pw", HTTP_X_FORWARDED_FOR="10.9.99.1")
    assert right.status_code == 429
    assert "_auth_user_id" not in attacker.session
    assert set(SignInFailure.objects.values_list("address", flat=True)) == {"198.51.100.7"}


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.5"),
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client's own entry is on the left
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.9", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.5"),  # fewer entries than proxies: not through them all
        (1, "not-an-address", "10.0.0.5"),
        (1, "", "10.0.0.5"),
    ],
)
def test_client_address_from_trusted_proxies_only(rf, settings, count, forwarded, expected):
    settings.PAMILU_TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_behind_a_trusted_proxy_each_client_counts_for_itself(personas, settings):
    settings.PAMILU_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy)
    for _ in range(6):
        last = _attempt(
            attacker, "kapolsek.sirimau", "x", HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.5"
        )
    assert last.status_code == 429
    real = Client(**proxy)
    assert _signed_in(
        _attempt(real, "kapolsek.sirimau", "pw", HTTP_X_FORWARDED_FOR="198.51.100.20")
    )


def test_a_refused_attempt_never_reaches_the_password_hasher(personas, monkeypatch):
    """Failure 1's other half: a burst of guesses held both workers in the hasher. Once
    the account is throttled at an address, its attempts (right password or not) and an
    unknown user's are refused before any password is hashed."""
    hashed: list[int] = []
    for method in ("verify", "encode"):
        real = getattr(MD5PasswordHasher, method)

        def counting(self, *args, _real=real, **kwargs):
            hashed.append(1)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(MD5PasswordHasher, method, counting)
    attacker = Client(REMOTE_ADDR="198.51.100.90")
    for _ in range(5):
        _attempt(attacker, "kapolsek.sirimau", "x")
    assert hashed  # the first five were checked: the count below can fail
    hashed.clear()
    refused = [_attempt(attacker, "kapolsek.sirimau", pw).status_code for pw in ("x", "pw")]
    assert hashed == []
    for i in range(15):  # toward the address limit: unknown users are refused alike
        _attempt(attacker, f"nobody{i}", "x")
    hashed.clear()
    refused += [_attempt(attacker, "nobody.else", "x").status_code]
    assert refused == [429, 429, 429]
    assert hashed == []


def test_admin_login_is_the_app_sign_in(personas):
    """Failure 2: /admin/login/ had no throttle; now it is the app's sign-in."""
    client = Client(REMOTE_ADDR="198.51.100.8")
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"
    # Credentials posted to the admin's URL are not checked there.
    posted = client.post("/admin/login/", {"username": "admin", "password": "pw"})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session
    for _ in range(15):
        _attempt(client, "admin", "wrong")
    assert _attempt(client, "admin", "pw").status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_admin_login_when_signed_in_but_not_staff_goes_home(client, personas):
    client.force_login(personas.reviewer)
    assert client.get("/admin/login/", {"next": "/admin/"}).url == "/"


def test_address_limit_across_usernames(personas):
    """Failure 3: 30 usernames from one address were all tried."""
    client = Client(REMOTE_ADDR="198.51.100.9")
    statuses = [_attempt(client, f"user{i}", "x").status_code for i in range(30)]
    assert statuses == [200] * 20 + [429] * 10
    assert _attempt(client, "kabagops.ambon", "pw").status_code == 429
    refused = _attempt(client, "user99", "x")
    assert 0 < int(refused["Retry-After"]) <= 900
    assert "Terlalu banyak percobaan masuk" in refused.content.decode()
    assert 'value="user99"' in refused.content.decode()


def test_nat_staff_all_sign_in_while_one_account_is_attacked(tree):
    """40 staff behind one NAT sign in at shift change; an attacker elsewhere guesses one
    of their accounts. Every one of them gets in (slowed attacker, never locked-out staff)."""
    staff = [builders.user(Role.COMMAND_CENTER, tree.maluku, f"cc.shift{i}") for i in range(40)]
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    attacked = [_attempt(attacker, "cc.shift0", f"guess{i}").status_code for i in range(30)]
    assert attacked.count(429) == 25
    # Two staff mistype once first: failures from the NAT stay under its address limit.
    for user in staff[:2]:
        assert _attempt(Client(REMOTE_ADDR="10.20.0.1"), user.username, "typo").status_code == 200
    results = [
        _signed_in(_attempt(Client(REMOTE_ADDR="10.20.0.1"), user.username, "pw")) for user in staff
    ]
    assert results == [True] * 40
    assert _attempt(attacker, "cc.shift0", "pw").status_code == 429


def test_unknown_and_known_users_get_the_same_answer(personas):
    def body(username):
        response = _attempt(Client(REMOTE_ADDR="198.51.100.30"), username, "wrong")
        assert response.status_code == 200
        text = response.content.decode().replace(username, "USERNAME")
        return re.sub(r"[A-Za-z0-9]{64}", "CSRF", text)  # the CSRF tokens differ

    assert body("kapolsek.sirimau") == body("nobody.at.all")


def test_disabled_user_gets_the_same_answer_as_a_wrong_password(personas):
    personas.kapolsek_b.is_active = False
    personas.kapolsek_b.save()
    response = _attempt(Client(REMOTE_ADDR="198.51.100.31"), "kapolsek.nusaniwe", "pw")
    assert response.status_code == 200
    assert SignInFailure.objects.filter(username="kapolsek.nusaniwe").count() == 1


def test_success_clears_the_accounts_failures_at_that_address(personas):
    client = Client(REMOTE_ADDR="198.51.100.40")
    for _ in range(4):
        _attempt(client, "kapolsek.sirimau", "x")
    assert _signed_in(_attempt(client, "kapolsek.sirimau", "pw"))
    assert not SignInFailure.objects.filter(username="kapolsek.sirimau").exists()


def test_signin_works_with_redis_down(personas, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    client = Client(REMOTE_ADDR="198.51.100.50")
    for _ in range(5):
        assert _attempt(client, "kapolsek.sirimau", "x").status_code == 200
    assert _attempt(client, "kapolsek.sirimau", "x").status_code == 429
    assert _signed_in(_attempt(Client(REMOTE_ADDR="198.51.100.51"), "kapolsek.sirimau", "pw"))


def test_signin_failure_signin_and_signout_are_audited_without_secrets(personas):
    client = Client(REMOTE_ADDR="198.51.100.60")
    _attempt(client, "kapolsek.sirimau", "Rahasia-Salah-1")
    _attempt(client, "kapolsek.sirimau", "pw")
    client.post("/accounts/logout/")
    entries = list(AuditEntry.objects.filter(action__startswith="auth.").order_by("pk"))
    assert [(e.action, e.actor_name) for e in entries] == [
        ("auth.signin_failed", "sistem"),
        ("auth.signin", "kapolsek.sirimau"),
        ("auth.signout", "kapolsek.sirimau"),
    ]
    assert entries[0].changes == {"username": "kapolsek.sirimau", "address": "198.51.100.60"}
    assert entries[1].changes == {"address": "198.51.100.60"}
    assert entries[1].unit == personas.kapolsek_a.unit
    assert "Rahasia-Salah-1" not in str([e.changes for e in entries])


def test_signin_failures_visible_in_the_admin(client, personas):
    _attempt(Client(REMOTE_ADDR="198.51.100.70"), "someone", "x")
    client.force_login(personas.admin)
    body = client.get("/admin/accounts/signinfailure/").content.decode()
    assert "someone" in body and "198.51.100.70" in body
