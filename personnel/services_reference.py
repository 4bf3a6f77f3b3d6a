"""The admin's remaining writes to personnel records: ranks, a warrant's own fields,
deleting a warrant, a person or an apel. One transaction each, the right checked here, audited.

Issuing a warrant with its assignments, adding people and recording an apel are in
personnel.services.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import delete_audited, save_audited
from pamilu.actors import Actor, ChannelName
from pamilu.scoping import can_deploy, can_manage_unit, check_write_for_unit
from personnel import coverage_counts
from personnel.models import Apel, Personnel, Rank, Warrant


def _check_warrant(by: Actor, warrant: Warrant) -> None:
    if warrant.pk is not None:
        stored = Warrant.objects.select_related("issuing_unit").filter(pk=warrant.pk).first()
        if stored is not None:
            check_write_for_unit(by, stored.issuing_unit)
    check_write_for_unit(by, warrant.issuing_unit)


@transaction.atomic
def warrant_save(*, warrant: Warrant, by: Actor, channel: ChannelName) -> Warrant:
    """Create a warrant without assignments, or change one's number, date or subject (its
    assignments are added by personnel.services.assignment_add)."""
    _check_warrant(by, warrant)
    action = "warrant.update" if warrant.pk else "warrant.create"
    return save_audited(warrant, by=by, channel=channel, action=action)


@transaction.atomic
def warrant_delete(*, warrant: Warrant, by: Actor, channel: ChannelName) -> None:
    """Delete a warrant and its assignments (the database refuses one whose people are
    deployed); the police available follow (personnel.coverage_counts)."""
    _check_warrant(by, warrant)
    people = sorted(set(warrant.assignments.values_list("personnel_id", flat=True)))
    pending = [coverage_counts.person_change(personnel_id=person) for person in people]
    delete_audited(
        warrant, by=by, channel=channel, action="warrant.delete", unit=warrant.issuing_unit
    )
    for change in pending:
        change.apply()


@transaction.atomic
def personnel_delete(*, person: Personnel, by: Actor, channel: ChannelName) -> None:
    """Delete a person's record; the database refuses one named in a warrant (so the
    police available do not change)."""
    check_write_for_unit(by, person.unit)
    delete_audited(person, by=by, channel=channel, action="personnel.delete")


@transaction.atomic
def apel_delete(*, apel: Apel, by: Actor, channel: ChannelName) -> None:
    """Delete a recorded apel (who may record one may delete it)."""
    if not can_deploy(by, apel.unit):
        raise PermissionDenied(_("Anda tidak berwenang mencatat apel untuk satuan ini."))
    delete_audited(apel, by=by, channel=channel, action="apel.delete")


def _check_rank(by: Actor) -> None:
    # The list of ranks is the same for the whole country: a nationwide administrator's.
    if not can_manage_unit(by, None):
        raise PermissionDenied(_("Hanya administrator pusat yang dapat mengubah daftar pangkat."))


@transaction.atomic
def rank_save(*, rank: Rank, by: Actor, channel: ChannelName) -> Rank:
    """Create or change a rank (pangkat) of the national list."""
    _check_rank(by)
    action = "rank.update" if rank.pk else "rank.create"
    return save_audited(rank, by=by, channel=channel, action=action)


@transaction.atomic
def rank_delete(*, rank: Rank, by: Actor, channel: ChannelName) -> None:
    """Delete a rank nobody holds (the database protects one in use)."""
    _check_rank(by)
    delete_audited(rank, by=by, channel=channel, action="rank.delete")
