"""The contracts of the write side hold across the tree (issue #17), read from the source:

- no `transaction.atomic` in a view or API module (a view calls one service; the service is
  the transaction);
- no model write (`.save(`, `.delete(`, `.objects.create(`) outside the services, the
  migrations, the demo loader and the national test bed's generator, except the modules
  listed in WRITES_ALLOWED with their reason (`.save(commit=False)` of a form builds objects
  without writing);
- the admin writes only through services: no admin module hands a write back to Django's
  ModelAdmin (`super().save_model(...)` and the like), and every registered admin of a
  pamilu app that offers an add, change or delete does it with pamilu's own code (an
  AuditedAdmin with its services, or its own save_model / delete_model), except the
  housekeeping deletes in ADMIN_DJANGO_WRITES;
- no role compared with a string (`pamilu.roles.Role` members only);
- every public function of a service module takes keyword-only arguments, with `by` and
  `channel` required (SERVICE_HELPERS lists the few public non-service functions there).

The checks walk each module's syntax tree (ast), so comments, strings and names that merely
contain the words do not count.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

from audit.admin import AuditedAdmin
from audit.models import Channel
from pamilu.actors import CHANNELS

ROOT = Path(__file__).resolve().parents[2]

# Where a model is written outside a service module, and why that is allowed.
WRITES_ALLOWED = {
    "demo/": "the demo loader fills an empty database (its writes are the data set)",
    "testbed/": "the national test bed generator bulk-loads millions of rows",
    "audit/receivers.py": "the trail itself: the entry of an admin without services",
    "audit/sealing.py": "the trail itself: a sealed block of entries",
    "accounts/signin.py": "the failed sign-in counter, written by accounts.services",
    "pamilu/api/auth.py": "knox's expired token removed while authenticating a request",
    "reports/idempotency.py": "the stored answer of an Idempotency-Key (not a record)",
    "reports/items.py": "a report's activities and incidents, written by reports.services "
    "inside the report's transaction",
    "summaries/state.py": "a summary's build state, written by summaries.services.summary_build",
    "summaries/exports.py": "an openpyxl workbook saved to a buffer (not a model)",
}
# Modules that hold services besides */services*.py (their public functions are services).
SERVICE_MODULES = (
    "reports/attachments.py",
    "reports/corrections.py",
    "operations/imports.py",
    "personnel/imports.py",
)
# The trail's own primitives: `record(actor=…)` is called by every service with its `by`.
SIGNATURE_EXEMPT = {"audit/services.py"}
# Public functions of service modules that are not services (they write nothing, or the
# person acting is the subject: a sign-in).
SERVICE_HELPERS = {
    ("accounts/services.py", "signin_failed"): "nobody is signed in: the attempt is recorded",
    ("accounts/services.py", "signed_in"): "the user signing in is the actor",
    ("accounts/services.py", "signed_out"): "the user signing out is the actor",
    ("operations/services.py", "unit_path"): "computes a path, writes nothing",
    ("operations/services.py", "is_leaf_kind"): "a predicate",
    ("personnel/services.py", "clash_message"): "the text of a clash",
    ("personnel/services.py", "overlapping"): "a read (the clash query)",
    ("reports/attachments.py", "attachment_check"): "validates an upload, writes nothing",
    ("reports/services.py", "check_report_date"): "validates a date, writes nothing",
    ("summaries/services.py", "content_hash"): "a hash",
    ("summaries/services.py", "period_of"): "a summary's period",
    ("summaries/services.py", "enqueue_rebuild"): "queues a task on commit, writes nothing",
}
MODEL_WRITES = {"save", "delete"}


def _python_files() -> list[str]:
    """The repository's Python modules (not the virtualenv or other dot-directories)."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    )


def _project_modules() -> list[str]:
    return [
        p
        for p in _python_files()
        if not p.startswith(("tests/", "bench/", "scripts/")) and "/migrations/" not in p
    ]


def _tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(), filename=path)


def _is_service_module(path: str) -> bool:
    return Path(path).name.startswith("services") or path in SERVICE_MODULES


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (n for n in ast.walk(tree) if isinstance(n, ast.Call))


def _is_atomic(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "atomic") or (
        isinstance(node, ast.Name) and node.id == "atomic"
    )


def _is_view_or_api_module(path: str) -> bool:
    name = Path(path).name
    return (
        name.startswith(("views", "api"))
        or "/views/" in path
        or "/api/" in path
        or path.startswith("pamilu/api/")
    )


def test_no_transaction_in_a_view_module():
    views = [p for p in _project_modules() if _is_view_or_api_module(p)]
    # the globs find the views and the API modules
    assert {"reports/views.py", "reports/api.py", "pamilu/api/viewsets.py"} <= set(views)
    found = []
    for path in views:
        for node in ast.walk(_tree(path)):
            target = node.func if isinstance(node, ast.Call) else node
            if isinstance(node, ast.Call | ast.Attribute | ast.Name) and _is_atomic(target):
                found.append(f"{path}:{node.lineno}")
    assert found == []


def _model_writes(path: str) -> list[str]:
    found = []
    for call in _calls(_tree(path)):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        is_create = (
            func.attr == "create"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
        )
        builds_only = any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in call.keywords
        )
        if (func.attr in MODEL_WRITES and not builds_only) or is_create:
            found.append(f"{path}:{call.lineno} {ast.unparse(func)}")
    return found


def test_model_writes_only_in_services():
    found = []
    for path in _project_modules():
        if _is_service_module(path) or path.startswith(tuple(WRITES_ALLOWED)):
            continue
        found.extend(_model_writes(path))
    assert found == []


def test_the_write_check_finds_a_write():
    # The check above must be able to fail: the services it skips are full of writes.
    assert any(_model_writes("personnel/services.py"))
    assert any("objects.create" in w for w in _model_writes("accounts/services.py"))
    assert _model_writes("audit/admin.py") == []  # formset.save(commit=False) writes nothing


# What an admin hands to Django's ModelAdmin when it calls super(): each of these writes.
DJANGO_ADMIN_WRITES = {
    "save_model",
    "delete_model",
    "delete_queryset",
    "save_related",
    "save_formset",
}


def _super_writes(tree: ast.AST) -> list[str]:
    return [
        f"{call.lineno} super().{call.func.attr}"
        for call in _calls(tree)
        if isinstance(call.func, ast.Attribute)
        and call.func.attr in DJANGO_ADMIN_WRITES
        and isinstance(call.func.value, ast.Call)
        and isinstance(call.func.value.func, ast.Name)
        and call.func.value.func.id == "super"
    ]


def test_no_admin_hands_a_write_to_django():
    admins = [p for p in _project_modules() if Path(p).name == "admin.py"]
    assert {"audit/admin.py", "operations/admin.py", "personnel/admin.py"} <= set(admins)
    found = [f"{path}:{hit}" for path in admins for hit in _super_writes(_tree(path))]
    assert found == []
    example = ast.parse("def save_model(self, r, o, f, c):\n    super().save_model(r, o, f, c)")
    assert _super_writes(example) == ["2 super().save_model"]


# Registered admins of pamilu's apps whose writes Django's ModelAdmin makes (audited by
# audit.receivers), and why: housekeeping rows, not records anyone reports on.
ADMIN_DJANGO_WRITES = {
    ("accounts.signinfailure", "delete"): "a failed sign-in the throttle counts",
    ("reports.idempotencykey", "delete"): "a stored answer of an Idempotency-Key",
    ("summaries.notice", "delete"): "a reminder or escalation notice already sent",
    ("summaries.summary", "delete"): "a built rekap; the next build writes it again",
}
PAMILU_APPS = {"accounts", "audit", "operations", "personnel", "reports", "summaries", "dashboard"}


def _admin_writes() -> dict[tuple[str, str], bool]:
    """{(model, write): written by pamilu's code} for every write a superuser is offered."""

    class Superuser:
        is_active = is_staff = is_superuser = is_authenticated = True

        def has_perm(self, *args):
            return True

    request = RequestFactory().get("/admin/")
    request.user = Superuser()  # type: ignore[assignment]  # what the admin asks of a user
    result = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PAMILU_APPS:
            continue
        label = model._meta.label_lower
        saves = ["save_model", *(["save_formset"] if model_admin.inlines else [])]
        methods = {"add": saves, "change": saves, "delete": ["delete_model", "delete_queryset"]}
        offered = {
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
        }
        for write, names in methods.items():
            if offered[write]:
                result[(label, write)] = all(
                    getattr(type(model_admin), name) is not getattr(ModelAdmin, name)
                    for name in names
                )
    return result


def test_every_admin_write_goes_through_pamilu_code():
    writes = _admin_writes()
    assert writes[("operations.phase", "change")] is True  # the walk sees the admins
    assert ("personnel.apel", "change") not in writes  # no save service: view only
    by_django = {key for key, ours in writes.items() if not ours}
    assert by_django == set(ADMIN_DJANGO_WRITES)


def _role_compared_to_string(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]

    def is_role(n: ast.AST) -> bool:
        return (isinstance(n, ast.Attribute) and n.attr == "role") or (
            isinstance(n, ast.Name) and n.id == "role"
        )

    def is_text(n: ast.AST) -> bool:
        if isinstance(n, ast.Constant):
            return isinstance(n.value, str)
        if isinstance(n, ast.Tuple | ast.List | ast.Set):
            return any(is_text(e) for e in n.elts)
        return False

    return any(is_role(n) for n in operands) and any(is_text(n) for n in operands)


def test_no_role_compared_as_a_string():
    found = []
    for path in [*_project_modules(), *(p for p in _python_files() if p.startswith("bench/"))]:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Compare) and _role_compared_to_string(node):
                found.append(f"{path}:{node.lineno} {ast.unparse(node)}")
    assert found == []
    example = ast.parse('user.role == "operator" or "admin" != u.role').body[0].value
    assert all(_role_compared_to_string(c) for c in example.values)
    assert not _role_compared_to_string(ast.parse("user.role == Role.ADMIN").body[0].value)


def test_one_csv_reader_for_every_import():
    """Every CSV import reads through pamilu.api.csvfile.read_rows (and reports an
    ImportReport): no other module parses CSV."""
    readers = []
    for path in _project_modules():
        for call in _calls(_tree(path)):
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in {"reader", "DictReader"}
                and isinstance(func.value, ast.Name)
                and func.value.id == "csv"
            ):
                readers.append(path)
    assert readers == ["pamilu/api/csvfile.py"]
    importers = [
        path
        for path in _project_modules()
        if any(isinstance(n, ast.Name) and n.id == "read_rows" for n in ast.walk(_tree(path)))
    ]
    assert importers == ["operations/imports.py", "personnel/imports.py"]


def test_channels_are_the_audit_channels():
    assert set(CHANNELS) == set(Channel.values)


def test_no_role_compared_as_a_string_in_templates():
    # Templates ask the user's role properties (user.is_operator, is_reviewer, ...).
    pattern = re.compile(r"\brole\s*(==|!=|in)\s*[\"']")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []
    assert pattern.search('{% if user.role == "operator" %}')


def _service_functions() -> Iterator[tuple[str, ast.FunctionDef]]:
    paths = [p for p in _project_modules() if _is_service_module(p)]
    for path in paths:
        if path in SIGNATURE_EXEMPT:
            continue
        for node in _tree(path).body:
            if (
                isinstance(node, ast.FunctionDef)
                and not node.name.startswith("_")
                and (path, node.name) not in SERVICE_HELPERS
            ):
                yield path, node


def test_every_service_takes_by_and_channel_by_keyword():
    services = list(_service_functions())
    assert len(services) > 40
    wrong = []
    for path, func in services:
        args = func.args
        required = {
            a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None
        }
        if args.posonlyargs or args.args or args.vararg or not {"by", "channel"} <= required:
            wrong.append(f"{path}:{func.lineno} {func.name}")
    assert wrong == []


def test_every_service_annotates_by_and_channel():
    wrong = []
    for path, func in _service_functions():
        notes = {a.arg: a.annotation for a in func.args.kwonlyargs}
        by, channel = notes.get("by"), notes.get("channel")
        if not (
            by is not None
            and ast.unparse(by) == "Actor"
            and channel is not None
            and ast.unparse(channel) == "ChannelName"
            and func.returns is not None
        ):
            wrong.append(f"{path}:{func.lineno} {func.name}")
    assert wrong == []


def test_helpers_listed_still_exist():
    # A stale entry would let a new service of the same name skip the contract.
    for path, name in SERVICE_HELPERS:
        names = {n.name for n in _tree(path).body if isinstance(n, ast.FunctionDef)}
        assert name in names, (path, name)


def test_every_admin_service_takes_the_object_by_the_name_the_admin_passes():
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, AuditedAdmin):
            continue
        argument = model_admin.service_argument or model._meta.model_name
        for service in (type(model_admin).save_service, type(model_admin).delete_service):
            if service is not None:
                parameters = inspect.signature(service).parameters
                assert {argument, "by", "channel"} <= set(parameters), (model, service)
                checked.append(service.__name__)
    assert {"phase_save", "task_force_save", "security_pattern_save", "rank_delete"} <= set(checked)
