"""The shared read ideas have one home each, and the old idioms stay gone.

- "in the subtree" and "under which child of the focus unit" are written only in
  operations/tree.py (ORM and raw SQL);
- "which operation, unit and day does this request show" is read only in
  operations/focus.py;
- a sent report is defined only in reports/models.py;
- the direction of imports is held by lint-imports (pyproject.toml, run by scripts/test);
  here only that the contract exists and names its exceptions;
- the tests take shared data from one builders package (tests/builders/) and never import
  from a conftest; the lists have one pagination partial.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import relations, serializers

from pamilu.api.serializers import ScopedSerializerMixin

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve()
SKIP_DIRS = {".venv", "migrations", "node_modules", "var", "static", "__pycache__"}


def _python_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.resolve() == THIS:
            continue
        files.append(path)
    return files


def _offenders(pattern: re.Pattern, allowed: set[str]) -> list[str]:
    found = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_python_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in _python_files()}
    assert {"operations/tree.py", "operations/focus.py", "dashboard/build.py"} <= names
    assert not any(n.startswith(".venv/") or "/migrations/" in n for n in names)


def test_subtree_filter_only_in_the_tree_module():
    assert _offenders(re.compile(r"path__startswith"), {"operations/tree.py"}) == []
    # its raw-SQL twin: a path column LIKE a bound prefix
    raw = re.compile(r"path\s+LIKE\s+%")
    assert _offenders(raw, {"operations/tree.py"}) == []


# The child roll-up key: Substr/StrIndex in the ORM, SUBSTR + STRPOS/INSTR in SQL, or the
# join on "path LIKE c.path || '%'" that the coverage queries used.
ROLL_UP = re.compile(r"StrIndex|\bSTRPOS\b|\bINSTR\b|LIKE\s+\w+\.path\s*\|\|", re.IGNORECASE)


def test_child_roll_up_only_in_the_tree_module():
    assert _offenders(ROLL_UP, {"operations/tree.py"}) == []


# A focus read from the request by hand: ?unit=, ?operation= or ?day= taken from GET,
# POST or DRF's query_params (forms that own such a field validate it themselves).
FOCUS = re.compile(r"""(GET|POST|query_params|params)\.get\(\s*["'](unit|operation|day)["']""")


def test_focus_only_resolved_by_the_resolver():
    allowed = {"operations/focus.py", "summaries/views.py"}
    offenders = _offenders(FOCUS, allowed)
    assert offenders == []
    # summaries/views.py reads its ?operation= filter through the resolver's parser
    summaries = (ROOT / "summaries/views.py").read_text(encoding="utf-8")
    assert 'focus.operation_from(request.user, request.GET.get("operation")' in summaries


def test_sent_report_defined_once():
    # The set of sent statuses spelled out (all three on one line) only where it is defined.
    statuses = [f"ReportStatus.{s}" for s in ("SUBMITTED", "RETURNED", "ACCEPTED")]
    spelled = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _python_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if all(s in line for s in statuses)
    ]
    assert [where.split(":")[0] for where in spelled] == ["reports/models.py"]
    drafts_excluded = re.compile(r"exclude\(\s*(\w+__)*status\s*=\s*ReportStatus\.DRAFT")
    assert _offenders(drafts_excluded, set()) == []


@pytest.mark.parametrize(
    ("pattern", "old_line"),
    [
        (ROLL_UP, "Value(length) + StrIndex(rest, Value('/'))"),
        (
            ROLL_UP,
            "f\"SUBSTR(unit_path, 1, %(length)s + STRPOS(SUBSTR(unit_path, %(start)s), '/'))\"",
        ),
        (ROLL_UP, "AND req.unit_path LIKE c.path || '%%' GROUP BY c.id"),
        (re.compile(r"path__startswith"), "qs.filter(unit__path__startswith=unit.path)"),
        (FOCUS, 'code = request.GET.get("operation", "").strip()'),
        (FOCUS, 'value = request.query_params.get("unit", "")'),
    ],
)
def test_the_patterns_catch_the_old_idioms(pattern, old_line):
    assert pattern.search(old_line)


def test_import_contract_names_its_exceptions():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    assert contract["type"] == "layers"
    layers = contract["layers"]
    # reports above personnel: the sending rules read sprin strength (reports.rules).
    order = ["demo | (testbed)", "dashboard", "summaries", "reports", "personnel", "operations"]
    assert [layer for layer in layers if layer in order] == order
    assert sorted(contract["ignore_imports"]) == [
        "pamilu.scoping -> operations.*",
        "reports.corrections -> summaries.services",
        "reports.services -> summaries.services",
    ]
    script = (ROOT / "scripts/test").read_text(encoding="utf-8")
    assert script.index("lint-imports") > script.index("ruff format --check")


def test_no_module_over_500_lines():
    long = [
        f"{p.relative_to(ROOT)}: {n}"
        for p in _python_files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    ]
    assert long == []


# --- one API base (issue 17) --------------------------------------------------------------

BASE_SERIALIZER = "pamilu/api/serializers.py"
CENTRAL_HANDLER = "pamilu/api/errors.py"
# A serializer narrowing its own fields' querysets: only the base does (through get_fields).
GET_FIELDS = re.compile(r"get_fields\(")
# A 409 answered anywhere but the central handler (documenting one in a schema is fine).
LOCAL_409 = re.compile(r"HTTP_409_CONFLICT|status(_code)?\s*=\s*409\b")
# A service's error caught to be answered locally, in an API module.
SERVICE_ERRORS = (
    r"StateError|ReportStateError|NeedsConfirmation|SendWarnings|CsvFileError|"
    r"PermissionDenied|ValidationError|IntegrityError"
)
LOCAL_MAPPING = re.compile(rf"\bexcept\s+\(?[\w., ]*\b({SERVICE_ERRORS})\b")
UPLOADS = {
    ("/api/v1/posts/import/", "post"),
    ("/api/v1/personnel/import/", "post"),
    ("/api/v1/deployments/import/", "post"),
    ("/api/v1/reports/{id}/attachments/", "post"),
}


@pytest.mark.parametrize(
    ("pattern", "old_line"),
    [
        (GET_FIELDS, "    def get_fields(self):"),
        (GET_FIELDS, "        fields = super().get_fields()"),
        (LOCAL_409, "    status_code = status.HTTP_409_CONFLICT"),
        (LOCAL_409, "        return Response(body, status=409)"),
        (LOCAL_MAPPING, "    except services.ReportStateError as exc:"),
        (LOCAL_MAPPING, "    except (rules.SendWarnings, DjangoPermissionDenied) as exc:"),
        (LOCAL_MAPPING, "    except CsvFileError as exc:"),
    ],
)
def test_the_api_patterns_catch_the_old_idioms(pattern, old_line):
    assert pattern.search(old_line)


def test_get_fields_only_in_the_base_serializer():
    assert _offenders(GET_FIELDS, {BASE_SERIALIZER}) == []


def test_no_409_outside_the_central_handler():
    assert _offenders(LOCAL_409, {CENTRAL_HANDLER}) == []


# pamilu/api/ also holds the admin's import page, which answers a CSV error in its form.
NOT_API = {"pamilu/api/admin_import.py"}


def _api_modules() -> set[str]:
    names = {p.relative_to(ROOT).as_posix() for p in _python_files()}
    return {
        n
        for n in names - NOT_API
        if not n.startswith("tests/")
        and (re.fullmatch(r"\w+/(api|serializers)\w*\.py", n) or n.startswith("pamilu/api/"))
    }


def test_api_modules_let_service_errors_through_to_the_handler():
    modules = _api_modules()
    assert {"reports/api.py", "personnel/api.py", "pamilu/api/imports.py"} <= modules
    others = {p.relative_to(ROOT).as_posix() for p in _python_files()} - modules
    assert _offenders(LOCAL_MAPPING, others | {CENTRAL_HANDLER}) == []


def _scoped_serializers_missing() -> list[str]:
    import pamilu.urls  # noqa: F401, PLC0415 - imports every API module, after Django is set up

    project = {p.parts[0] for p in (q.relative_to(ROOT) for q in _python_files())}
    found, stack = [], [serializers.Serializer]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] not in project or cls.__module__.startswith("tests"):
            continue
        if issubclass(cls, ScopedSerializerMixin):
            continue
        fields = cls(context={}).fields.values()
        writable = [
            f.field_name
            for f in fields
            if isinstance(f, relations.RelatedField | relations.ManyRelatedField)
            and not f.read_only
        ]
        if writable:
            found.append(f"{cls.__module__}.{cls.__qualname__}: {writable}")
    return found


def test_every_serializer_naming_a_record_derives_from_the_scoped_base(db):
    assert _scoped_serializers_missing() == []


@pytest.mark.django_db
def test_schema_offers_json_bodies_only_except_uploads():
    schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    bodies = {
        (path, method): set(operation["requestBody"]["content"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    }
    assert len(bodies) > 20
    wrong = {
        key: types
        for key, types in bodies.items()
        if types != ({"multipart/form-data"} if key in UPLOADS else {"application/json"})
    }
    assert wrong == {}
    assert set(bodies) >= UPLOADS


# --- the tests' own structure ---------------------------------------------------------------


def _conftest_imports(source: str) -> list[str]:
    """The modules a source imports that are conftests (absolute or relative)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.module is None or node.level:  # from . import conftest
                names += [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [n for n in names if n.split(".")[-1] == "conftest"]
    return found


def test_no_test_module_imports_from_a_conftest():
    """Fixtures come from conftests by name; shared makers and scenario days from
    tests/builders (a conftest is pytest's, imported twice if a test imports it too)."""
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "tests").rglob("*.py")
        for name in _conftest_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        "from tests.reports.conftest import DAY",
        "from .conftest import token_client",
        "from . import conftest",
        "import tests.api.conftest",
    ],
)
def test_the_conftest_check_catches_the_old_imports(line):
    assert _conftest_imports(line)


def test_builders_are_one_package():
    assert (ROOT / "tests/builders/__init__.py").is_file()
    assert not (ROOT / "tests/builders.py").exists()
    strays = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "tests").rglob("*.py")
        if p.stem in {"builders", "helpers", "dashboard_data"} and p.parent.name != "builders"
    )
    assert strays == []


PAGINATION_MARKUP = re.compile(r"class=\"pagination\b|page\.(next|previous)_page_number")


def test_one_pagination_partial():
    """Every paginated list includes templates/includes/pagination.html; no template writes
    its own page links (they dropped the list's filters)."""
    templates = ROOT / "templates"
    writers = sorted(
        p.relative_to(templates).as_posix()
        for p in templates.rglob("*.html")
        if PAGINATION_MARKUP.search(p.read_text(encoding="utf-8"))
    )
    assert writers == ["includes/pagination.html"]
    paginated = sorted(
        p.relative_to(templates).as_posix()
        for p in templates.rglob("*.html")
        if "page.object_list" in p.read_text(encoding="utf-8")
    )
    assert paginated  # the lists
    for name in paginated:
        assert '{% include "includes/pagination.html" %}' in (templates / name).read_text(), name
