import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from audit.models import AuditEntry
from operations.models import Event, EventKind, Vulnerability
from pamilu import actors
from pamilu.api.csvfile import CsvFileError
from personnel.imports import deployments_import
from personnel.models import Apel, Deployment
from personnel.services import apel_record, deployment_cancel, deployment_create
from tests import builders
from tests.builders import assigned, at, load_ranks, restore_ranks_after_module, tps

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraint exists on PostgreSQL only"
)


@pytest.fixture
def setup(tree, operation):
    person = assigned(operation, tree.sirimau, name="Budi Santoso", nrp="85010001")
    tps_a, tps_b = tps(operation, tree.sirimau, Vulnerability.RAWAN, 2)
    return person, tps_a, tps_b


def test_deployment_create_records_audit(setup, personas):
    assignment, tps_a, _b = setup
    deployment = deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=personas.reviewer,
        channel="web",
    )
    assert deployment.unit == tps_a.unit
    assert deployment.personnel == assignment.personnel
    entry = AuditEntry.objects.get(action="deployment.create")
    assert entry.actor == personas.reviewer
    assert entry.changes["target"] == str(tps_a)


def test_deployment_overlap_refused_with_message_naming_the_clash(setup):
    assignment, tps_a, tps_b = setup
    deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    with pytest.raises(ValidationError) as excinfo:
        deployment_create(
            assignment=assignment,
            post=tps_b,
            starts_at=at(14, 7),
            ends_at=at(14, 12),
            by=actors.SYSTEM,
            channel="system",
        )
    message = excinfo.value.message_dict["assignment"][0]
    # Who, where and when (local time of Ambon, WIT = UTC+9).
    assert "Budi Santoso" in message
    assert "85010001" in message
    assert tps_a.name in message
    assert "14/02/2024 09:00–17:00 WIT" in message
    assert Deployment.objects.count() == 1


def test_deployment_adjacent_span_accepted(setup):
    assignment, tps_a, tps_b = setup
    deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    second = deployment_create(
        assignment=assignment,
        post=tps_b,
        starts_at=at(14, 8),
        ends_at=at(14, 16),
        by=actors.SYSTEM,
        channel="system",
    )
    assert second.starts_at == at(14, 8)
    assert Deployment.objects.filter(personnel=assignment.personnel).count() == 2


def test_deployment_ends_after_start(setup):
    assignment, tps_a, _b = setup
    with pytest.raises(ValidationError) as excinfo:
        deployment_create(
            assignment=assignment,
            post=tps_a,
            starts_at=at(14, 8),
            ends_at=at(14, 8),
            by=actors.SYSTEM,
            channel="system",
        )
    assert "ends_at" in excinfo.value.message_dict


def test_deployment_outside_serving_unit_refused(tree, operation, setup):
    assignment, *_ = setup
    (labuan_tps,) = tps(operation, tree.labuan, Vulnerability.RAWAN, 1)
    with pytest.raises(ValidationError) as excinfo:
        deployment_create(
            assignment=assignment,
            post=labuan_tps,
            starts_at=at(14, 0),
            ends_at=at(14, 8),
            by=actors.SYSTEM,
            channel="system",
        )
    assert "assignment" in excinfo.value.message_dict


@postgres_only
def test_overlap_refused_by_database_itself(setup):
    """A write that bypasses the service still cannot double-book: the exclusion constraint."""
    assignment, tps_a, tps_b = setup
    deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    with pytest.raises(IntegrityError, match="deployment_no_overlap"), transaction.atomic():
        Deployment.objects.create(
            operation=assignment.operation,
            assignment=assignment,
            personnel=assignment.personnel,
            unit=tps_b.unit,
            post=tps_b,
            starts_at=at(14, 7),
            ends_at=at(14, 9),
        )
    # Adjacent ([) spans) pass the constraint.
    Deployment.objects.create(
        operation=assignment.operation,
        assignment=assignment,
        personnel=assignment.personnel,
        unit=tps_b.unit,
        post=tps_b,
        starts_at=at(14, 8),
        ends_at=at(14, 9),
    )


@pytest.fixture
def ranks():
    """Transactional tests flush the database, data migrations included: the ranks again."""
    load_ranks()


_restore_ranks = pytest.fixture(scope="module", autouse=True)(restore_ranks_after_module)


def _race(work) -> list:
    """Run `work(i)` in two threads, each on its own database connection, released together."""
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_exactly_one_wins(ranks, tree):
    operation = builders.operation(tree.mabes)
    assignment = assigned(operation, tree.sirimau, name="Budi Santoso")
    posts = tps(operation, tree.sirimau, Vulnerability.RAWAN, 2)

    def work(i):
        return deployment_create(
            assignment=assignment,
            post=posts[i],
            starts_at=at(14, i),
            ends_at=at(14, 8 + i),
            by=actors.SYSTEM,
            channel="system",
        )

    results = _race(work)
    wins = [r for r in results if isinstance(r, Deployment)]
    losses = [r for r in results if isinstance(r, ValidationError)]
    assert len(wins) == 1, results
    assert len(losses) == 1, results
    assert "Budi Santoso" in losses[0].message_dict["assignment"][0]
    assert Deployment.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_racing_raw_inserts_database_lets_one_win(ranks, tree):
    """Without the service's lock, two connections inserting at once: the constraint decides."""
    operation = builders.operation(tree.mabes)
    assignment = assigned(operation, tree.sirimau)
    posts = tps(operation, tree.sirimau, Vulnerability.RAWAN, 2)

    def work(i):
        with transaction.atomic():
            return Deployment.objects.create(
                operation=operation,
                assignment=assignment,
                personnel=assignment.personnel,
                unit=posts[i].unit,
                post=posts[i],
                starts_at=at(14, i),
                ends_at=at(14, 8 + i),
            )

    results = _race(work)
    assert sum(isinstance(r, Deployment) for r in results) == 1, results
    # PostgreSQL refuses the loser either with the exclusion violation or, when both
    # insertions were in flight at once, by aborting it as a deadlock (SQLSTATE 40P01).
    refused = [r for r in results if isinstance(r, IntegrityError | OperationalError)]
    assert len(refused) == 1, results
    sqlstate = getattr(refused[0].__cause__, "sqlstate", None)
    assert sqlstate in {"23P01", "40P01"}, (sqlstate, refused)
    assert Deployment.objects.count() == 1


def test_deployment_to_event(tree, operation, setup):
    assignment, *_ = setup
    event = Event.objects.create(
        operation=operation,
        unit=tree.ambon,
        kind=EventKind.RALLY,
        name="Kampanye rapat umum",
        place="Lapangan Merdeka",
        starts_at=at(1, 1),
        ends_at=at(1, 6),
        expected_crowd=5000,
    )
    deployment = deployment_create(
        assignment=assignment,
        event=event,
        starts_at=at(1, 0),
        ends_at=at(1, 7),
        by=actors.SYSTEM,
        channel="system",
    )
    assert deployment.unit == tree.ambon
    assert deployment.target == event


def test_deployment_cancel_audited(setup, personas):
    assignment, tps_a, _b = setup
    deployment = deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    deployment_cancel(deployment=deployment, by=personas.reviewer, channel="web")
    assert not Deployment.objects.exists()
    assert AuditEntry.objects.filter(action="deployment.cancel").count() == 1


DEPLOYMENT_CSV = (
    "nrp,pos,kegiatan,mulai,selesai,catatan\n"
    "85010001,{a},,2024-02-14T07:00,2024-02-14T15:00,pagi\n"
    "85010001,{b},,2024-02-14T14:00,2024-02-14T20:00,bentrok\n"
    "85010001,{b},,2024-02-14T15:00,2024-02-14T20:00,sambung\n"
    "99999999,,,2024-02-14T07:00,2024-02-14T15:00,\n"
)


def test_deployments_import_reports_clash_by_line(tree, operation, setup):
    _assignment, tps_a, tps_b = setup
    raw = DEPLOYMENT_CSV.format(a=tps_a.code, b=tps_b.code).encode()
    result = deployments_import(
        raw=raw,
        operation=operation,
        within=tree.ambon,
        by=actors.IMPORT,
        channel="import",
        only_valid=True,
    )
    assert result.written == 2
    assert [e.line for e in result.errors] == [3, 5]
    assert "Budi Santoso" in result.errors[0].message
    assert "07:00–15:00 WIT" in result.errors[0].message
    # Local time (WIT) read as such: 07:00 WIT is 22:00 UTC the day before.
    first = Deployment.objects.order_by("starts_at").first()
    assert first.starts_at == at(13, 22)
    entry = AuditEntry.objects.get(action="deployment.import")
    assert entry.actor_name == actors.IMPORT.name
    assert entry.changes["refused_lines"] == [3, 5]


def test_deployments_import_all_or_nothing_by_default(tree, operation, setup):
    _assignment, tps_a, tps_b = setup
    raw = DEPLOYMENT_CSV.format(a=tps_a.code, b=tps_b.code).encode()
    result = deployments_import(
        raw=raw, operation=operation, within=tree.ambon, by=actors.IMPORT, channel="import"
    )
    assert (result.total, result.written, result.refused_lines) == (4, 0, [3, 5])
    assert not Deployment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="deployment.").exists()


def test_deployments_import_refuses_a_file_without_required_columns(tree, operation):
    with pytest.raises(CsvFileError) as excinfo:
        deployments_import(
            raw=b"nrp,pos\n85010001,X\n",
            operation=operation,
            within=tree.ambon,
            by=actors.IMPORT,
            channel="import",
        )
    assert excinfo.value.field == "starts_at"


def test_apel_record_strength_must_add_up(tree, operation, personas):
    with pytest.raises(ValidationError) as excinfo:
        apel_record(
            operation=operation,
            unit=tree.sirimau,
            held_at=at(13, 0),
            strength={"total": 30, "present": 25, "sick": 2},
            by=actors.SYSTEM,
            channel="system",
        )
    assert "total" in excinfo.value.message_dict
    apel = apel_record(
        operation=operation,
        unit=tree.sirimau,
        held_at=at(13, 0),
        strength={"total": 30, "present": 25, "sick": 2, "permit": 1, "leave": 1, "duty": 1},
        equipment=[
            {"item": "r2", "ready": 6, "not_ready": 1},
            {"item": "ht", "ready": 10, "not_ready": 0},
            {"item": "truck", "ready": 0, "not_ready": 0},
        ],
        by=personas.kapolsek_a,
        channel="web",
    )
    assert apel.absent == 5
    assert apel.present_percent == 83
    assert sorted(apel.equipment.values_list("item", "ready", "not_ready")) == [
        ("ht", 10, 0),
        ("r2", 6, 1),
    ]
    assert Apel.objects.get().created_by == personas.kapolsek_a
    assert AuditEntry.objects.filter(action="apel.record").count() == 1


def test_deployment_services_check_the_right_to_deploy(setup, personas):
    """Rights are checked inside the service: command-center staff watch only, an operator
    deploys for their own unit only; nothing is written when refused."""
    assignment, tps_a, _b = setup
    for who in (personas.command_center, personas.kapolsek_b, personas.outsider):
        with pytest.raises(PermissionDenied):
            deployment_create(
                assignment=assignment,
                post=tps_a,
                starts_at=at(14, 0),
                ends_at=at(14, 8),
                by=who,
                channel="web",
            )
    assert not Deployment.objects.exists()
    deployment = deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=personas.kapolsek_a,
        channel="web",
    )
    with pytest.raises(PermissionDenied):
        deployment_cancel(deployment=deployment, by=personas.command_center, channel="web")
    assert Deployment.objects.filter(pk=deployment.pk).exists()


def test_apel_record_refuses_command_center(tree, operation, personas):
    with pytest.raises(PermissionDenied):
        apel_record(
            operation=operation,
            unit=tree.sirimau,
            held_at=at(13, 0),
            strength={"total": 30, "present": 30},
            by=personas.command_center,
            channel="web",
        )
    assert not Apel.objects.exists()


def test_system_actor_is_named_in_the_trail(setup):
    assignment, tps_a, _b = setup
    deployment = deployment_create(
        assignment=assignment,
        post=tps_a,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.DEMO,
        channel="system",
    )
    entry = AuditEntry.objects.get(action="deployment.create", object_id=str(deployment.pk))
    assert (entry.actor, entry.actor_name, entry.channel) == (None, "sistem:demo", "system")
