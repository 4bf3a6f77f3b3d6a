"""Maintained TPS counts (operations.counts): every write that changes them keeps them
equal to a full recomputation, and the count selectors give the posts-scanning
selectors' numbers with one query."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import tallies
from operations import count_selectors, counts, selectors, services
from operations.imports import import_tps
from operations.models import PostKind, SecurityPattern, TpsCount, UnitKind, Vulnerability
from pamilu import actors
from tests import builders

KR, RAWAN, SR, KHUSUS = (
    Vulnerability.KURANG_RAWAN,
    Vulnerability.RAWAN,
    Vulnerability.SANGAT_RAWAN,
    Vulnerability.KHUSUS,
)


def _tps(operation, unit, level, n, start=0):
    return [
        services.post_create(
            operation=operation,
            unit=unit,
            kind=PostKind.TPS,
            code=f"{unit.code}-{level}-{start + i}",
            name="TPS",
            village="Desa",
            subdistrict="Kec",
            district="Kab",
            vulnerability=level,
            by=actors.SYSTEM,
            channel="system",
        )
        for i in range(n)
    ]


def _kept(operation):
    return {
        (c.unit_id, c.vulnerability): (c.tps, c.police_required)
        for c in TpsCount.objects.filter(operation=operation, tps__gt=0)
    }


def test_create_update_delete_keep_counts_and_requirement(tree, operation):
    a = _tps(operation, tree.sirimau, KR, 9)  # 2-8: 2 groups -> 4
    _tps(operation, tree.nusaniwe, RAWAN, 3)  # 2-2: 2 groups -> 4
    assert _kept(operation) == {(tree.sirimau.pk, KR): (9, 4), (tree.nusaniwe.pk, RAWAN): (3, 4)}
    services.post_update(
        post=a[0], vulnerability=SR, by=actors.SYSTEM, channel="system"
    )  # one TPS becomes sangat rawan
    services.post_update(
        post=a[1], unit=tree.nusaniwe, by=actors.SYSTEM, channel="system"
    )  # one moves to another Polsek
    services.post_delete(post=a[2], by=actors.SYSTEM, channel="system")
    assert _kept(operation) == {
        (tree.sirimau.pk, KR): (6, 2),
        (tree.sirimau.pk, SR): (1, 2),
        (tree.nusaniwe.pk, KR): (1, 2),
        (tree.nusaniwe.pk, RAWAN): (3, 4),
    }
    assert counts.drift() == []


def test_non_tps_posts_are_not_counted(tree, operation):
    services.post_create(
        operation=operation,
        unit=tree.ambon,
        kind=PostKind.WAREHOUSE,
        code="G-1",
        name="Gudang",
        by=actors.SYSTEM,
        channel="system",
    )
    assert _kept(operation) == {}
    assert counts.drift() == []


def test_import_adds_one_delta_for_all_rows(tree, operation, personas):
    rows = "\n".join(
        f"T{i},Desa,Kec,Kab,200,{'rawan' if i % 4 == 0 else 'aman'},POLSEK-SIRIMAU"
        for i in range(40)
    )
    raw = ("kode_tps,desa,kecamatan,kabupaten,dpt,kerawanan,kode_satuan\n" + rows).encode()
    with CaptureQueriesContext(connection) as queries:
        report = import_tps(
            raw=raw, operation=operation, unit=tree.ambon, by=personas.admin, channel="import"
        )
    assert report.written == 40
    assert _kept(operation) == {(tree.sirimau.pk, KR): (30, 8), (tree.sirimau.pk, RAWAN): (10, 10)}
    maintenance = [q for q in queries.captured_queries if "tpscount" in q["sql"]]
    assert len(maintenance) == 3  # insert missing rows, add, requirement: not per row
    assert counts.drift() == []


def test_pattern_change_recomputes_requirement(tree, operation):
    _tps(operation, tree.sirimau, KR, 8)
    _tps(operation, tree.labuan, KR, 8)
    pattern = SecurityPattern.objects.create(
        operation=operation, unit=tree.ambon, vulnerability=KR, police=2, tps_per_group=4
    )
    counts.pattern_changed(operation.pk)
    assert _kept(operation)[(tree.sirimau.pk, KR)] == (8, 4)  # Ambon's 2-4
    assert _kept(operation)[(tree.labuan.pk, KR)] == (8, 2)  # the default 2-8
    pattern.delete()
    counts.pattern_changed(operation.pk)
    assert _kept(operation)[(tree.sirimau.pk, KR)] == (8, 2)
    assert counts.drift() == []


def test_unit_move_takes_the_new_ancestors_pattern(tree, operation):
    SecurityPattern.objects.create(
        operation=operation, unit=tree.ambon, vulnerability=KR, police=2, tps_per_group=4
    )
    _tps(operation, tree.sirimau, KR, 8)
    counts.pattern_changed(operation.pk)
    assert _kept(operation)[(tree.sirimau.pk, KR)] == (8, 4)
    services.unit_update(
        unit=tree.sirimau, parent=tree.sinjai, by=actors.SYSTEM, channel="system"
    )  # out of Ambon's pattern
    assert _kept(operation)[(tree.sirimau.pk, KR)] == (8, 2)
    assert counts.drift() == []


def test_admin_pattern_and_post_edits_keep_counts(client, tree, operation, personas):
    posts = _tps(operation, tree.sirimau, KR, 8)
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:operations_securitypattern_add"),
        {
            "operation": operation.pk,
            "unit": tree.ambon.pk,
            "vulnerability": KR,
            "police": 3,
            "tps_per_group": 2,
            "linmas": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert _kept(operation)[(tree.sirimau.pk, KR)] == (8, 12)
    post = posts[0]
    response = client.post(
        reverse("admin:operations_post_change", args=[post.pk]),
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "tps",
            "code": post.code,
            "name": post.name,
            "village": "Desa",
            "subdistrict": "Kec",
            "district": "Kab",
            "voters": 10,
            "vulnerability": KHUSUS,
            "linmas": 0,
            "guards_required": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert _kept(operation) == {(tree.sirimau.pk, KR): (7, 12), (tree.sirimau.pk, KHUSUS): (1, 2)}
    response = client.post(reverse("admin:operations_post_delete", args=[post.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert _kept(operation) == {(tree.sirimau.pk, KR): (7, 12)}
    assert counts.drift() == []


@pytest.fixture
def spread(tree, operation):
    """TPS at every level, in Polsek and in a Polres itself, and a unit pattern."""
    SecurityPattern.objects.create(
        operation=operation, unit=tree.ambon, vulnerability=KR, police=2, tps_per_group=4
    )
    counts.pattern_changed(operation.pk)
    _tps(operation, tree.sirimau, KR, 17)
    _tps(operation, tree.sirimau, RAWAN, 3)
    _tps(operation, tree.nusaniwe, SR, 2)
    _tps(operation, tree.ambon, SR, 1)
    _tps(operation, tree.sinjai_utara, KHUSUS, 1)
    _tps(operation, tree.labuan, RAWAN, 10)
    return tree


@pytest.mark.parametrize("focus", ["mabes", "maluku", "ambon", "sirimau", "banten"])
def test_count_selectors_equal_the_posts_scanning_ones(spread, operation, focus):
    unit = getattr(spread, focus)
    assert count_selectors.tps_requirement_by_group(
        operation, unit
    ) == selectors.tps_requirement_by_group(operation, unit)
    assert count_selectors.tps_requirement_by_level(
        operation, unit
    ) == selectors.tps_requirement_by_level(operation, unit)
    assert count_selectors.tps_requirement_by_child(
        operation, unit
    ) == selectors.tps_requirement_by_child(operation, unit)


def test_count_selector_is_one_query_whatever_the_size(tree, operation, django_assert_num_queries):
    _tps(operation, tree.sirimau, RAWAN, 2)
    with django_assert_num_queries(1):
        small = count_selectors.tps_requirement_by_group(operation, tree.mabes)
    for i in range(15):
        polsek = builders.unit(f"POLSEK-GEN-{i}", UnitKind.POLSEK, tree.sinjai)
        _tps(operation, polsek, KR, 3)
    with django_assert_num_queries(1):
        large = count_selectors.tps_requirement_by_group(operation, tree.mabes)
    assert small == {tree.maluku.path: {"rawan": {"tps": 2, "police_required": 2}}}
    assert large[tree.sulsel.path] == {"kurang_rawan": {"tps": 45, "police_required": 30}}


def test_rebuild_command_repairs_and_check_reports_drift(spread, operation, capsys):
    TpsCount.objects.filter(unit=spread.sirimau, vulnerability=KR).update(tps=1)
    with pytest.raises(CommandError, match="1 TPS counts"):
        call_command("rebuild_counts", "--check")
    call_command("rebuild_counts")
    assert "every maintained number equals a full recomputation" in capsys.readouterr().out
    assert _kept(operation)[(spread.sirimau.pk, KR)] == (17, 10)
    assert counts.drift() == []


def test_editing_a_deleted_post_is_refused_not_inserted_again(tree, operation):
    post = _tps(operation, tree.sirimau, KR, 1)[0]
    stale = type(post).objects.get(pk=post.pk)
    services.post_delete(post=post, by=actors.SYSTEM, channel="system")
    with pytest.raises(ValidationError):
        services.post_update(post=stale, vulnerability=RAWAN, by=actors.SYSTEM, channel="system")
    services.post_delete(
        post=stale, by=actors.SYSTEM, channel="system"
    )  # deleting twice changes nothing
    assert _kept(operation) == {}
    assert counts.drift() == []


def test_unit_move_from_a_stale_instance_moves_the_stored_subtree(tree, operation):
    stale = type(tree.ambon).objects.get(pk=tree.ambon.pk)
    services.unit_update(unit=tree.ambon, parent=tree.sulsel, by=actors.SYSTEM, channel="system")
    services.unit_update(
        unit=stale, parent=tree.banten, by=actors.SYSTEM, channel="system"
    )  # its path in memory is old
    tree.sirimau.refresh_from_db()
    assert tree.sirimau.path == "MABES/POLDA-BANTEN/POLRESTA-AMBON/POLSEK-SIRIMAU/"


def test_a_level_emptied_by_deletes_leaves_no_tally_drift(tree, operation):
    """Deleting every TPS of a level leaves its count row at zero (counts are never
    deleted); the dashboard's TPS tally drops the group to zero too, and zero rows count
    as absent on both sides of the check (the concurrency test once failed on this)."""
    posts = _tps(operation, tree.sirimau, RAWAN, 2)
    for post in posts:
        services.post_delete(post=post, by=actors.SYSTEM, channel="system")
    assert (
        TpsCount.objects.get(operation=operation, unit=tree.sirimau, vulnerability=RAWAN).tps == 0
    )
    assert tallies.drift() == dict.fromkeys(tallies.TABLES, 0)
