from django.db import models


class PeriodicRun(models.Model):
    """One run of a periodic task in one period (hour, day): the claim that lets it run once however many task
    workers, on however many machines, see the schedule come round (chengxin.core.schedule.once_per)."""

    task = models.CharField(max_length=100)
    slot = models.CharField(max_length=20)  # the period in Beijing time: 2026-11-25 or 2026-11-25T08
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="periodic_run_once_per_slot")]
        indexes = [models.Index(fields=["claimed_at"])]

    def __str__(self) -> str:
        return f"{self.task} @ {self.slot}"
