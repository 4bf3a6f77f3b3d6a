from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.models import Post, PostKind, SecurityPattern, UnitKind, Vulnerability
from operations.selectors import (
    tps_requirement_by_child,
    tps_requirement_by_group,
    tps_requirement_by_level,
)
from tests import builders


def _tps(operation, unit, level, n, start=0):
    Post.objects.bulk_create(
        Post(
            operation=operation,
            unit=unit,
            kind=PostKind.TPS,
            code=f"{unit.code}-{level}-{start + i}",
            name="TPS",
            vulnerability=level,
        )
        for i in range(n)
    )


def test_requirement_follows_default_pattern_with_whole_groups(tree, operation):
    # Default pattern: kurang rawan 2 per 8 TPS, rawan 2 per 2, sangat rawan 2 per TPS.
    _tps(operation, tree.sirimau, Vulnerability.KURANG_RAWAN, 17)  # 3 groups -> 6
    _tps(operation, tree.sirimau, Vulnerability.RAWAN, 3)  # 2 groups -> 4
    _tps(operation, tree.nusaniwe, Vulnerability.KURANG_RAWAN, 8)  # 1 group -> 2
    _tps(operation, tree.nusaniwe, Vulnerability.SANGAT_RAWAN, 2)  # -> 4
    _tps(operation, tree.labuan, Vulnerability.RAWAN, 10)  # outside Ambon
    by_level = tps_requirement_by_level(operation, tree.ambon)
    assert by_level == {
        "kurang_rawan": {"tps": 25, "police_required": 8},
        "rawan": {"tps": 3, "police_required": 4},
        "sangat_rawan": {"tps": 2, "police_required": 4},
    }


def test_unit_pattern_overrides_default_in_its_subtree(tree, operation):
    SecurityPattern.objects.create(
        operation=operation,
        unit=tree.ambon,
        vulnerability=Vulnerability.KURANG_RAWAN,
        police=2,
        tps_per_group=4,
    )
    _tps(operation, tree.sirimau, Vulnerability.KURANG_RAWAN, 8)  # Ambon's 2-4: 4
    _tps(operation, tree.labuan, Vulnerability.KURANG_RAWAN, 8)  # default 2-8: 2
    assert tps_requirement_by_level(operation, tree.ambon)["kurang_rawan"] == {
        "tps": 8,
        "police_required": 4,
    }
    national = tps_requirement_by_level(operation, tree.mabes)["kurang_rawan"]
    assert national == {"tps": 16, "police_required": 6}


def test_requirement_by_child_rolls_up_to_polda(tree, operation):
    _tps(operation, tree.sirimau, Vulnerability.RAWAN, 4)  # 4
    _tps(operation, tree.sinjai_utara, Vulnerability.KHUSUS, 1)  # 2
    by_child = tps_requirement_by_child(operation, tree.mabes)
    assert by_child == {
        tree.maluku.pk: {"tps": 4, "police_required": 4},
        tree.sulsel.pk: {"tps": 1, "police_required": 2},
    }


def test_requirement_query_count_constant(tree, operation):
    _tps(operation, tree.sirimau, Vulnerability.RAWAN, 4)
    with CaptureQueriesContext(connection) as small:
        tps_requirement_by_level(operation, tree.mabes)
        tps_requirement_by_child(operation, tree.mabes)
    for i in range(30):
        polsek = builders.unit(f"POLSEK-GEN-{i}", UnitKind.POLSEK, tree.sinjai)
        _tps(operation, polsek, Vulnerability.KURANG_RAWAN, 5)
    with CaptureQueriesContext(connection) as large:
        tps_requirement_by_level(operation, tree.mabes)
        tps_requirement_by_child(operation, tree.mabes)
    assert len(small.captured_queries) == len(large.captured_queries) == 2


def test_requirement_by_group_keys_children_and_own_posts_by_path(tree, operation):
    SecurityPattern.objects.create(
        operation=operation,
        unit=tree.ambon,
        vulnerability=Vulnerability.KURANG_RAWAN,
        police=2,
        tps_per_group=4,
    )
    _tps(operation, tree.sirimau, Vulnerability.KURANG_RAWAN, 8)  # Ambon's 2-4: 4
    _tps(operation, tree.nusaniwe, Vulnerability.RAWAN, 3)  # 2-2: 4
    _tps(operation, tree.ambon, Vulnerability.SANGAT_RAWAN, 1)  # the Polres' own: 2
    _tps(operation, tree.labuan, Vulnerability.RAWAN, 10)  # outside
    assert tps_requirement_by_group(operation, tree.ambon) == {
        tree.sirimau.path: {"kurang_rawan": {"tps": 8, "police_required": 4}},
        tree.nusaniwe.path: {"rawan": {"tps": 3, "police_required": 4}},
        tree.ambon.path: {"sangat_rawan": {"tps": 1, "police_required": 2}},
    }
    national = tps_requirement_by_group(operation, tree.mabes)
    assert national == {
        tree.maluku.path: {
            "kurang_rawan": {"tps": 8, "police_required": 4},
            "rawan": {"tps": 3, "police_required": 4},
            "sangat_rawan": {"tps": 1, "police_required": 2},
        },
        tree.banten.path: {"rawan": {"tps": 10, "police_required": 10}},
    }


def test_requirement_without_pattern_for_a_level_is_zero(tree, operation):
    SecurityPattern.objects.filter(operation=operation, vulnerability="khusus").delete()
    _tps(operation, tree.sirimau, Vulnerability.KHUSUS, 2)
    assert tps_requirement_by_level(operation, tree.ambon) == {
        "khusus": {"tps": 2, "police_required": 0}
    }
