"""Businesses' and organisations' pledges: what a partner commits to do for the goals in
a municipality, by when, and how far it has come."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 140
DESCRIPTION_MAX = 5000
NOTE_MAX = 2000


class Pledge(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("under way")
        FULFILLED = "fulfilled", _("fulfilled")
        WITHDRAWN = "withdrawn", _("withdrawn")

    organisation = models.CharField(max_length=200)
    # The name compared without regard to case, folded in Python: SQLite's own case
    # folding knows ASCII only ("Økern AS" and "økern as" are one organisation).
    organisation_key = models.CharField(max_length=200, db_index=True, editable=False)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="pledges")
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(help_text=_("Markdown"))
    goals = models.ManyToManyField("catalog.Goal", related_name="pledges")
    due_year = models.PositiveSmallIntegerField()
    # The framework indicator the pledge works towards, so that its page shows the
    # municipality's value on it beside the organisation's own account.
    indicator = models.ForeignKey(
        "catalog.Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_note = models.TextField(blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change: cached pages that list it (the council report) follow it.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pledge")
        indexes = [models.Index(fields=["place", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="progress_percent")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.title}"
