import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.services import entries_for
from operations.models import TimeZone, Unit, UnitKind
from operations.services import post_create, post_update, unit_create, unit_update
from pamilu import actors
from tests import builders


def test_child_inherits_polda_time_zone(tree):
    assert tree.sirimau.time_zone == TimeZone.WIT
    assert tree.sinjai_utara.time_zone == TimeZone.WITA
    assert tree.labuan.time_zone == TimeZone.WIB


def test_child_keeps_explicit_time_zone(tree):
    polsek = builders.unit("POLSEK-X", UnitKind.POLSEK, tree.ambon, time_zone=TimeZone.WITA)
    assert polsek.time_zone == TimeZone.WITA


def test_unit_code_unique(tree):
    with pytest.raises(ValidationError) as excinfo:
        builders.unit("POLSEK-SIRIMAU", UnitKind.POLSEK, tree.ambon)
    assert "code" in excinfo.value.message_dict


def test_unit_code_unique_in_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(
            code="POLSEK-SIRIMAU",
            name="dup",
            kind=UnitKind.POLSEK,
            parent=tree.ambon,
            path="X/",
            depth=3,
            time_zone=TimeZone.WIT,
        )


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        (UnitKind.POLDA, "sirimau"),  # a Polsek cannot be the parent of a Polda
        (UnitKind.POLRES, "sinjai"),  # nor a Polres of a Polres
        (UnitKind.POLDA, "ambon"),
        (UnitKind.MABES, "mabes"),
    ],
)
def test_kinds_order_enforced(tree, kind, parent_attr):
    with pytest.raises(ValidationError) as excinfo:
        builders.unit("BAD", kind, getattr(tree, parent_attr))
    assert "parent" in excinfo.value.message_dict
    assert not Unit.objects.filter(code="BAD").exists()


def test_non_mabes_needs_parent(db):
    with pytest.raises(ValidationError):
        builders.unit("POLDA-ORPHAN", UnitKind.POLDA, None, time_zone=TimeZone.WIB)


def test_only_mabes_is_root_in_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(
            code="P", name="p", kind=UnitKind.POLDA, path="P/", depth=0, time_zone="Asia/Jakarta"
        )


def test_subtree_contains_exactly_the_descendants(tree):
    codes = set(tree.ambon.subtree().values_list("code", flat=True))
    assert codes == {"POLRESTA-AMBON", "POLSEK-SIRIMAU", "POLSEK-NUSANIWE"}
    assert set(tree.ambon.subtree(include_self=False).values_list("code", flat=True)) == {
        "POLSEK-SIRIMAU",
        "POLSEK-NUSANIWE",
    }


def _grow(polres: Unit, n: int) -> None:
    for i in range(n):
        builders.unit(f"{polres.code}-S{i}", UnitKind.POLSEK, polres)


def test_subtree_query_count_constant_as_tree_grows(tree):
    def count_for(unit):
        with CaptureQueriesContext(connection) as ctx:
            rows = list(unit.subtree())
        return len(ctx.captured_queries), len(rows)

    small_queries, small_rows = count_for(tree.maluku)
    _grow(tree.ambon, 40)
    extra_polres = builders.unit("POLRES-MALUKU-TENGAH", UnitKind.POLRES, tree.maluku)
    _grow(extra_polres, 40)
    large_queries, large_rows = count_for(tree.maluku)
    assert small_queries == large_queries == 1
    assert large_rows == small_rows + 81


def test_ancestors_root_first(tree):
    assert [u.code for u in tree.sirimau.ancestors()] == ["MABES", "POLDA-MALUKU", "POLRESTA-AMBON"]


def test_moving_a_polres_rewrites_its_subtree_paths(tree):
    unit_update(unit=tree.ambon, parent=tree.sulsel, by=actors.SYSTEM, channel="system")
    tree.sirimau.refresh_from_db()
    assert tree.sirimau.path == "MABES/POLDA-SULSEL/POLRESTA-AMBON/POLSEK-SIRIMAU/"
    assert tree.sirimau.depth == 3
    assert set(tree.sulsel.subtree().values_list("code", flat=True)) >= {"POLSEK-SIRIMAU"}


def test_unit_cannot_move_below_itself(tree):
    with pytest.raises(ValidationError):
        unit_update(unit=tree.maluku, parent=tree.ambon, by=actors.SYSTEM, channel="system")


def test_unit_create_is_audited(tree):
    unit = unit_create(
        code="POLSEK-BAGUALA",
        name="Polsek Baguala",
        kind=UnitKind.POLSEK,
        parent=tree.ambon,
        by=actors.SYSTEM,
        channel="system",
    )
    assert [e.action for e in entries_for(unit)] == ["unit.create"]


def test_operation_day_number(operation):
    assert operation.day_number(dt.date(2024, 1, 1)) == 1
    assert operation.day_number(dt.date(2024, 2, 6)) == 37
    assert operation.day_number(dt.date(2023, 12, 31)) is None


def test_security_pattern_required_police_rounds_up_groups(operation):
    pattern = operation.security_patterns.get(vulnerability="kurang_rawan")
    assert pattern.notation == "2-8-0"
    assert pattern.required_police(8) == 2
    assert pattern.required_police(9) == 4
    assert pattern.required_police(0) == 0


def test_post_update_audits_the_diff(tree, operation):
    post = post_create(
        operation=operation,
        unit=tree.sirimau,
        kind="tps",
        code="8171010001001",
        name="TPS 001",
        vulnerability="rawan",
        by=actors.SYSTEM,
        channel="system",
    )
    post_update(
        post=post, vulnerability="sangat_rawan", voters=250, by=actors.SYSTEM, channel="system"
    )
    created, updated = sorted(entries_for(post), key=lambda e: e.pk)
    assert created.action == "post.create"
    assert created.changes["vulnerability"] == "rawan"
    assert updated.changes == {"vulnerability": ["rawan", "sangat_rawan"], "voters": [0, 250]}
