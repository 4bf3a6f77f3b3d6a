"""The unit tree, operations with their phases, task forces and settings, and posts.

A package (each module under 500 lines); everything is importable from here as before.
"""

from operations.models.operation import (
    Operation,
    OperationKind,
    Phase,
    PhaseKind,
    PhaseQuerySet,
    TaskForce,
    default_reporting_kinds,
    operation_code_validator,
)
from operations.models.posts import (
    Event,
    EventKind,
    Post,
    PostKind,
    RiskLevel,
    SecurityPattern,
    Vulnerability,
)
from operations.models.units import (
    PATH_SEPARATOR,
    TIME_ZONE_ABBREVIATION,
    UNIT_KIND_RANK,
    PolresType,
    TimeZone,
    Unit,
    UnitKind,
    UnitQuerySet,
    check_parent_kind,
    unit_code_validator,
)

__all__ = [
    "PATH_SEPARATOR",
    "TIME_ZONE_ABBREVIATION",
    "UNIT_KIND_RANK",
    "Event",
    "EventKind",
    "Operation",
    "OperationKind",
    "Phase",
    "PhaseKind",
    "PhaseQuerySet",
    "PolresType",
    "Post",
    "PostKind",
    "RiskLevel",
    "SecurityPattern",
    "TaskForce",
    "TimeZone",
    "Unit",
    "UnitKind",
    "UnitQuerySet",
    "Vulnerability",
    "check_parent_kind",
    "default_reporting_kinds",
    "operation_code_validator",
    "unit_code_validator",
]
