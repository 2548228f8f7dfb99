"""Observations with provenance: every value knows its source, batch, who and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One accepted import: a file, a form entry or the embedded default data."""

    source = models.CharField(max_length=300)
    file_name = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    file_format = models.CharField(max_length=20, blank=True)
    framework = models.ForeignKey(
        "catalog.Framework", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_changed = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    # Embargo: the batch's observations stay unpublished (seen only by their municipality
    # and network admins, never scored) until someone with the right role publishes them.
    embargoed = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")

    def __str__(self) -> str:
        return f"#{self.pk} {self.source}"


class Observation(models.Model):
    # No index of their own: the unique (place, indicator, year) and the (indicator, year)
    # indexes serve these lookups, and every index slows a million-row import.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, db_index=False)
    indicator = models.ForeignKey("catalog.Indicator", on_delete=models.PROTECT, db_index=False)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True, blank=True, help_text=_("Empty = missing, never zero"))
    flags = models.CharField(max_length=60, blank=True, help_text=_("e.g. provisional, derived"))
    source = models.CharField(max_length=300)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="observations")
    updated_at = models.DateTimeField()
    embargoed = models.BooleanField(
        default=False, help_text=_("Unpublished: only its municipality and network admins see it")
    )

    class Meta:
        ordering = ["place", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "indicator", "year"], name="unique_observation"
            )
        ]
        indexes = [models.Index(fields=["indicator", "year"])]
        verbose_name = _("observation")

    def __str__(self) -> str:
        return f"{self.place_id} {self.indicator_id} {self.year} = {self.value}"


class ObservationRevision(models.Model):
    """An earlier value of an observation, kept when a later import changed it."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    value = models.FloatField(null=True, blank=True)
    flags = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=300)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateTimeField()
    replaced_by = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["observation", "valid_until"]

    def __str__(self) -> str:
        return f"{self.observation_id} was {self.value}"


class DataVersion(models.Model):
    """Bumped by every write to observations; scores are stored per data version."""

    number = models.PositiveIntegerField(unique=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"
