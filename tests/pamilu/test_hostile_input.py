"""Hostile query parameters never make a 500 (issue 13, failure 6).

Walk every route (tests/pamilu/test_routes.py's walk) and send each query parameter the
project reads (found in the source: request.GET / query_params, every filterset field of an
API view, DRF's search/ordering/page) with hostile values: non-ASCII digits, NUL bytes,
overlong text, huge numbers, wrong types, unknown choices. The answer must be a 4xx, or a
page that ignored a parameter it does not read (200/3xx); never a 5xx.

The rule the pages follow: a NUL byte anywhere in the query string is a 400 naming the
parameter (pamilu.query_guard, before any view); a focus (?unit=, ?operation=) that names
nothing the user may see, malformed or not, is a 404 (operations.focus); a list filter whose
value matches no choice (?kind= on the summaries list) is ignored (200). Never a 5xx.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve

from operations.models import Post, PostKind
from tests import builders
from tests.pamilu.test_routes import walk

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "audit",
    "operations",
    "personnel",
    "reports",
    "summaries",
    "dashboard",
    "demo",
    "pamilu",
]

# Each parameter alone with these (the values that made pages crash) ...
EACH = ["²", "9" * 30]
# ... then every parameter at once with each of these.
ALL_AT_ONCE = ["a\x00b", "٣", "x" * 5000, "-1", "[]", "tidak-dikenal", "2024-02-30", "1e309", " "]
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/", "/api/schema/")


# The focus resolver (operations.focus) reads these through a `params` mapping.
FOCUS_PARAMS = {"unit", "operation", "day"}


def params_read_in_source() -> set[str]:
    """Names read with request.GET.get("x"), request.GET["x"], query_params.get("x") …,
    and the focus resolver's parameters."""
    names: set[str] = set(FOCUS_PARAMS)
    for app in APPS:
        for file in (ROOT / app).rglob("*.py"):
            if "migrations" in file.parts:
                continue
            for node in ast.walk(ast.parse(file.read_text())):
                target = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr in ("get", "getlist") and node.args:
                        target, owner = node.args[0], node.func.value
                    else:
                        continue
                elif isinstance(node, ast.Subscript):
                    target, owner = node.slice, node.value
                else:
                    continue
                if (
                    isinstance(owner, ast.Attribute)
                    and owner.attr in ("GET", "query_params")
                    and isinstance(target, ast.Constant)
                    and isinstance(target.value, str)
                ):
                    names.add(target.value)
    return names


def api_params(callback) -> set[str]:
    cls = getattr(callback, "cls", None)
    if cls is None:
        return set()
    names = {"page", "page_size", "search", "ordering"}
    filterset_class = getattr(cls, "filterset_class", None)
    if filterset_class is not None:
        names |= set(filterset_class.base_filters)
    fields = getattr(cls, "filterset_fields", None) or []
    names |= set(fields)
    return names


ADMIN_PARAMS = {"q", "p", "o", "e", "_changelist_filters", "all"}


def routes():
    """Every route once; of the admin (Django's own pages) the index and the change lists."""
    seen = set()
    for path, name in walk():
        if path.startswith(SKIP_PREFIXES) or path in seen:
            continue
        if path.startswith("/admin/") and not (
            name in ("admin:index",) or (name or "").endswith("_changelist")
        ):
            continue
        seen.add(path)
        yield path, name


ROUTES = list(routes())
CHUNKS = 8  # a few tests (each builds the data once), spread over the workers
SAMPLE_ARG = re.compile(r"/(1|x|json|00000000-0000-0000-0000-000000000001)(/|$)")


@pytest.fixture
def data(personas, tree):
    operation = builders.operation(tree.mabes, code="pemilu-2024")
    Post.objects.create(
        operation=operation,
        unit=tree.sirimau,
        kind=PostKind.TPS,
        code="8171-001",
        name="TPS 1",
        vulnerability="rawan",
    )
    return operation


def _clients(personas):
    national, admin = Client(), Client()
    national.force_login(personas.national)
    admin.force_login(personas.admin)
    return national, admin


def test_the_walk_reads_the_parameters_of_the_pages():
    names = params_read_in_source() - FOCUS_PARAMS
    assert {"q", "page", "status", "kind"} <= names


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_hostile_query_parameters_never_500(personas, data, chunk):
    national, admin = _clients(personas)
    page_params = params_read_in_source()
    crashes = []
    for path, _name in ROUTES[chunk::CHUNKS]:
        client = admin if path.startswith("/admin/") else national
        try:
            callback = resolve(path).func
        except Exception:  # noqa: S112 (a sample path that does not resolve: nothing to send)
            continue
        names = ADMIN_PARAMS if path.startswith("/admin/") else page_params | api_params(callback)
        # A detail route (sample id) answers 404 before reading parameters: fewer requests.
        each = [] if SAMPLE_ARG.search(path) else EACH
        for query in [{n: v} for n in sorted(names) for v in each] + [
            dict.fromkeys(names, v) for v in ALL_AT_ONCE
        ]:
            try:
                status = client.get(path, query).status_code
            except Exception as exc:  # the test client re-raises a view's exception
                crashes.append(f"{path}?{query!r}: {type(exc).__name__}: {exc}"[:300])
                continue
            if status >= 500:
                crashes.append(f"{path}?{query!r}: {status}"[:300])
    assert crashes == []


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/dashboard/", {"unit": "²"}),
        ("/dashboard/", {"operation": "²"}),
        ("/dashboard/panels/", {"unit": "²"}),
        ("/api/v1/dashboard/", {"unit": "²"}),
        ("/deployments/", {"operation": "a\x00b"}),
        ("/deployments/roster.pdf", {"operation": "a\x00b"}),
        ("/apel/", {"operation": "a\x00b"}),
        ("/personnel/readiness-panel/", {"operation": "a\x00b"}),
        ("/personnel/", {"q": "\x00"}),
    ],
)
def test_named_pages_answer_4xx_to_the_reported_values(personas, data, path, query):
    """Failure 6: these gave 500 (as did the roster PDF, apel and the readiness panel)."""
    client, _admin = _clients(personas)
    status = client.get(path, query).status_code
    assert 400 <= status < 500


def test_summaries_list_malformed_operation_is_a_404(personas, data):
    client, _admin = _clients(personas)
    assert client.get("/summaries/", {"operation": "²"}).status_code == 404


def test_nul_byte_is_a_400_naming_the_parameter(personas, data):
    client, _admin = _clients(personas)
    response = client.get("/personnel/", {"q": "Budi\x00"})
    assert response.status_code == 400
    assert "q" in response.content.decode()


def test_api_nul_byte_is_a_400_in_the_api_format(personas, data):
    client, _admin = _clients(personas)
    response = client.get("/api/v1/posts/", {"search": "\x00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "search"
