"""Sums of parts: what a summary adds up, built in full or changed one unit at a time.

`fold` adds every unit's part (a full build); `replace` takes some units' old parts out
and their new parts in (a late or corrected report). Both leave the same *accumulator*:
plain integer sums keyed by strings, with every zero entry removed, so that the same
reports give the same accumulator whichever way it was reached. `render` turns an
accumulator into the stored content (sorted lists, percentages, naik/turun).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from operations.models import Operation, TaskForce, Unit
from summaries.parts import NOTABLE_LIMIT, Part, child_key

Acc = dict[str, Any]


def empty(expected_units: int = 0) -> Acc:
    return {
        "tot": [0, 0, 0, 0],  # reports, personnel, activities, activity personnel
        "cat": {},
        "kind": {},
        "tf": {},
        "rep": [0, 0, 0],  # reported, late, returned (units that must report)
        "exc": {},  # unit id -> [path, code, name, kind, reported, late, returned]
        "rows": {},  # child path -> [code, name, expected units, reported, late, personnel,
        #                              activities, incidents]
        "prev": [0, 0],  # personnel, activities of the comparison period
        "pcat": {},
        "notable": [],
        "notable_more": False,
        "expected_units": expected_units,
    }


def _add_map(target: dict, source: dict, sign: int) -> int:
    """Add `source` (key -> list of ints) into `target`; drop entries whose first number
    is 0. Returns the sum of the first numbers added."""
    first = 0
    for key, values in source.items():
        current = target.get(key) or [0] * len(values)
        merged = [a + sign * b for a, b in zip(current, values, strict=True)]
        first += values[0]
        if merged[0]:
            target[key] = merged
        else:
            target.pop(key, None)
    return first


def _apply(acc: Acc, part: Part, meta: dict, row: list | None, sign: int) -> None:
    r = part.get("r", [0, 0, 0, 0])
    tot = acc["tot"]
    tot[0] += sign * r[0]
    tot[1] += sign * r[3]
    activities = _add_map(acc["kind"], part.get("a", {}), sign)
    tot[2] += sign * activities
    tot[3] += sign * sum(v[1] for v in part.get("a", {}).values())
    _add_map(acc["tf"], part.get("t", {}), sign)
    incidents = _add_map(acc["cat"], part.get("i", {}), sign)
    if meta["reporting"]:
        acc["rep"] = [a + sign * b for a, b in zip(acc["rep"], r[:3], strict=True)]
    if row is not None:
        row[3] += sign * r[0]
        row[4] += sign * r[1]
        row[5] += sign * r[3]
        row[6] += sign * activities
        row[7] += sign * incidents
    acc["prev"][0] += sign * part.get("pp", 0)
    acc["prev"][1] += sign * part.get("pa", 0)
    _add_map(acc["pcat"], part.get("pi", {}), sign)


def _exception(acc: Acc, unit_id: str, part: Part, meta: dict, days: int) -> None:
    acc["exc"].pop(unit_id, None)
    if not meta["reporting"]:
        return
    sent, late, returned = part.get("r", [0, 0, 0, 0])[:3]
    if sent < days or late or returned:
        acc["exc"][unit_id] = [
            meta["path"],
            meta["code"],
            meta["name"],
            meta["kind"],
            sent,
            late,
            returned,
        ]


def _new_row(child: dict) -> list:
    return [child["code"], child["name"], 0, 0, 0, 0, 0, 0]


def fold(
    parts: dict[str, Part], meta: dict[str, dict], scope_path: str, days: int, notable: list
) -> Acc:
    """The accumulator of a full build: every unit of the scope (`meta`) and its part."""
    by_path = {m["path"]: m for m in meta.values()}
    acc = empty(sum(1 for m in meta.values() if m["reporting"]))
    for unit_id, m in meta.items():
        part = parts.get(unit_id, {})
        row = None
        if part.get("r") or m["reporting"]:
            key = child_key(m["path"], scope_path)
            row = acc["rows"].get(key)
            if row is None:
                row = acc["rows"][key] = _new_row(by_path[key])
            if m["reporting"]:
                row[2] += 1
        if part:
            _apply(acc, part, m, row, 1)
        _exception(acc, unit_id, part, m, days)
    _set_notable(acc, notable)
    return acc


def _set_notable(acc: Acc, candidates: list) -> None:
    ordered = sorted(candidates, key=lambda e: (e[0], e[1], e[2]))
    acc["notable"] = ordered[:NOTABLE_LIMIT]
    acc["notable_more"] = len(ordered) > NOTABLE_LIMIT


def replace(
    acc: Acc,
    old: dict[str, Part],
    new: dict[str, Part],
    meta: dict[str, dict],
    children: dict[str, dict],
    scope_path: str,
    days: int,
    notable: list,
) -> bool:
    """Take the old parts of the units in `meta` out of `acc` and put their new parts in.

    `children` maps the child paths those units fall under to their code and name;
    `notable` holds the units' notable incidents now. Returns False when the notable
    list cannot be completed from what is known (the caller re-reads it)."""
    for unit_id, m in meta.items():
        before, after = old.get(unit_id, {}), new.get(unit_id, {})
        key = child_key(m["path"], scope_path)
        row = acc["rows"].get(key)
        if row is None and (before.get("r") or after.get("r")):
            row = acc["rows"][key] = _new_row(children[key])
        _apply(acc, before, m, row, -1)
        _apply(acc, after, m, row, 1)
        if row is not None and not (row[2] or row[3]):
            del acc["rows"][key]
        _exception(acc, unit_id, after, m, days)
    return _merge_notable(acc, {int(u) for u in meta}, notable)


def _merge_notable(acc: Acc, unit_ids: set[int], notable: list) -> bool:
    old = acc["notable"]
    kept = [e for e in old if e[3] not in unit_ids]
    merged = sorted([*kept, *notable], key=lambda e: (e[0], e[1], e[2]))
    if not acc["notable_more"]:
        _set_notable(acc, merged)
        return True
    # Incidents beyond the stored list (other units) all rank after its last entry:
    # the list is complete only while it fills up with entries ranked before that.
    cut = (old[-1][0], old[-1][1], old[-1][2])
    known = [e for e in merged if (e[0], e[1], e[2]) <= cut]
    if len(known) < NOTABLE_LIMIT:
        return False
    acc["notable"] = known[:NOTABLE_LIMIT]
    acc["notable_more"] = True
    return True


def set_notable(acc: Acc, candidates: list) -> None:
    _set_notable(acc, candidates)


# --- the stored content ----------------------------------------------------------------


def _percent(part: int, whole: int) -> float:
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP))


def percent_change(current: int, previous: int) -> float | None:
    """Change in percent of `previous`, two decimals (half up); None when previous is 0
    and current is not (a rise from nothing has no percentage)."""
    if previous == 0:
        return 0.0 if current == 0 else None
    value = (Decimal(current - previous) * 100 / Decimal(previous)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(value)


def trend(current: int, previous: int) -> str:
    if current > previous:
        return "naik"
    if current < previous:
        return "turun"
    return "tetap"


def _comparison_row(key: str, current: int, previous: int) -> dict[str, Any]:
    return {
        "key": key,
        "current": current,
        "previous": previous,
        "change": current - previous,
        "percent": percent_change(current, previous),
        "trend": trend(current, previous),
    }


COMPARED = [
    "personnel",
    "activities",
    "incidents",
    "deaths",
    "injured_serious",
    "injured_light",
    "loss_rupiah",
]
CATEGORY_FIELDS = ["count", "deaths", "injured_serious", "injured_light", "loss_rupiah"]


def _category_sums(cats: dict) -> list[int]:
    return [sum(v[i] for v in cats.values()) for i in range(5)]


def task_force_meta(operation: Operation) -> list[dict]:
    """The operation's task forces, for `render` (1 query)."""
    return list(TaskForce.objects.filter(operation=operation).values("pk", "code", "level", "name"))


def _task_forces(acc: Acc, known: list[dict] | None) -> list[dict]:
    if not acc["tf"]:
        return []
    if known is not None and all(int(k) in {t["pk"] for t in known} for k in acc["tf"]):
        meta = [t for t in known if str(t["pk"]) in acc["tf"]]
    else:
        meta = TaskForce.objects.filter(pk__in=[int(k) for k in acc["tf"]]).values(
            "pk", "code", "level", "name"
        )
    rows = [
        {
            "task_force": t["code"],
            "level": t["level"],
            "name": t["name"],
            "count": acc["tf"][str(t["pk"])][0],
            "personnel": acc["tf"][str(t["pk"])][1],
        }
        for t in meta
    ]
    return sorted(rows, key=lambda r: (r["level"], r["name"], r["task_force"]))


def _reporting(acc: Acc, days: int) -> dict[str, Any]:
    expected = acc["expected_units"] * days
    reported, late, returned = acc["rep"]
    on_time = reported - late
    late_units, missing_units, returned_units = [], [], []
    for _path, code, name, kind, sent, late_days, returned_days in sorted(acc["exc"].values()):
        entry = {"code": code, "name": name, "kind": kind}
        if sent < days:
            missing_units.append({**entry, "days": days - sent})
        if late_days:
            late_units.append({**entry, "days": late_days})
        if returned_days:
            returned_units.append({**entry, "days": returned_days})
    return {
        "expected_units": acc["expected_units"],
        "expected": expected,
        "reported": reported,
        "on_time": on_time,
        "late": late,
        "returned": returned,
        "missing": expected - reported,
        "on_time_percent": _percent(on_time, expected) if expected else None,
        "late_units": late_units,
        "missing_units": missing_units,
        "returned_units": returned_units,
    }


def _unit_rows(acc: Acc, days: int) -> list[dict]:
    rows = []
    for _path, row in sorted(acc["rows"].items()):
        code, name, units, reported, late, personnel, activities, incidents = row
        expected = units * days
        rows.append(
            {
                "code": code,
                "name": name,
                "expected": expected,
                "reported": reported,
                "on_time": reported - late,
                "missing": max(expected - reported, 0),
                "personnel": personnel,
                "activities": activities,
                "incidents": incidents,
            }
        )
    return rows


def render(
    *, acc: Acc, operation: Operation, unit: Unit, period, task_forces: list[dict] | None = None
) -> dict[str, Any]:
    """Everything a rekap anev shows, from its accumulator. 1 query (task force names)
    unless `task_forces` (task_force_meta) holds them."""
    by_category = [
        {"category": cat, **dict(zip(CATEGORY_FIELDS, values, strict=True))}
        for cat, values in sorted(acc["cat"].items())
    ]
    incidents, deaths, serious, light, loss = _category_sums(acc["cat"])
    reports, personnel, activities, activity_personnel = acc["tot"]
    totals = {
        "reports": reports,
        "personnel": personnel,
        "activities": activities,
        "activity_personnel": activity_personnel,
        "incidents": incidents,
        "deaths": deaths,
        "injured_serious": serious,
        "injured_light": light,
        "loss_rupiah": loss,
    }
    comparison = None
    if period.previous_start is not None:
        p_incidents, p_deaths, p_serious, p_light, p_loss = _category_sums(acc["pcat"])
        previous = {
            "personnel": acc["prev"][0],
            "activities": acc["prev"][1],
            "incidents": p_incidents,
            "deaths": p_deaths,
            "injured_serious": p_serious,
            "injured_light": p_light,
            "loss_rupiah": p_loss,
        }
        cur_cat = {cat: v[0] for cat, v in acc["cat"].items()}
        prev_cat = {cat: v[0] for cat, v in acc["pcat"].items()}
        comparison = {
            "start": period.previous_start.isoformat(),
            "end": period.previous_end.isoformat(),
            "rows": [_comparison_row(k, totals[k], previous[k]) for k in COMPARED],
            "categories": [
                _comparison_row(cat, cur_cat.get(cat, 0), prev_cat.get(cat, 0))
                for cat in sorted(set(cur_cat) | set(prev_cat))
            ],
        }
    return {
        "operation": {"code": operation.code, "name": operation.name},
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind},
        "period": {
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "first": period.first.isoformat(),
            "through": period.through.isoformat(),
            "days": period.days,
            "phase": period.phase.name if period.phase else None,
            "day_number": operation.day_number(period.through),
        },
        "totals": totals,
        "incidents_by_category": by_category,
        "activities_by_kind": [
            {"kind": kind, "count": c, "personnel": p}
            for kind, (c, p) in sorted(acc["kind"].items())
        ],
        "activities_by_task_force": _task_forces(acc, task_forces),
        "notable_incidents": [e[4] for e in acc["notable"]],
        "comparison": comparison,
        "reporting": _reporting(acc, period.days),
        "units": _unit_rows(acc, period.days),
    }
