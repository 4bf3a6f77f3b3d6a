"""Maintained coverage numbers (kept by ``personnel.coverage_counts``; imported by
``personnel.models`` so that Django registers them)."""

from __future__ import annotations

from django.db import models

from operations.models import Operation, Unit


class DeployedCount(models.Model):
    """Distinct personnel with a TPS-duty deployment (to a TPS or a group of TPS) anywhere
    in the subtree of `unit`, at `vulnerability` (``ALL_LEVELS``: any level), own or BKO.
    One row per (operation, unit, level, is_bko) and for every ancestor of the deployment's
    unit, so that a subtree's distinct count is one row, never a sum over units."""

    ALL_LEVELS = "*"

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    vulnerability = models.CharField(max_length=20)
    is_bko = models.BooleanField()
    personnel = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "unit", "vulnerability", "is_bko"],
                name="deployedcount_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.vulnerability}/{'bko' if self.is_bko else 'own'}: {self.personnel}"


class CoveredCount(models.Model):
    """TPS of `unit` itself (not its subtree) with somebody deployed, directly or through
    their group: a TPS has one unit, so a subtree's count is the sum over its units."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    tps = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operation", "unit"], name="coveredcount_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.tps}"


class AvailableCount(models.Model):
    """Police (active, not civil staff) assigned to the operation under `unit` itself, own
    and BKO: an assignment has one unit, so a subtree's number is the sum over its units."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    police = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operation", "unit"], name="availablecount_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.police}"
