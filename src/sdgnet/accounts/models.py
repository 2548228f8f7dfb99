"""Users' roles, invitations, API tokens and the audit log.

A user is Django's `User` whose `username` is the lower-cased e-mail address; the role
and the municipality it is scoped to live in `Profile`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_ADMIN = "network-admin", _("network administrator")
    MUNICIPALITY_ADMIN = "municipality-admin", _("municipality administrator")
    EDITOR = "editor", _("editor")
    PARTNER = "partner", _("partner")
    CITIZEN = "citizen", _("citizen")


# Roles that act for one municipality and must name it.
PLACE_ROLES = frozenset({Role.MUNICIPALITY_ADMIN, Role.EDITOR})


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=24, choices=Role.choices, default=Role.CITIZEN)
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The municipality a municipality administrator or editor acts for"),
    )
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("profile")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=list(PLACE_ROLES)) | models.Q(place__isnull=False),
                name="place_role_has_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Invitation(models.Model):
    """An invitation for staff or a partner; the link carries a secret whose hash is kept."""

    email = models.EmailField()
    role = models.CharField(max_length=24, choices=Role.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, null=True, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 hash is stored; the token itself is
    shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """One write: who, when, what, and the object before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=120, blank=True)
    place = models.ForeignKey(
        "places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
