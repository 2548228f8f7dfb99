"""Norway, its counties and municipalities, their code history and peer groups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        COUNTY = "county", _("county")
        MUNICIPALITY = "municipality", _("municipality")

    code = models.CharField(max_length=8, primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=120)
    name_official = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    adm_centre = models.CharField(max_length=120, blank=True)
    language_form = models.CharField(max_length=20, blank=True)
    url = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "name"])]
        verbose_name = _("place")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CodeHistory(models.Model):
    """An earlier municipality number and the 2024 municipality it now belongs to."""

    old_code = models.CharField(max_length=8, db_index=True)
    name = models.CharField(max_length=120)
    valid_from = models.PositiveSmallIntegerField()
    valid_to = models.PositiveSmallIntegerField(null=True, blank=True)
    new_place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="former_codes")
    weight = models.FloatField(default=1.0)

    class Meta:
        ordering = ["old_code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_code", "valid_from", "new_place"], name="unique_code_history"
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_code} ({self.valid_from}–{self.valid_to or ''}) → {self.new_place_id}"


class PeerGroup(models.Model):
    class Kind(models.TextChoices):
        COUNTY = "county", _("county")
        SIZE_CLASS = "size", _("population size class")
        CUSTOM = "custom", _("user-defined group")

    slug = models.SlugField(max_length=80, primary_key=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name_nb = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    members = models.ManyToManyField(Place, related_name="peer_groups")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "slug"]
        verbose_name = _("peer group")

    def __str__(self) -> str:
        return self.slug

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb
