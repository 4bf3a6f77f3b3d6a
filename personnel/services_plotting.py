"""Writing a reviewed plotting proposal (personnel.plotting proposes; this confirms)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from operations import tree
from operations.models import Operation, SecurityPattern, Unit, Vulnerability
from pamilu.actors import Actor, ChannelName
from pamilu.scoping import check_deploy
from personnel.models import Assignment
from personnel.plotting import pattern_for, unassigned_tps
from personnel.services import deployment_create, post_group_create


@transaction.atomic
def plotting_confirm(
    *,
    operation: Operation,
    polres: Unit,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    plan: str,
    by: Actor,
    channel: ChannelName,
) -> int:
    """Create the reviewed plan's TPS groups and deployments, all or nothing.

    The plan is re-checked here (TPS still unassigned, under the Polres, group size and police
    by the pattern); any clash refuses the whole plan with the clash's message.
    Returns the number of deployments created.
    """
    check_deploy(by, polres)
    try:
        items = json.loads(plan)
    except ValueError as exc:
        raise ValidationError(_("Rencana plotting tidak terbaca.")) from exc
    if not isinstance(items, list):
        raise ValidationError(_("Rencana plotting tidak terbaca."))
    patterns = list(SecurityPattern.objects.filter(operation=operation).select_related("unit"))
    post_ids = [pid for item in items for pid in item.get("posts", [])]
    posts = {
        p.pk: p
        for p in unassigned_tps(operation, polres).filter(pk__in=post_ids).select_related("unit")
    }
    staff_ids = [sid for item in items for sid in item.get("staff", [])]
    if len(set(staff_ids)) != len(staff_ids):
        raise ValidationError(_("Seorang personel disebut dua kali dalam rencana."))
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(
            tree.subtree_q(polres, "unit"), pk__in=staff_ids, operation=operation
        ).select_related("personnel__rank", "unit", "operation")
    }
    created = 0
    for number, item in enumerate(items, start=1):
        named = [posts.get(pid) for pid in item.get("posts", [])]
        group_posts = [p for p in named if p is not None]
        if not group_posts or len(group_posts) != len(named):
            raise ValidationError(
                _("Kelompok %(n)s: sebagian TPS sudah dipetakan atau bukan wilayah %(unit)s.")
                % {"n": number, "unit": polres}
            )
        level = group_posts[0].vulnerability
        unit = group_posts[0].unit
        pattern = pattern_for(patterns, unit, level)
        named_staff = [assignments.get(sid) for sid in item.get("staff", [])]
        staff = [a for a in named_staff if a is not None]
        if len(staff) != len(named_staff):
            raise ValidationError(_("Kelompok %(n)s: personel tidak dikenal.") % {"n": number})
        if (
            pattern is None
            or len(group_posts) > pattern.tps_per_group
            or len(staff) != pattern.police
            or any(p.unit_id != unit.pk or p.vulnerability != level for p in group_posts)
        ):
            raise ValidationError(
                _("Kelompok %(n)s tidak sesuai pola pengamanan TPS.") % {"n": number}
            )
        codes = ", ".join(p.code for p in group_posts[:2])
        group = post_group_create(
            operation=operation,
            unit=unit,
            vulnerability=level,
            name=f"{unit.name} · {Vulnerability(level).label} · {codes}"
            + ("…" if len(group_posts) > 2 else ""),
            posts=group_posts,
            by=by,
            channel=channel,
        )
        for assignment in staff:
            deployment_create(
                assignment=assignment,
                group=group,
                starts_at=starts_at,
                ends_at=ends_at,
                note=_("Plotting usulan pola %s") % pattern.notation,
                by=by,
                channel=channel,
            )
            created += 1
    return created
