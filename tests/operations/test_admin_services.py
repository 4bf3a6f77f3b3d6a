"""The admin writes reference records through their services (issue #17): the entry names
the user and the admin channel, and the service refuses a user without the right."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEntry
from operations.models import Phase, TaskForce
from operations.services_reference import operation_delete, phase_save, task_force_save
from pamilu import actors
from pamilu.roles import Role
from personnel.models import Rank
from personnel.services import apel_record
from tests import builders

PHASE_FORM = {
    "kind": "kampanye",
    "name": "Kampanye terbuka",
    "start_date": "2024-01-01",
    "end_date": "2024-02-10",
}


def _phase(operation) -> Phase:
    return operation.phases.get(kind="kampanye")


def _staff(role, unit, *codenames):
    user = builders.user(role, unit, f"staf.{role}.{unit.code.lower()}", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_admin_phase_change_goes_through_the_service(client, personas, operation):
    client.force_login(personas.admin)
    phase = _phase(operation)
    response = client.post(
        reverse("admin:operations_phase_change", args=[phase.pk]),
        {**PHASE_FORM, "operation": operation.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    phase.refresh_from_db()
    assert phase.name == "Kampanye terbuka"
    entry = AuditEntry.objects.get(action="phase.update")
    assert (entry.actor, entry.actor_name, entry.channel) == (personas.admin, "admin", "admin")
    assert entry.changes == {"name": ["Kampanye", "Kampanye terbuka"]}


def test_admin_phase_change_by_an_admin_of_another_polda_is_refused(client, tree, operation):
    # Staff with the model's permission, but the operation is organised at Mabes: the
    # service refuses (403) and nothing is written.
    other = builders.operation(tree.maluku)
    staff = _staff(Role.ADMIN, tree.sulsel, "change_phase", "view_phase")
    client.force_login(staff)
    phase = _phase(other)
    response = client.post(
        reverse("admin:operations_phase_change", args=[phase.pk]),
        {**PHASE_FORM, "operation": other.pk},
    )
    assert response.status_code == 403
    phase.refresh_from_db()
    assert phase.name == "Kampanye"
    assert not AuditEntry.objects.filter(action="phase.update").exists()


def test_admin_of_the_polda_keeps_its_own_operations_phases(client, tree):
    own = builders.operation(tree.maluku)
    staff = _staff(Role.ADMIN, tree.maluku, "change_phase", "view_phase")
    client.force_login(staff)
    phase = _phase(own)
    response = client.post(
        reverse("admin:operations_phase_change", args=[phase.pk]),
        {**PHASE_FORM, "operation": own.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="phase.update")
    assert (entry.actor, entry.channel) == (staff, "admin")


def test_admin_phase_delete_goes_through_the_service(client, personas, operation):
    client.force_login(personas.admin)
    phase = _phase(operation)
    response = client.post(
        reverse("admin:operations_phase_delete", args=[phase.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Phase.objects.filter(pk=phase.pk).exists()
    entry = AuditEntry.objects.get(action="phase.delete")
    assert (entry.actor, entry.channel, entry.changes["name"]) == (
        personas.admin,
        "admin",
        "Kampanye",
    )


def test_admin_task_force_added_in_the_operation_inline_goes_through_its_service(
    client, personas, operation
):
    client.force_login(personas.admin)
    url = reverse("admin:operations_operation_change", args=[operation.pk])
    data = _change_form_data(client.get(url))
    prefix = "task_forces"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-operation": str(operation.pk),
            f"{prefix}-{total}-level": "polda",
            f"{prefix}-{total}-code": "patroli",
            f"{prefix}-{total}-name": "Patroli Polsek",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [i.formset.errors for i in response.context["inline_admin_formsets"]],
    )
    added = TaskForce.objects.get(operation=operation, code="patroli")
    entry = AuditEntry.objects.get(action="taskforce.create")
    assert (entry.object_id, entry.actor, entry.channel) == (str(added.pk), personas.admin, "admin")
    assert entry.changes["name"] == "Patroli Polsek"


def _change_form_data(response) -> dict[str, str]:
    """The POST a browser sends for the change page as shown (main form and inlines)."""
    data: dict[str, str] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = str(
                management.initial.get(name, field.initial) or 0
            )
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()  # as the widget shows it (prepare_value)
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def test_phase_save_refuses_an_operator(personas, operation):
    phase = _phase(operation)
    phase.name = "Diubah"
    with pytest.raises(PermissionDenied):
        phase_save(phase=phase, by=personas.kapolsek_a, channel="web")
    phase.refresh_from_db()
    assert phase.name == "Kampanye"


def test_a_part_cannot_be_moved_to_an_operation_in_scope_from_one_outside(tree, operation):
    # The stored operation counts too: a Polda admin cannot take Mabes' task force over.
    own = builders.operation(tree.maluku)
    admin = builders.user(Role.ADMIN, tree.maluku, "admin.maluku")
    task_force = operation.task_forces.get()
    task_force.operation = own
    with pytest.raises(PermissionDenied):
        task_force_save(task_force=task_force, by=admin, channel="admin")
    assert TaskForce.objects.get(pk=task_force.pk).operation_id == operation.pk


def test_operation_delete_by_a_system_actor_is_audited_with_its_name(tree):
    operation = builders.operation(tree.maluku)
    operation_delete(operation=operation, by=actors.SYSTEM, channel="system")
    entry = AuditEntry.objects.get(action="operation.delete")
    assert (entry.actor, entry.actor_name, entry.unit_code) == (None, "sistem", "POLDA-MALUKU")


def test_admin_rank_add_goes_through_the_service_and_a_polda_admin_is_refused(
    client, personas, tree
):
    form = {"code": "UJI", "name": "Pangkat Uji", "group": "pati", "order": 999}
    client.force_login(personas.admin)
    response = client.post(reverse("admin:personnel_rank_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="rank.create")
    assert (entry.actor, entry.channel, entry.object_repr) == (
        personas.admin,
        "admin",
        "Pangkat Uji",
    )
    staff = _staff(Role.ADMIN, tree.maluku, "add_rank", "view_rank")
    client.force_login(staff)
    response = client.post(
        reverse("admin:personnel_rank_add"), {**form, "code": "UJI2", "order": 998}
    )
    assert response.status_code == 403
    assert not Rank.objects.filter(code="UJI2").exists()


def test_admin_apel_is_view_only_and_its_delete_goes_through_the_service(
    client, personas, tree, operation
):
    apel = apel_record(
        operation=operation,
        unit=tree.sirimau,
        held_at=dt.datetime(2024, 2, 13, 7, 0, tzinfo=dt.UTC),
        strength={"total": 10, "present": 10},
        by=personas.kapolsek_a,
        channel="web",
    )
    client.force_login(personas.admin)
    page = client.get(reverse("admin:personnel_apel_change", args=[apel.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = client.post(reverse("admin:personnel_apel_delete", args=[apel.pk]), {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="apel.delete")
    assert (entry.actor, entry.channel, entry.changes["present"]) == (personas.admin, "admin", 10)
