import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from pamilu import actors
from personnel.models import Assignment, Personnel, Rank
from personnel.services import assignment_add, personnel_create, warrant_issue
from tests import builders


@pytest.mark.parametrize("nrp", ["1234567", "123456789", "1234567a", "abcdefgh"])
def test_nrp_must_be_eight_digits(tree, nrp):
    with pytest.raises(ValidationError) as excinfo:
        builders.person(tree.sirimau, nrp=nrp)
    assert "nrp" in excinfo.value.message_dict


def test_nrp_format_enforced_by_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Personnel.objects.create(
            nrp="12AB5678", name="x", rank=Rank.objects.get(code="BRIPDA"), unit=tree.sirimau
        )


def test_nip_must_be_eighteen_digits(tree):
    with pytest.raises(ValidationError) as excinfo:
        builders.person(tree.sirimau, rank="III/a", nip="12345")
    assert "nip" in excinfo.value.message_dict


def test_civil_staff_with_nip(tree):
    person = builders.person(tree.sirimau, rank="III/a", nip="198001012010011001")
    assert person.identifier == "198001012010011001"
    assert person.nrp is None


def test_exactly_one_identifier(tree):
    rank = Rank.objects.get(code="BRIPDA")
    with pytest.raises(ValidationError):
        Personnel(name="x", rank=rank, unit=tree.sirimau).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Personnel.objects.create(
            nrp="12345678", nip="198001012010011001", name="x", rank=rank, unit=tree.sirimau
        )


def test_nrp_unique(tree):
    builders.person(tree.sirimau, nrp="85031234")
    with pytest.raises(ValidationError) as excinfo:
        builders.person(tree.labuan, nrp="85031234")
    assert "nrp" in excinfo.value.message_dict


def test_police_rank_required_for_nrp(tree):
    with pytest.raises(ValidationError) as excinfo:
        personnel_create(
            name="x",
            rank=Rank.objects.get(code="III/a"),
            unit=tree.sirimau,
            nrp="85031234",
            by=actors.SYSTEM,
            channel="system",
        )
    assert "rank" in excinfo.value.message_dict


def test_ranks_ordered_lowest_first(db):
    codes = list(Rank.objects.exclude(group="pns").values_list("code", flat=True))
    assert codes[0] == "BHARADA"
    assert codes.index("AIPTU") < codes.index("IPDA") < codes.index("AKP") < codes.index("KOMPOL")
    assert codes[-1] == "JENDERAL"
    assert len(codes) == 22


def _warrant(tree, operation, number="Sprin/2439/VIII/OPS.1.1/2023"):
    return warrant_issue(
        number=number,
        date=dt.date(2023, 8, 1),
        issuing_unit=tree.ambon,
        operation=operation,
        by=actors.SYSTEM,
        channel="system",
    )


def test_warrant_number_format(tree, operation):
    with pytest.raises(ValidationError) as excinfo:
        _warrant(tree, operation, number="Sprin/2439/13/OPS/2023")
    assert "number" in excinfo.value.message_dict


def test_bko_marked_when_serving_outside_home_unit(tree, operation):
    warrant = _warrant(tree, operation)
    own = builders.person(tree.sirimau)
    lent = builders.person(tree.maluku)
    a_own = assignment_add(
        warrant=warrant, personnel=own, unit=tree.sirimau, by=actors.SYSTEM, channel="system"
    )
    a_lent = assignment_add(
        warrant=warrant, personnel=lent, unit=tree.ambon, by=actors.SYSTEM, channel="system"
    )
    assert a_own.is_bko is False
    assert a_lent.is_bko is True
    assert a_lent.home_unit == tree.maluku
    assert list(Assignment.objects.filter(is_bko=True)) == [a_lent]


def test_bko_flag_must_match_units_in_database(tree, operation):
    warrant = _warrant(tree, operation)
    person = builders.person(tree.sirimau)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            warrant=warrant,
            personnel=person,
            operation=operation,
            unit=tree.sirimau,
            home_unit=tree.sirimau,
            is_bko=True,
        )


def test_person_assigned_once_per_operation(tree, operation):
    first = _warrant(tree, operation)
    second = _warrant(tree, operation, number="Sprin/2440/VIII/OPS.1.1/2023")
    person = builders.person(tree.sirimau)
    assignment_add(
        warrant=first, personnel=person, unit=tree.sirimau, by=actors.SYSTEM, channel="system"
    )
    with pytest.raises(ValidationError):
        assignment_add(
            warrant=second, personnel=person, unit=tree.nusaniwe, by=actors.SYSTEM, channel="system"
        )
    assert Assignment.objects.filter(personnel=person).count() == 1


def test_ranks_restored_after_flush(transactional_db):
    call_command("flush", interactive=False, verbosity=0)
    assert Rank.objects.filter(code="BRIPDA").exists()
    assert Rank.objects.count() == 22 + 17
