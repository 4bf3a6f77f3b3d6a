import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from pamilu.scoping import can_review_unit, get_in_scope_or_404, scope, visible_units
from personnel.models import Personnel
from tests import builders


def _codes(qs):
    return set(qs.values_list("code", flat=True))


def test_operator_sees_only_own_unit(personas, tree):
    assert _codes(visible_units(personas.kapolsek_a)) == {"POLSEK-SIRIMAU"}


def test_reviewer_sees_own_subtree(personas):
    assert _codes(visible_units(personas.reviewer)) == {
        "POLRESTA-AMBON",
        "POLSEK-SIRIMAU",
        "POLSEK-NUSANIWE",
    }


def test_polda_command_center_sees_polda_subtree_only(personas):
    codes = _codes(visible_units(personas.command_center))
    assert "POLSEK-SIRIMAU" in codes
    assert "POLSEK-LABUAN" not in codes
    assert "MABES" not in codes


def test_administrator_sees_everything(personas, tree):
    assert visible_units(personas.admin).count() == 11


def test_anonymous_sees_nothing(db):
    assert visible_units(AnonymousUser()).count() == 0


def test_scope_filters_rows_by_unit(personas, tree):
    mine = builders.person(tree.sirimau)
    builders.person(tree.nusaniwe)
    builders.person(tree.labuan)
    assert list(scope(personas.kapolsek_a, Personnel.objects.all())) == [mine]
    assert scope(personas.reviewer, Personnel.objects.all()).count() == 2
    assert scope(personas.outsider, Personnel.objects.all()).count() == 1


def test_out_of_scope_is_404(personas, tree):
    other = builders.person(tree.labuan)
    with pytest.raises(Http404):
        get_in_scope_or_404(personas.reviewer, Personnel.objects.all(), pk=other.pk)


def test_reviewer_reviews_only_units_strictly_below(personas, tree):
    assert can_review_unit(personas.reviewer, tree.sirimau)
    assert not can_review_unit(personas.reviewer, tree.ambon)
    assert not can_review_unit(personas.reviewer, tree.labuan)
    assert not can_review_unit(personas.kapolsek_a, tree.sirimau)
    assert not can_review_unit(personas.command_center, tree.sirimau)
