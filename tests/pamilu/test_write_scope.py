"""Every reference in a write lies in the writer's scope (issue 13, failure 5 and beyond).

1. Walk the URL resolver; for every DRF view that accepts a write (POST/PUT/PATCH), take the
   serializer of each write action and every nested serializer, and try each writable
   relation with a row of Polda Maluku from the side of Polda Banten's users: it must be
   refused on that field (the same as a row that does not exist).
2. Walk every form of the project's apps (subclasses of django.forms.BaseForm defined in
   them); each ModelChoiceField, even offered every row, must refuse Maluku's rows for the
   outsider when the form is cleaned.
3. Over HTTP: an incident naming a Maluku TPS in a Banten report is a 400 naming the field.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import resolve
from rest_framework import relations, serializers
from rest_framework.exceptions import ValidationError

from accounts.models import Role
from operations.models import Event, Post, PostKind, SecurityPattern, TaskForce, UnitKind
from personnel.models import Deployment, PostGroup
from reports.models import DailyReport
from tests import builders
from tests.builders import assigned, load_ranks, token_client, warrant
from tests.pamilu.test_routes import walk

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
WRITE_ACTIONS = {"post": "create", "put": "update", "patch": "partial_update"}


@pytest.fixture
def maluku(tree, personas):
    """One row of every model a write can name, all in Polda Maluku's subtree (or in an
    operation organised by Polda Maluku alone), out of Banten's sight."""
    load_ranks()
    national = builders.operation(tree.mabes)
    local = builders.operation(tree.maluku, code="op-maluku-only")
    local.reporting_kinds = [UnitKind.POLSEK]
    local.save()
    post = Post.objects.create(
        operation=national,
        unit=tree.sirimau,
        kind=PostKind.TPS,
        code="8171-001",
        name="TPS 1",
        vulnerability="rawan",
    )
    start = dt.datetime(2024, 2, 14, 1, 0, tzinfo=dt.UTC)
    event = Event.objects.create(
        operation=national,
        unit=tree.sirimau,
        kind="kampanye",
        name="Kampanye Ambon",
        place="Lapangan Merdeka",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    assignment = assigned(national, tree.sirimau)
    group = PostGroup.objects.create(
        operation=national, unit=tree.sirimau, vulnerability="kurang_rawan", name="Kelompok 1"
    )
    report = DailyReport.objects.create(
        operation=national,
        unit=tree.sirimau,
        report_date=dt.date(2024, 2, 14),
        created_by=personas.kapolsek_a,
    )
    deployment = Deployment.objects.create(
        operation=national,
        assignment=assignment,
        personnel=assignment.personnel,
        unit=tree.sirimau,
        post=post,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    return {
        "operations.unit": tree.sirimau,
        "operations.operation": local,
        "operations.taskforce": TaskForce.objects.create(
            operation=local, level=UnitKind.POLSEK, code="maluku", name="Satgas Maluku"
        ),
        "operations.post": post,
        "operations.event": event,
        "operations.securitypattern": SecurityPattern.objects.create(
            operation=national, unit=tree.sirimau, vulnerability="rawan", police=2, tps_per_group=2
        ),
        "personnel.personnel": assignment.personnel,
        "personnel.assignment": assignment,
        "personnel.warrant": warrant(national, tree.ambon),
        "personnel.postgroup": group,
        "personnel.deployment": deployment,
        "reports.dailyreport": report,
        "accounts.user": personas.kapolsek_a,
    }


OUTSIDERS = ["outsider", "outsider_operator"]


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def _project_module(cls) -> bool:
    return cls.__module__.split(".")[0] in APPS


def write_serializers(user) -> dict[str, type]:
    """{"<url> <METHOD>": serializer class} for every DRF write the URL resolver reaches."""
    found: dict[str, type] = {}
    seen_views = set()
    for path, _name in walk():
        try:
            match = resolve(path)
        except Exception:  # noqa: S112 (sample paths that no longer resolve)
            continue
        callback = match.func
        cls = getattr(callback, "cls", None)
        if cls is None or not _project_module(cls):
            continue
        actions = getattr(callback, "actions", None)
        if actions is None:  # an APIView: its methods
            methods = {m: m for m in WRITE_ACTIONS if hasattr(cls, m)}
        else:
            methods = {m: a for m, a in actions.items() if m in WRITE_ACTIONS}
        for method, action in methods.items():
            key = (cls, action)
            if key in seen_views:
                continue
            seen_views.add(key)
            view = cls(**getattr(callback, "initkwargs", {}))
            view.action, view.request, view.kwargs, view.format_kwarg = action, None, {}, None
            view.args = ()
            view.request = _request(user)
            try:
                serializer_class = view.get_serializer_class()
            except (AssertionError, AttributeError):
                continue  # an APIView without a serializer class: no relations to name
            found[f"{path} {method.upper()} ({cls.__name__}.{action})"] = serializer_class
    return found


def _relations(serializer, prefix=""):
    for name, field in serializer.fields.items():
        label = f"{prefix}{name}"
        if isinstance(field, serializers.ListSerializer):
            yield from _relations(field.child, f"{label}[].")
        elif isinstance(field, serializers.Serializer):
            yield from _relations(field, f"{label}.")
        elif isinstance(field, relations.ManyRelatedField) and not field.read_only:
            yield label, field.child_relation
        elif isinstance(field, relations.RelatedField) and not field.read_only:
            yield label, field


def _value_for(field, sample):
    if isinstance(field, relations.SlugRelatedField):
        return getattr(sample, field.slug_field)
    return sample.pk


def test_the_walk_finds_the_write_serializers(personas):
    names = " ".join(write_serializers(personas.outsider))
    for expected in ["ReportViewSet.create", "PostViewSet.create", "DeploymentViewSet.create"]:
        assert expected in names


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_write_serializer_refuses_references_out_of_scope(personas, maluku, who):
    user = getattr(personas, who)
    leaks, unknown = [], set()
    for where, serializer_class in write_serializers(user).items():
        serializer = serializer_class(context={"request": _request(user), "view": None})
        for name, field in _relations(serializer):
            label = field.get_queryset().model._meta.label_lower
            if label == "personnel.rank":
                continue  # reference data, the same for everyone
            sample = maluku.get(label)
            if sample is None:
                unknown.add(f"{where}: {name} → {label}")
                continue
            try:
                field.to_internal_value(_value_for(field, sample))
            except ValidationError:
                continue
            leaks.append(f"{where}: {name} accepts {label} {sample.pk}")
    assert unknown == set(), "add an out-of-scope sample for these models"
    assert leaks == []


def project_forms() -> list[type]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)
    result, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if _project_module(cls) and not inspect.isabstract(cls) and cls not in result:
            result.append(cls)
    return result


# Forms of the admin site: staff only, whose querysets are the admin's (not per unit).
ADMIN_FORMS = {"UnitAdminForm", "DeploymentAddForm", "ApiTokenIssueForm", "TpsImportForm"}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_form_refuses_references_out_of_scope(personas, maluku, who):
    user = getattr(personas, who)
    leaks, unchecked = [], []
    for form_class in project_forms():
        if form_class.__name__ in ADMIN_FORMS:
            continue
        try:
            form = form_class(data={}, scope_user=user)
        except TypeError:
            form = None
        probe = form_class.base_fields if form is None else form.fields
        choice_fields = [
            name for name, field in probe.items() if isinstance(field, forms.ModelChoiceField)
        ]
        if not choice_fields:
            continue
        if form is None:
            unchecked.append(form_class.__name__)
            continue
        for name in choice_fields:
            model = form.fields[name].queryset.model
            sample = maluku[model._meta.label_lower]
            form = form_class(data={name: sample.pk}, scope_user=user)
            form.fields[name].queryset = model._default_manager.all()  # as if a view offered all
            form.is_valid()
            if name not in form.errors:
                leaks.append(f"{form_class.__name__}.{name} accepts {model.__name__} {sample.pk}")
    assert unchecked == [], "forms with model choices must take scope_user (ScopedChoicesMixin)"
    assert leaks == []


def test_incident_naming_a_post_out_of_scope_is_a_400_naming_the_field(personas, maluku):
    """Failure 5: a Banten operator attached a Maluku TPS to an incident."""
    operator = builders.user(Role.OPERATOR, personas.outsider_operator.unit, "op.labuan.2")
    national = maluku["operations.post"].operation
    national.reporting_kinds = [UnitKind.POLSEK]
    national.save()
    client = token_client(operator)
    body = {
        "operation": national.pk,
        "report_date": "2024-02-14",
        "personnel_on_duty": 5,
        "summary": "Aman.",
        "incidents": [
            {
                "category": "gangguan",
                "severity": "hijau",
                "occurred_at": "2024-02-14T02:00:00Z",
                "place": "Pasar",
                "post": maluku["operations.post"].pk,
                "description": "Uji.",
            }
        ],
    }
    response = client.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400, response.json()
    # nested fields are named with their index (the API's convention since the send rules)
    assert [e["field"] for e in response.json()["errors"]] == ["incidents[0].post"]
    assert "TPS 1" not in response.content.decode()
    assert not DailyReport.objects.filter(unit=operator.unit).exists()
