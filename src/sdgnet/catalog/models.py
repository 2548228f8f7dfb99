"""The SDG catalog (goals, targets, the UN indicator list) and indicator frameworks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #RRGGBB colours."""
    lighter, darker = sorted(
        (_relative_luminance(first), _relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


class Bilingual(models.Model):
    """A row with Norwegian and English names; `name` picks the active language."""

    class Meta:
        abstract = True

    def localised(self, field: str) -> str:
        language = (get_language() or "nb")[:2]
        value = getattr(self, f"{field}_en" if language == "en" else f"{field}_nb")
        # Fall back to the other language rather than show nothing.
        return str(value or getattr(self, f"{field}_nb") or getattr(self, f"{field}_en"))


class Goal(Bilingual):
    number = models.PositiveSmallIntegerField(primary_key=True)
    short_nb = models.CharField(max_length=100)
    short_en = models.CharField(max_length=100)
    title_nb = models.TextField()
    title_en = models.TextField()
    colour = models.CharField(max_length=7, help_text=_("Official UN goal colour, #RRGGBB"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("goal")

    def __str__(self) -> str:
        return f"{self.number}. {self.short}"

    @property
    def short(self) -> str:
        return self.localised("short")

    @property
    def text_colour(self) -> str:
        """White or near-black, whichever contrasts more with the goal colour (WCAG)."""
        return (
            "#ffffff"
            if contrast_ratio(self.colour, "#ffffff") >= contrast_ratio(self.colour, "#1b1f24")
            else "#1b1f24"
        )

    @property
    def title(self) -> str:
        return self.localised("title")


class Target(Bilingual):
    code = models.CharField(max_length=8, primary_key=True)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(default=0)
    title_nb = models.TextField()
    title_en = models.TextField()

    class Meta:
        ordering = ["goal", "position"]
        verbose_name = _("target")

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.localised("title")


class SdgIndicator(Bilingual):
    """An indicator of the UN global indicator framework (2023 list)."""

    code = models.CharField(max_length=12, primary_key=True)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="sdg_indicators")
    position = models.PositiveSmallIntegerField(default=0)
    title_nb = models.TextField()
    title_en = models.TextField()
    unsd_code = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["target", "position"]
        verbose_name = _("UN indicator")

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.localised("title")


class Indicator(Bilingual):
    """A measured quantity that observations are recorded for."""

    class Measure(models.TextChoices):
        COUNT = "count", _("count (can be summed)")
        RATE = "rate", _("rate or share (cannot be summed)")

    key = models.SlugField(max_length=80, primary_key=True)
    name_nb = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    definition_nb = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    unit = models.CharField(max_length=40, blank=True)
    measure = models.CharField(max_length=8, choices=Measure.choices, default=Measure.RATE)
    source = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return self.key

    @property
    def name(self) -> str:
        return self.localised("name")

    @property
    def definition(self) -> str:
        return self.localised("definition")


class Framework(Bilingual):
    """A named, versioned set of indicators with their scoring parameters."""

    slug = models.SlugField(max_length=80, primary_key=True)
    name_nb = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    description_nb = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    scored = models.BooleanField(
        default=True, help_text=_("False for metadata-only lists such as the U4SSC KPIs")
    )

    class Meta:
        ordering = ["-is_default", "slug"]
        verbose_name = _("framework")

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"

    @property
    def name(self) -> str:
        return self.localised("name")

    @property
    def description(self) -> str:
        return self.localised("description")


class FrameworkIndicator(models.Model):
    """An indicator's place in a framework: its goal, targets, bounds and thresholds."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("higher is better")
        DECREASE = "decrease", _("lower is better")
        CONTEXT = "context", _("context (neither better nor worse)")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="entries")
    position = models.PositiveIntegerField(default=0)
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, null=True, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="+")
    targets = models.ManyToManyField(Target, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    best = models.FloatField(null=True, blank=True)
    worst = models.FloatField(null=True, blank=True)
    green = models.FloatField(null=True, blank=True)
    red = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(null=True, blank=True)
    weight = models.FloatField(default=1.0)
    in_index = models.BooleanField(default=True)
    # U4SSC-style classification; blank for frameworks that do not use it.
    dimension = models.CharField(max_length=60, blank=True)
    sub_dimension = models.CharField(max_length=80, blank=True)
    category = models.CharField(max_length=80, blank=True)
    tier = models.CharField(max_length=20, blank=True)
    # The scoring fields a network admin has changed on the platform: loading the
    # framework's file again (`sdgnet setup`) leaves them as the admin set them.
    edited_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "indicator"], name="unique_framework_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework_id}:{self.indicator_id}"

    @property
    def is_scored(self) -> bool:
        return (
            self.direction != self.Direction.CONTEXT
            and self.best is not None
            and self.worst is not None
            and self.goal_id is not None
        )

    def clean(self) -> None:
        """Refuse what the scoring engine would refuse (weights outside 1e-9..1e9, a
        target year outside 1-9999, thresholds out of order, ...), on the field at
        fault, so that a rescore never meets it (`catalog.specs`)."""
        from sdgnet.catalog.specs import entry_problems

        if problems := entry_problems(self):
            raise ValidationError(problems)
