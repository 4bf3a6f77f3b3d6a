"""Proposed plotting: a Polres's unassigned TPS, grouped by the pattern, with its available police.

`propose` only reads; a person reviews the proposal and
`personnel.services_plotting.plotting_confirm` writes it (TPS groups and deployments, in
one transaction). Nobody is proposed twice, so a
confirmed proposal never double-books; a person already deployed during the span is not
available.

Grouping: the TPS of one responsible unit (Polsek) and one vulnerability level are cut into
groups of the pattern's `tps_per_group`, nearest first: each group starts from the
north-westernmost TPS left and takes the TPS nearest to it. Each group needs the pattern's
`police`; the most vulnerable groups are staffed first, from the Polsek's own personnel,
then the Polres's own, then BKO personnel. A group that cannot be fully staffed is left
out (listed as uncovered), never staffed below the pattern.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from operations import tree
from operations.models import Operation, Post, PostKind, SecurityPattern, Unit, Vulnerability
from personnel.models import Assignment, Deployment, PostGroupMember, RankGroup

# Most vulnerable first: they get personnel before the others when there are too few.
LEVEL_PRIORITY = [
    Vulnerability.SANGAT_RAWAN,
    Vulnerability.KHUSUS,
    Vulnerability.RAWAN,
    Vulnerability.KURANG_RAWAN,
]


@dataclass
class ProposedGroup:
    unit_id: int
    unit_name: str
    vulnerability: str
    notation: str
    post_ids: list[int]
    post_codes: list[str]
    assignment_ids: list[int] = field(default_factory=list)
    personnel_labels: list[str] = field(default_factory=list)
    bko: int = 0

    @property
    def staffed(self) -> bool:
        return bool(self.assignment_ids)

    @property
    def vulnerability_label(self) -> str:
        return Vulnerability(self.vulnerability).label


@dataclass
class Proposal:
    operation: Operation
    polres: Unit
    starts_at: dt.datetime
    ends_at: dt.datetime
    groups: list[ProposedGroup]
    available: int

    @property
    def staffed(self) -> list[ProposedGroup]:
        return [g for g in self.groups if g.staffed]

    @property
    def unstaffed(self) -> list[ProposedGroup]:
        return [g for g in self.groups if not g.staffed]

    @property
    def police(self) -> int:
        return sum(len(g.assignment_ids) for g in self.groups)

    @property
    def tps_covered(self) -> int:
        return sum(len(g.post_ids) for g in self.staffed)

    @property
    def tps_uncovered(self) -> int:
        return sum(len(g.post_ids) for g in self.unstaffed)

    def plan(self) -> str:
        """The staffed groups as JSON, for the confirmation form."""
        return json.dumps(
            [
                {
                    "unit": g.unit_id,
                    "level": g.vulnerability,
                    "posts": g.post_ids,
                    "staff": g.assignment_ids,
                }
                for g in self.staffed
            ],
            separators=(",", ":"),
        )


def pattern_for(patterns: list[SecurityPattern], unit: Unit, level: str) -> SecurityPattern | None:
    """The most specific pattern for TPS of `level` under `unit` (the rule of
    operations.selectors.tps_requirement_*: deepest unit whose subtree holds it, else default)."""
    best = None
    best_depth = -2
    for pattern in patterns:
        if pattern.vulnerability != level:
            continue
        if pattern.unit_id is None:
            depth = -1
        elif unit.path.startswith(pattern.unit.path):
            depth = pattern.unit.depth
        else:
            continue
        if depth > best_depth:
            best, best_depth = pattern, depth
    return best


def unassigned_tps(operation: Operation, polres: Unit):
    """TPS below `polres` not yet in a group and with nobody deployed there directly."""
    return (
        Post.objects.filter(tree.subtree_q(polres, "unit"), operation=operation, kind=PostKind.TPS)
        .exclude(Exists(PostGroupMember.objects.filter(post=OuterRef("pk"))))
        .exclude(Exists(Deployment.objects.filter(post=OuterRef("pk"))))
    )


def available_assignments(
    operation: Operation, polres: Unit, starts_at: dt.datetime, ends_at: dt.datetime
):
    """Police serving the operation under `polres` (own and BKO), free for the whole span."""
    busy = Deployment.objects.filter(
        personnel=OuterRef("personnel"), starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    return (
        Assignment.objects.filter(
            tree.subtree_q(polres, "unit"), operation=operation, personnel__is_active=True
        )
        .exclude(personnel__rank__group=RankGroup.PNS)
        .exclude(Exists(busy))
        .select_related("personnel__rank", "unit")
    )


def _distance(a: Post, b: Post) -> float:
    if a.latitude is None or b.latitude is None:
        return math.inf
    dlat = float(a.latitude) - float(b.latitude)
    dlng = (float(a.longitude) - float(b.longitude)) * math.cos(math.radians(float(a.latitude)))
    return dlat * dlat + dlng * dlng


def _nearest_groups(posts: list[Post], size: int) -> list[list[Post]]:
    """Cut `posts` into groups of `size`: each seeded at the north-westernmost TPS left,
    filled with the TPS nearest to the seed (code order breaks ties and missing coordinates)."""
    left = sorted(
        posts,
        key=lambda p: (
            p.latitude is None,
            -float(p.latitude or 0),
            float(p.longitude or 0),
            p.code,
        ),
    )
    groups = []
    while left:
        seed = left[0]
        rest = sorted(left[1:], key=lambda p: (_distance(seed, p), p.code))
        group = [seed, *rest[: size - 1]]
        chosen = {p.pk for p in group}
        left = [p for p in left if p.pk not in chosen]
        groups.append(group)
    return groups


def propose(
    operation: Operation, polres: Unit, starts_at: dt.datetime, ends_at: dt.datetime
) -> Proposal:
    """A plotting of `polres`'s unassigned TPS for [starts_at, ends_at). Reads only."""
    patterns = list(SecurityPattern.objects.filter(operation=operation).select_related("unit"))
    by_cell: dict[tuple[int, str], list[Post]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for post in unassigned_tps(operation, polres).select_related("unit"):
        by_cell[(post.unit_id, post.vulnerability)].append(post)
        units[post.unit_id] = post.unit

    groups: list[tuple[ProposedGroup, int]] = []  # (group, police needed)
    for (unit_id, level), posts in by_cell.items():
        pattern = pattern_for(patterns, units[unit_id], level)
        if pattern is None:
            continue  # no pattern for this level: nothing is required
        for chunk in _nearest_groups(posts, pattern.tps_per_group):
            groups.append(
                (
                    ProposedGroup(
                        unit_id=unit_id,
                        unit_name=units[unit_id].name,
                        vulnerability=level,
                        notation=pattern.notation,
                        post_ids=[p.pk for p in chunk],
                        post_codes=[p.code for p in chunk],
                    ),
                    pattern.police,
                )
            )
    groups.sort(
        key=lambda g: (
            LEVEL_PRIORITY.index(g[0].vulnerability),
            units[g[0].unit_id].path,
            g[0].post_codes[0],
        )
    )

    # Pools of available police. Own personnel before BKO, the Polsek's before the Polres's.
    own: dict[int, list[Assignment]] = defaultdict(list)
    lent: dict[int, list[Assignment]] = defaultdict(list)
    assignments = list(
        available_assignments(operation, polres, starts_at, ends_at).order_by(
            "-personnel__rank__order", "personnel__name", "pk"
        )
    )
    for assignment in assignments:
        (lent if assignment.is_bko else own)[assignment.unit_id].append(assignment)
    # Lowest ranks stand at the TPS first (pop() takes from the end); seniors stay for command.
    for pool in (*own.values(), *lent.values()):
        pool.reverse()

    for group, needed in groups:
        pools = [own[group.unit_id], own[polres.pk], lent[group.unit_id], lent[polres.pk]]
        if group.unit_id == polres.pk:
            pools = pools[1:2] + pools[3:]
        if sum(len(pool) for pool in pools) < needed:
            continue
        for _seat in range(needed):
            pool = next(p for p in pools if p)
            assignment = pool.pop()
            group.assignment_ids.append(assignment.pk)
            group.personnel_labels.append(str(assignment.personnel))
            group.bko += assignment.is_bko
    return Proposal(
        operation=operation,
        polres=polres,
        starts_at=starts_at,
        ends_at=ends_at,
        groups=[g for g, _n in groups],
        available=len(assignments),
    )
