"""Citizens' proposals to their municipality, tied to the goals, and the support they
gather; the municipality answers each one (in the spirit of CONSUL's and Decidim's
proposals)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 140
BODY_MAX = 5000
RESPONSE_MAX = 5000


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CONSIDERED = "considered", _("under consideration")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(help_text=_("Markdown"))
    goals = models.ManyToManyField("catalog.Goal", related_name="proposals")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True, help_text=_("Markdown"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
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
        verbose_name = _("proposal")
        indexes = [models.Index(fields=["place", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decided(self) -> bool:
        """Accepted or declined: the proposal no longer gathers support."""
        return self.status in (self.Status.ACCEPTED, self.Status.DECLINED)


class Support(models.Model):
    """One signed-in person's support for a proposal (at most one each)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_support_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Priority(models.Model):
    """One person's choice of the goals that matter most for a municipality (up to five):
    the municipality's residents set its local priorities together."""

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    goals = models.ManyToManyField("catalog.Goal", related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("priority")
        constraints = [
            models.UniqueConstraint(fields=["place", "user"], name="one_priority_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.place_id}"
