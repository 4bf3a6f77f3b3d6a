"""Every route of the URL configuration: closed to anonymous users, and tested from outside.

1. Walk every pattern (django.urls.get_resolver, recursively: admin, API, pages), fill in
   sample arguments and send an anonymous GET and POST. Anything but a redirect to a
   login page, 401, 403, 404 or 405 fails, except the public routes in PUBLIC.
2. Collect the `@pytest.mark.outsider("<url name>", ...)` marks of every test module
   (statically, with ast) and fail for any named route that no outsider test covers,
   except the routes in NO_OUTSIDER_TEST.
"""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

TESTS_DIR = Path(__file__).resolve().parent.parent

# Routes that answer anonymous users on purpose.
PUBLIC = {
    "login",  # the login page itself
    "health",  # the public liveness check
    "set_language",  # Django's i18n view: only sets the language cookie
    "admin:login",  # the admin's login page
    "admin:logout",  # shows "logged out" to anyone; holds no data
    "auth-token",  # a REST client obtains its token with username and password (throttled)
    "service-worker",  # the installable app's script: holds no data (pwa)
    "web-manifest",  # the app's name and icons (pwa)
    "pwa-session",  # says only whether the caller is signed in, and their CSRF token
}
PUBLIC_PREFIXES = ("/static/", "/media/")

# Named routes that need no outsider test, and why.
NO_OUTSIDER_TEST = {
    "login",  # public: nothing to scope
    "logout",  # ends the caller's own session only
    "health",  # public liveness check
    "set_language",  # sets the caller's own language cookie
    "service-worker",  # public, the same for everyone
    "web-manifest",  # public, the same for everyone
    "pwa-session",  # the caller's own session only
}
# The admin is for staff only (is_staff; a non-staff user is sent to the admin login, as
# the walk checks); its pages are Django's, not scoped per unit.
NO_OUTSIDER_TEST_NAMESPACES = ("admin:",)

SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "1"}
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def _regex_to_path(regex: str) -> str:
    def group(match: re.Match) -> str:
        name, body = match.group(1), match.group(2)
        if name == "format":
            return "json"
        if re.fullmatch(r"[\w|]+", body):  # alternatives such as (?P<app_label>auth|accounts)
            return body.split("|")[0]
        return "1"

    text = REGEX_GROUP.sub(group, regex)
    text = text.lstrip("^").replace(r"\Z", "").rstrip("$")
    text = text.replace("/?", "/").replace(r"\.", ".").replace("\\", "")
    return re.sub(r"\(\?:[^)]*\)\??", "", text)


def _route_to_path(route: str) -> str:
    def converter(match: re.Match) -> str:
        kind = match.group(1) or "str"
        return SAMPLES.get(kind, "1")

    return re.sub(r"<(?:(\w+):)?\w+>", converter, route)


def _piece(pattern) -> str:
    inner = pattern.pattern
    if hasattr(inner, "_route"):
        return _route_to_path(str(inner._route))
    return _regex_to_path(inner.regex.pattern)


def walk(resolver=None, prefix: str = "", namespace: str = ""):
    """Yield (sample path, full url name or None) for every pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        path = prefix + _piece(pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from walk(pattern, path, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield "/" + path, name


def _is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302):
        return False
    location = response.headers.get("Location", "")
    return location.startswith(("/accounts/login/", "/admin/login/"))


def test_route_walk_covers_admin_api_and_pages():
    paths = {path for path, _name in walk()}
    assert "/api/v1/posts/" in paths
    assert "/api/v1/posts/1/" in paths
    assert "/admin/operations/post/1/change/" in paths
    assert "/accounts/login/" in paths


@pytest.mark.django_db
def test_every_route_refuses_anonymous_users(client, tree):
    leaks = []
    for path, name in walk():
        if name in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            status = response.status_code
            if status in (401, 403, 404, 405) or _is_login_redirect(response):
                continue
            leaks.append(f"{method.upper()} {path} ({name}): {status}")
    assert leaks == []


def outsider_marks() -> set[str]:
    """Route names named by `pytest.mark.outsider(...)` anywhere under tests/ (static)."""
    names: set[str] = set()
    for file in TESTS_DIR.rglob("*.py"):
        tree = ast.parse(file.read_text(), filename=str(file))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "outsider"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                names.update(
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                )
    return names


def test_every_named_route_has_an_outsider_test():
    named = {name for _path, name in walk() if name}
    needed = {
        name
        for name in named
        if name not in NO_OUTSIDER_TEST and not name.startswith(NO_OUTSIDER_TEST_NAMESPACES)
    }
    missing = sorted(needed - outsider_marks())
    assert missing == [], "routes without an outsider test: " + ", ".join(missing)


def test_outsider_marks_name_real_routes():
    named = {name for _path, name in walk() if name}
    assert sorted(outsider_marks() - named) == []
