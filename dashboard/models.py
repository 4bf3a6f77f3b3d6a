"""Maintained numbers the dashboard reads instead of scanning the country (the tallies).

Each row sums what lies *strictly below* one unit (``group_path``, a unit's path at depth
1 or deeper; the root has no rows, so no row is shared by every writer in the country):
reports per (zone, day), incidents per (zone, day, category, severity), incidents of every
day per (category, severity), and sprin assignments. What a unit holds itself is read from
the source tables by unit (an index), so a focus unit's row for child C is C's own plus
the tally of C.

PostgreSQL triggers (dashboard/migrations/0002_tally_triggers.py) keep them in the
transaction of every write to the source rows, whatever path wrote them (services, an
import, a correction, the admin, a unit move). ``dashboard.tallies`` rebuilds them from
scratch and compares (``manage.py rebuild_counts``).
"""

from __future__ import annotations

from django.db import models


class ReportTally(models.Model):
    """Sent reports of reporting units below `group_path`, for one zone and day."""

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.CASCADE, related_name="+"
    )
    group_path = models.CharField(max_length=500)
    time_zone = models.CharField(max_length=20)
    day = models.DateField()
    sent = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    personnel = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "group_path", "day", "time_zone"], name="report_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_path} {self.day} {self.time_zone}"


class IncidentTally(models.Model):
    """Incidents of sent reports below `group_path`, for one zone, day, category, severity."""

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.CASCADE, related_name="+"
    )
    group_path = models.CharField(max_length=500)
    time_zone = models.CharField(max_length=20)
    day = models.DateField()
    category = models.CharField(max_length=30)
    severity = models.CharField(max_length=10)
    n = models.IntegerField(default=0)
    deaths = models.BigIntegerField(default=0)
    injured = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "group_path", "day", "time_zone", "category", "severity"],
                name="incident_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_path} {self.day} {self.category}/{self.severity}"


class IncidentTotal(models.Model):
    """Incidents of sent reports below `group_path`, every day, per category and severity."""

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.CASCADE, related_name="+"
    )
    group_path = models.CharField(max_length=500)
    category = models.CharField(max_length=30)
    severity = models.CharField(max_length=10)
    n = models.IntegerField(default=0)
    deaths = models.BigIntegerField(default=0)
    injured = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "group_path", "category", "severity"],
                name="incident_total_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_path} {self.category}/{self.severity}"


class AssignmentTally(models.Model):
    """Personnel on sprin (and of them BKO) serving in units below `group_path`."""

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.CASCADE, related_name="+"
    )
    group_path = models.CharField(max_length=500)
    committed = models.IntegerField(default=0)
    bko = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operation", "group_path"], name="assignment_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.group_path}"


class TpsTally(models.Model):
    """TPS and the police their PAM TPS pattern requires (operations.models.TpsCount) in
    units below `group_path`, per vulnerability level."""

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.CASCADE, related_name="+"
    )
    group_path = models.CharField(max_length=500)
    vulnerability = models.CharField(max_length=20)
    tps = models.IntegerField(default=0)
    police_required = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "group_path", "vulnerability"], name="tps_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_path} {self.vulnerability}"
