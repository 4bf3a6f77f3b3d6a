import json
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from operations import counts
from operations.models import Post, PostKind, SecurityPattern, UnitKind, Vulnerability
from operations.selectors import tps_requirement_by_level
from operations.tree import in_subtree
from pamilu import actors
from personnel import plotting, services_plotting
from personnel.models import Assignment, Deployment, Personnel, PostGroup, Rank
from personnel.selectors import coverage
from personnel.services import deployment_cancel, deployment_create
from tests import builders
from tests.builders import assigned, at, tps, warrant

SPAN = (at(13, 22), at(14, 10))  # voting day, 07:00-19:00 WIT
MIX = [
    (Vulnerability.KURANG_RAWAN, 860),
    (Vulnerability.RAWAN, 100),
    (Vulnerability.SANGAT_RAWAN, 30),
    (Vulnerability.KHUSUS, 10),
]


def _generated_polres(tree, operation, *, police: int, bko: int):
    """A Polres of 1,000 TPS over 5 Polsek (random places), `police` own personnel spread over
    its Polsek and Polres, and `bko` personnel lent by the Polda."""
    polres = builders.unit("POLRES-GEN", UnitKind.POLRES, tree.maluku, subtype="polres")
    polseks = [builders.unit(f"POLSEK-GEN-{i}", UnitKind.POLSEK, polres) for i in range(5)]
    rng = random.Random(7)
    posts = []
    number = 0
    for level, count in MIX:
        for _ in range(count):
            number += 1
            polsek = polseks[number % 5]
            posts.append(
                Post(
                    operation=operation,
                    unit=polsek,
                    kind=PostKind.TPS,
                    code=f"GEN-{number:04d}",
                    name=f"TPS {number:03d}",
                    vulnerability=level,
                    latitude=-3.6 + rng.uniform(-0.2, 0.2),
                    longitude=128.2 + rng.uniform(-0.2, 0.2),
                )
            )
    counts.posts_added(Post.objects.bulk_create(posts))  # the maintained TPS counts
    rank = Rank.objects.get(code="BRIPTU")
    serve = [*polseks, polres]
    people = [
        Personnel(nrp=f"{70000000 + i:08d}", name=f"Anggota {i}", rank=rank, unit=serve[i % 6])
        for i in range(police)
    ] + [
        Personnel(nrp=f"{71000000 + i:08d}", name=f"BKO {i}", rank=rank, unit=tree.maluku)
        for i in range(bko)
    ]
    Personnel.objects.bulk_create(people)
    sprin = warrant(operation, polres)
    Assignment.objects.bulk_create(
        Assignment(
            warrant=sprin,
            personnel=p,
            operation=operation,
            unit=p.unit if p.unit != tree.maluku else polres,
            home_unit=p.unit,
            is_bko=p.unit == tree.maluku,
        )
        for p in Personnel.objects.filter(nrp__startswith="7")
    )
    return polres


def _check_respects_pattern(proposal, operation):
    patterns = {p.vulnerability: p for p in SecurityPattern.objects.filter(operation=operation)}
    used = Counter(aid for g in proposal.groups for aid in g.assignment_ids)
    assert all(n == 1 for n in used.values()), "someone proposed twice"
    for group in proposal.groups:
        pattern = patterns[group.vulnerability]
        assert 1 <= len(group.post_ids) <= pattern.tps_per_group
        assert len(group.assignment_ids) in (0, pattern.police)
    levels = Post.objects.filter(pk__in=[p for g in proposal.groups for p in g.post_ids])
    by_pk = dict(levels.values_list("pk", "vulnerability"))
    units = dict(levels.values_list("pk", "unit_id"))
    for group in proposal.groups:
        assert {by_pk[p] for p in group.post_ids} == {group.vulnerability}
        assert {units[p] for p in group.post_ids} == {group.unit_id}


def test_proposal_for_1000_tps_staffs_every_group_by_the_pattern(
    tree, operation, django_assert_max_num_queries
):
    polres = _generated_polres(tree, operation, police=380, bko=40)
    # Its cost follows the Polres, not its TPS: a fixed number of queries, none per post.
    with django_assert_max_num_queries(3):
        proposal = plotting.propose(operation, polres, *SPAN)
    assert sum(len(g.post_ids) for g in proposal.groups) == 1000
    assert len({p for g in proposal.groups for p in g.post_ids}) == 1000
    _check_respects_pattern(proposal, operation)
    required = tps_requirement_by_level(operation, polres)
    police_by_level = Counter()
    for group in proposal.groups:
        police_by_level[group.vulnerability] += len(group.assignment_ids)
    assert dict(police_by_level) == {k: v["police_required"] for k, v in required.items()}
    assert proposal.police == sum(v["police_required"] for v in required.values())
    assert proposal.tps_uncovered == 0
    # Own personnel first: BKO only fill what the own could not.
    own_used = sum(len(g.assignment_ids) - g.bko for g in proposal.groups)
    assert own_used == 380
    assert sum(g.bko for g in proposal.groups) == proposal.police - 380


def test_proposal_groups_nearest_tps(tree, operation):
    polres = _generated_polres(tree, operation, police=0, bko=0)
    proposal = plotting.propose(operation, polres, *SPAN)
    posts = {p.pk: p for p in in_subtree(Post.objects.all(), polres)}

    def spread(groups):
        total = 0.0
        for ids in groups:
            lats = [float(posts[i].latitude) for i in ids]
            lngs = [float(posts[i].longitude) for i in ids]
            total += (max(lats) - min(lats)) + (max(lngs) - min(lngs))
        return total

    kr = [g.post_ids for g in proposal.groups if g.vulnerability == Vulnerability.KURANG_RAWAN]
    rng = random.Random(1)
    shuffled = [pid for g in kr for pid in g]
    rng.shuffle(shuffled)
    random_groups = [shuffled[i : i + 8] for i in range(0, len(shuffled), 8)]
    assert spread(kr) < spread(random_groups) / 2


def test_proposal_scarce_personnel_staffs_most_vulnerable_first(tree, operation):
    polres = _generated_polres(tree, operation, police=150, bko=10)
    proposal = plotting.propose(operation, polres, *SPAN)
    _check_respects_pattern(proposal, operation)
    assert proposal.police == 160  # every available person, in whole pattern groups
    staffed_levels = {g.vulnerability for g in proposal.staffed}
    unstaffed_levels = {g.vulnerability for g in proposal.unstaffed}
    assert Vulnerability.SANGAT_RAWAN in staffed_levels
    assert Vulnerability.KHUSUS in staffed_levels
    assert Vulnerability.SANGAT_RAWAN not in unstaffed_levels
    assert Vulnerability.KHUSUS not in unstaffed_levels
    # Within a Polsek, no group is left unstaffed while a less vulnerable one is staffed.
    rank = plotting.LEVEL_PRIORITY.index
    for unstaffed in proposal.unstaffed:
        for staffed in proposal.staffed:
            if staffed.unit_id == unstaffed.unit_id:
                assert rank(staffed.vulnerability) <= rank(unstaffed.vulnerability)
    assert proposal.tps_uncovered > 0


def test_proposal_skips_personnel_already_deployed_in_the_span(tree, operation):
    polres = _generated_polres(tree, operation, police=12, bko=0)
    busy = in_subtree(Assignment.objects.all(), polres).first()
    (elsewhere,) = tps(operation, busy.unit, Vulnerability.RAWAN, 1, prefix="X")
    deployment_create(
        assignment=busy,
        post=elsewhere,
        starts_at=at(14, 0),
        ends_at=at(14, 2),
        by=actors.SYSTEM,
        channel="system",
    )
    proposal = plotting.propose(operation, polres, *SPAN)
    assert busy.pk not in {a for g in proposal.groups for a in g.assignment_ids}
    assert proposal.police == 10  # 11 free people, whole pairs only
    assert elsewhere.pk not in {p for g in proposal.groups for p in g.post_ids}


def test_confirm_creates_groups_and_deployments_never_double_booked(tree, operation):
    polres = _generated_polres(tree, operation, police=380, bko=40)
    proposal = plotting.propose(operation, polres, *SPAN)
    created = services_plotting.plotting_confirm(
        operation=operation,
        polres=polres,
        starts_at=SPAN[0],
        ends_at=SPAN[1],
        plan=proposal.plan(),
        by=actors.SYSTEM,
        channel="web",
    )
    assert created == proposal.police == Deployment.objects.count()
    assert PostGroup.objects.count() == len(proposal.groups)
    per_person = Counter(Deployment.objects.values_list("personnel_id", flat=True))
    assert max(per_person.values()) == 1
    result = coverage(operation, polres, span=SPAN)
    assert result.total.uncovered_tps == 0
    assert result.total.deployed == result.total.required == proposal.police
    # Nothing left to propose, and a second confirmation of the same plan is refused whole.
    assert plotting.propose(operation, polres, *SPAN).groups == []
    with pytest.raises(ValidationError):
        services_plotting.plotting_confirm(
            operation=operation,
            polres=polres,
            starts_at=SPAN[0],
            ends_at=SPAN[1],
            plan=proposal.plan(),
            by=actors.SYSTEM,
            channel="web",
        )
    assert Deployment.objects.count() == created


def test_confirm_refuses_whole_plan_on_clash(tree, operation):
    polres = _generated_polres(tree, operation, police=40, bko=0)
    proposal = plotting.propose(operation, polres, *SPAN)
    last = proposal.staffed[-1]
    busy = Assignment.objects.get(pk=last.assignment_ids[0])
    (elsewhere,) = tps(operation, busy.unit, Vulnerability.RAWAN, 1, prefix="X")
    deployment_create(
        assignment=busy,
        post=elsewhere,
        starts_at=at(14, 0),
        ends_at=at(14, 1),
        by=actors.SYSTEM,
        channel="system",
    )
    with pytest.raises(ValidationError) as excinfo:
        services_plotting.plotting_confirm(
            operation=operation,
            polres=polres,
            starts_at=SPAN[0],
            ends_at=SPAN[1],
            plan=proposal.plan(),
            by=actors.SYSTEM,
            channel="web",
        )
    assert busy.personnel.name in excinfo.value.messages[0]
    assert Deployment.objects.count() == 1
    assert PostGroup.objects.count() == 0


def test_confirm_refuses_plan_against_the_pattern(tree, operation):
    polres = _generated_polres(tree, operation, police=40, bko=0)
    proposal = plotting.propose(operation, polres, *SPAN)
    group = proposal.staffed[0]

    plan = json.dumps([{"posts": group.post_ids, "staff": group.assignment_ids[:1]}])
    with pytest.raises(ValidationError, match="pola"):
        services_plotting.plotting_confirm(
            operation=operation,
            polres=polres,
            starts_at=SPAN[0],
            ends_at=SPAN[1],
            plan=plan,
            by=actors.SYSTEM,
            channel="web",
        )


def test_confirm_refuses_tps_outside_polres(tree, operation):
    polres = _generated_polres(tree, operation, police=4, bko=0)
    outside = tps(operation, tree.labuan, Vulnerability.SANGAT_RAWAN, 1)
    person = assigned(operation, polres)

    plan = json.dumps([{"posts": [outside[0].pk], "staff": [person.pk]}])
    with pytest.raises(ValidationError):
        services_plotting.plotting_confirm(
            operation=operation,
            polres=polres,
            starts_at=SPAN[0],
            ends_at=SPAN[1],
            plan=plan,
            by=actors.SYSTEM,
            channel="web",
        )
    assert not Deployment.objects.exists()


def test_cancelling_a_groups_last_deployment_frees_its_tps(tree, operation):
    polres = _generated_polres(tree, operation, police=40, bko=0)
    proposal = plotting.propose(operation, polres, *SPAN)
    services_plotting.plotting_confirm(
        operation=operation,
        polres=polres,
        starts_at=SPAN[0],
        ends_at=SPAN[1],
        plan=proposal.plan(),
        by=actors.SYSTEM,
        channel="web",
    )
    group = PostGroup.objects.order_by("pk").first()
    members = set(group.posts.values_list("pk", flat=True))
    deployments = list(group.deployments.all())
    deployment_cancel(deployment=deployments[0], by=actors.SYSTEM, channel="system")
    assert PostGroup.objects.filter(pk=group.pk).exists()
    deployment_cancel(deployment=deployments[1], by=actors.SYSTEM, channel="system")
    assert not PostGroup.objects.filter(pk=group.pk).exists()
    again = plotting.propose(operation, polres, *SPAN)
    assert members <= {p for g in again.groups for p in g.post_ids}
