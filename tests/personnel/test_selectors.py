import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.models import Vulnerability
from pamilu import actors
from personnel.models import Apel
from personnel.selectors import coverage, guard_gaps, latest_apels, readiness_totals, roster
from personnel.services import apel_record, deployment_create, post_group_create
from tests import builders
from tests.builders import assigned, at, tps, warehouse

KR, R, SR = Vulnerability.KURANG_RAWAN, Vulnerability.RAWAN, Vulnerability.SANGAT_RAWAN


@pytest.fixture
def ambon_plotted(tree, operation):
    """Polresta Ambon with a mix of levels; Sirimau's own personnel and Polda BKO deployed.

    Required by the default pattern (2-8 kurang rawan, 2-2 rawan, 2-1 sangat rawan):
    Sirimau 17 KR -> 6, 3 R -> 4 (10); Nusaniwe 8 KR -> 2, 2 SR -> 4 (6); Ambon 16.
    """
    sirimau_kr = tps(operation, tree.sirimau, KR, 17)
    sirimau_r = tps(operation, tree.sirimau, R, 3)
    tps(operation, tree.nusaniwe, KR, 8)
    nusaniwe_sr = tps(operation, tree.nusaniwe, SR, 2)
    tps(operation, tree.labuan, KR, 40)  # another Polda: never counted
    own = [assigned(operation, tree.sirimau) for _ in range(3)]
    assigned(operation, tree.nusaniwe)  # available, not deployed
    bko = [assigned(operation, tree.ambon, home=tree.maluku) for _ in range(3)]
    assert all(a.is_bko for a in bko)
    voting = (at(14, 0) - dt.timedelta(hours=9), at(14, 0) + dt.timedelta(hours=6))
    group = post_group_create(
        operation=operation,
        unit=tree.sirimau,
        vulnerability=KR,
        name="G1",
        posts=sirimau_kr[:8],
        by=actors.SYSTEM,
        channel="system",
    )
    for assignment in own[:2]:
        deployment_create(
            assignment=assignment,
            group=group,
            starts_at=voting[0],
            ends_at=voting[1],
            by=actors.SYSTEM,
            channel="system",
        )
    deployment_create(
        assignment=own[2],
        post=sirimau_r[0],
        starts_at=voting[0],
        ends_at=voting[1],
        by=actors.SYSTEM,
        channel="system",
    )
    deployment_create(
        assignment=bko[0],
        post=sirimau_r[0],
        starts_at=voting[0],
        ends_at=voting[1],
        by=actors.SYSTEM,
        channel="system",
    )
    for assignment in bko[1:]:
        deployment_create(
            assignment=assignment,
            post=nusaniwe_sr[0],
            starts_at=voting[0],
            ends_at=voting[1],
            by=actors.SYSTEM,
            channel="system",
        )
    # A warehouse guard is not TPS duty.
    gudang = warehouse(operation, tree.ambon)
    guard = assigned(operation, tree.ambon)
    deployment_create(
        assignment=guard,
        post=gudang,
        starts_at=voting[0],
        ends_at=voting[1],
        by=actors.SYSTEM,
        channel="system",
    )
    return voting


def _numbers(row):
    return {
        "tps": row.tps,
        "required": row.required,
        "own": row.deployed_own,
        "bko": row.deployed_bko,
        "uncovered": row.uncovered_tps,
        "available": row.available,
    }


def test_coverage_polres_with_levels_and_bko(tree, operation, ambon_plotted):
    result = coverage(operation, tree.ambon)
    assert _numbers(result.total) == {
        "tps": 30,
        "required": 16,
        "own": 3,
        "bko": 3,
        "uncovered": 20,  # 30 TPS less 8 in the group, 1 rawan and 1 sangat rawan
        "available": 8,  # 4 own at Polsek, 3 BKO and the warehouse guard (police, all)
    }
    assert result.total.deployed == 6
    assert result.total.shortfall == 10
    assert result.total.bko_filling == 3  # own personnel alone reached 3 of 16
    by_child = {row.unit.code: _numbers(row) for row in result.children}
    assert by_child == {
        "POLSEK-NUSANIWE": {
            "tps": 10,
            "required": 6,
            "own": 0,
            "bko": 2,
            "uncovered": 9,
            "available": 1,
        },
        "POLSEK-SIRIMAU": {
            "tps": 20,
            "required": 10,
            "own": 3,
            "bko": 1,
            "uncovered": 11,
            "available": 3,
        },
    }
    assert {k: (v.tps, v.required, v.deployed) for k, v in result.by_level.items()} == {
        KR: (25, 8, 2),
        R: (3, 4, 2),
        SR: (2, 4, 2),
    }


def test_coverage_children_add_up_and_roll_up_to_polda(tree, operation, ambon_plotted):
    polres = coverage(operation, tree.ambon)
    for key in ["tps", "required", "own", "bko", "uncovered"]:
        assert sum(_numbers(r)[key] for r in polres.children) == _numbers(polres.total)[key], key
    polda = coverage(operation, tree.maluku)
    (ambon_row,) = polda.children
    assert ambon_row.unit == tree.ambon
    assert _numbers(ambon_row) == _numbers(polres.total)
    assert _numbers(polda.total) == _numbers(polres.total)
    national = coverage(operation, tree.mabes)
    maluku_row = next(r for r in national.children if r.unit == tree.maluku)
    assert _numbers(maluku_row) == _numbers(polres.total)
    # Pandeglang's 40 kurang-rawan TPS: 5 groups of 8 -> 10 police, none deployed.
    assert national.total.required == 16 + 10
    assert national.total.uncovered_tps == 20 + 40


def test_coverage_span_counts_only_overlapping_deployments(tree, operation, ambon_plotted):
    before = coverage(operation, tree.ambon, span=(at(1, 0), at(2, 0)))
    assert before.total.deployed == 0
    assert before.total.uncovered_tps == 30
    during = coverage(operation, tree.ambon, span=(at(14, 0), at(14, 1)))
    assert during.total.deployed == 6


def test_coverage_query_count_constant(tree, operation, ambon_plotted):
    with CaptureQueriesContext(connection) as small:
        coverage(operation, tree.ambon)
    for i in range(5):
        polsek = builders.unit(f"POLSEK-X{i}", "polsek", tree.ambon)
        tps(operation, polsek, KR, 9)
        assigned(operation, polsek)
    with CaptureQueriesContext(connection) as large:
        coverage(operation, tree.ambon)
    assert len(small.captured_queries) == len(large.captured_queries) == 5


def test_guard_gaps_hourly_per_post_and_rolled_up(tree, operation):
    gudang = warehouse(operation, tree.ambon, guards=2)
    kpu = warehouse(operation, tree.sirimau, guards=1, code="KPU")
    guards = [assigned(operation, tree.ambon) for _ in range(3)]
    # Gudang: two guards 00-08, one 08-16 (the other leaves at 08), two again 12-24.
    deployment_create(
        assignment=guards[0],
        post=gudang,
        starts_at=at(14, 0),
        ends_at=at(14, 16),
        by=actors.SYSTEM,
        channel="system",
    )
    deployment_create(
        assignment=guards[1],
        post=gudang,
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    deployment_create(
        assignment=guards[1],
        post=gudang,
        starts_at=at(14, 12),
        ends_at=at(15, 0),
        by=actors.SYSTEM,
        channel="system",
    )
    deployment_create(
        assignment=guards[2],
        post=gudang,
        starts_at=at(14, 16),
        ends_at=at(15, 0),
        by=actors.SYSTEM,
        channel="system",
    )
    # KPU office: one guard leaving at 20:30 leaves the hour 20-21 short.
    clerk = assigned(operation, tree.sirimau)
    deployment_create(
        assignment=clerk,
        post=kpu,
        starts_at=at(14, 0),
        ends_at=at(14, 20, 30),
        by=actors.SYSTEM,
        channel="system",
    )
    result = guard_gaps(operation, tree.ambon, at(14, 0), at(15, 0))
    assert result.posts_checked == 2
    gaps = {g.post.code: g for g in result.posts}
    assert [(s.hour, e.hour, n) for s, e, n in gaps["GUDANG"].ranges()] == [(8, 12, 1)]
    assert gaps["GUDANG"].missing_guard_hours == 4
    assert [(s.hour, e.hour, n) for s, e, n in gaps["KPU"].ranges()] == [(20, 0, 0)]
    assert result.missing_guard_hours == 8
    assert result.by_hour()[0] == (at(14, 8), 1, 1)
    assert result.by_hour()[-1] == (at(14, 23), 1, 1)
    # Sirimau sees only its own post.
    assert [
        g.post.code for g in guard_gaps(operation, tree.sirimau, at(14, 0), at(15, 0)).posts
    ] == ["KPU"]


def test_guard_gaps_query_count_constant(tree, operation):
    warehouse(operation, tree.ambon)
    with CaptureQueriesContext(connection) as small:
        guard_gaps(operation, tree.mabes, at(14, 0), at(15, 0))
    for i in range(10):
        warehouse(operation, tree.sirimau, code=f"G{i}")
    with CaptureQueriesContext(connection) as large:
        guard_gaps(operation, tree.mabes, at(14, 0), at(21, 0))
    assert len(small.captured_queries) == len(large.captured_queries) == 2


def _apel(operation, unit, day, present, total=20):
    return apel_record(
        operation=operation,
        unit=unit,
        held_at=at(day, 0),
        strength={"total": total, "present": present, "sick": total - present},
        equipment=[{"item": "r2", "ready": present, "not_ready": 1}],
        by=actors.SYSTEM,
        channel="system",
    )


def test_latest_apels_one_per_unit_in_scope(tree, operation):
    _apel(operation, tree.sirimau, 10, 15)
    newest = _apel(operation, tree.sirimau, 12, 18)
    nusaniwe = _apel(operation, tree.nusaniwe, 11, 19)
    _apel(operation, tree.labuan, 12, 20)
    latest = list(latest_apels(tree.ambon))
    assert latest == [newest, nusaniwe]
    assert (latest[0].equipment_ready, latest[0].equipment_not_ready) == (18, 1)
    assert readiness_totals(tree.ambon) == {"units": 2, "total": 40, "present": 37}
    assert Apel.objects.count() == 4


def test_roster_local_day_of_unit(tree, operation):
    gudang = warehouse(operation, tree.ambon)
    a, b = assigned(operation, tree.ambon), assigned(operation, tree.ambon)
    # 14 Feb in Ambon (WIT, UTC+9) runs from 13 Feb 15:00 UTC to 14 Feb 15:00 UTC.
    inside = deployment_create(
        assignment=a,
        post=gudang,
        starts_at=at(13, 15),
        ends_at=at(13, 23),
        by=actors.SYSTEM,
        channel="system",
    )
    deployment_create(
        assignment=b,
        post=gudang,
        starts_at=at(13, 7),
        ends_at=at(13, 15),
        by=actors.SYSTEM,
        channel="system",
    )
    assert list(roster(tree.ambon, dt.date(2024, 2, 14))) == [inside]
