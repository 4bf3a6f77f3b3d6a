"""What the dashboard shows, as typed values: `dashboard.build.build` returns a `Dashboard`,
the pages render its fields, `dashboard.serializers` turns it into JSON for REST clients."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, fields
from typing import Any

from operations.models import Operation, Phase, Unit
from reports.models import Incident


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


class _Readable:
    """Fields read by name as well (``row["missing"]``), as the dicts they replaced. (The
    templates try a key before an attribute: the names are computed once per class.)"""

    def __getitem__(self, name: str) -> Any:
        cls: type = type(self)  # plain `type`: mypy finds type[_Readable] not Hashable
        if name not in _field_names(cls):
            raise KeyError(name)
        return getattr(self, name)


@dataclass
class Compliance(_Readable):
    """Reporting units and how they stand for their day (see dashboard.selectors)."""

    total: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0


@dataclass
class UnitRow(_Readable):
    """One row of the compliance table: the focus unit's own (`own`) or one child's."""

    unit: Unit
    own: bool
    total: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0
    personnel_on_duty: int = 0
    committed: int = 0
    bko: int = 0
    tps: int = 0
    police_required: int = 0
    incidents_today: int = 0
    incidents_total: int = 0


@dataclass
class MissingUnit(_Readable):
    unit: Unit
    code: str
    name: str
    parent: str
    day: dt.date
    deadline: dt.datetime
    deadline_local: dt.datetime
    deadline_text: str
    zone: str
    overdue: bool


@dataclass
class LevelNeed(_Readable):
    level: str
    label: str
    tps: int = 0
    police_required: int = 0


@dataclass
class PersonnelNeed(_Readable):
    on_duty: int = 0
    committed: int = 0
    bko: int = 0
    police_required: int = 0
    tps: int = 0
    by_level: list[LevelNeed] = field(default_factory=list)


@dataclass
class CategoryCount(_Readable):
    category: str
    label: str
    today: int = 0
    total: int = 0
    deaths: int = 0
    injured: int = 0


@dataclass
class SeverityCount(_Readable):
    severity: str
    label: str
    today: int = 0
    total: int = 0


@dataclass
class IncidentSummary(_Readable):
    today: int = 0
    total: int = 0
    by_category: list[CategoryCount] = field(default_factory=list)
    by_severity: list[SeverityCount] = field(default_factory=list)


@dataclass
class MapPost(_Readable):
    name: str
    kind: str
    vulnerability: str
    lat: float
    lng: float


@dataclass
class MapIncident(_Readable):
    category: str
    severity: str
    place: str
    lat: float
    lng: float


@dataclass
class MapUnit(_Readable):
    code: str
    name: str
    lat: float
    lng: float
    missing: int
    total: int
    tps: int = 0
    incidents_today: int = 0
    worst: str = ""  # the most vulnerable TPS level below the unit ("" without TPS)


@dataclass
class MapData(_Readable):
    posts: list[MapPost] = field(default_factory=list)
    every_tps: bool = False
    aggregated: bool = False  # above a Polres: one marker per unit row, no points
    incidents: list[MapIncident] = field(default_factory=list)
    units: list[MapUnit] = field(default_factory=list)


@dataclass
class TrendCategory(_Readable):
    category: str
    label: str
    counts: list[int]


@dataclass
class Trends(_Readable):
    days: list[str] = field(default_factory=list)
    on_time: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    personnel: list[int] = field(default_factory=list)
    incidents: list[TrendCategory] = field(default_factory=list)


@dataclass
class Dashboard:
    """Every number of the dashboard for one operation, focus unit and day. Without an
    operation or a focus unit (`ready` false) only the first five fields are set."""

    operation: Operation | None
    focus: Unit | None
    day: dt.date
    explicit_day: bool
    generated_at: dt.datetime
    phase: Phase | None = None
    day_number: int | None = None
    total_days: int | None = None
    voting_day: dt.date | None = None
    days_to_vote: int | None = None
    days_after_vote: int | None = None
    breadcrumb: list[Unit] = field(default_factory=list)
    rows: list[UnitRow] = field(default_factory=list)
    compliance: Compliance = field(default_factory=Compliance)
    missing: list[MissingUnit] = field(default_factory=list)
    personnel: PersonnelNeed = field(default_factory=PersonnelNeed)
    incidents: IncidentSummary = field(default_factory=IncidentSummary)
    latest_incidents: list[Incident] = field(default_factory=list)
    map: MapData = field(default_factory=MapData)
    trends: Trends = field(default_factory=Trends)

    @property
    def ready(self) -> bool:
        return self.operation is not None and self.focus is not None

    def context(self) -> dict[str, Any]:
        """The fields as a template context (one level deep: panels read attributes)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
