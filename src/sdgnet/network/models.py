"""The network: member municipalities, their applications, learning groups, and each
municipality's own 2030 targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Membership(models.Model):
    """A municipality's application to join the network and its outcome."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        APPROVED = "approved", _("member")
        REJECTED = "rejected", _("rejected")

    place = models.OneToOneField(
        "places.Place", on_delete=models.PROTECT, related_name="network_membership"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    motivation = models.TextField(blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["place__name"]
        verbose_name = _("network membership")

    def __str__(self) -> str:
        return f"{self.place_id} {self.status}"


class LearningGroup(models.Model):
    """A thematic group of member municipalities that learn from each other."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("Markdown"))
    goals = models.ManyToManyField("catalog.Goal", blank=True, related_name="+")
    members = models.ManyToManyField("places.Place", blank=True, related_name="learning_groups")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("learning group")

    def __str__(self) -> str:
        return self.name


class LocalTarget(models.Model):
    """A municipality's own target for an indicator (by default for 2030)."""

    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="local_targets"
    )
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()
    year = models.PositiveSmallIntegerField(default=2030)
    note = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["place", "indicator"]
        verbose_name = _("local target")
        constraints = [
            models.UniqueConstraint(fields=["place", "indicator"], name="unique_local_target")
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.indicator_id} {self.value} by {self.year}"
