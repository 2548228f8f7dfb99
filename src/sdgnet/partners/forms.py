from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.goals import goal_choices
from sdgnet.catalog.models import FrameworkIndicator
from sdgnet.partners.actions import GOALS_MAX, due_years
from sdgnet.partners.models import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, Pledge
from sdgnet.places.models import Place


def municipality_choices() -> list[tuple[str, str]]:
    municipalities = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).order_by("name")
    return [("", str(_("Choose a municipality")))] + [
        (place.code, f"{place.name} ({place.code})") for place in municipalities
    ]


def indicator_choices() -> list[tuple[str, Any]]:
    """The default framework's indicators by goal, after "none"."""
    entries = (
        FrameworkIndicator.objects.filter(framework__is_default=True)
        .select_related("indicator", "goal")
        .order_by("goal_id", "position", "pk")
    )
    by_goal: dict[str, list[tuple[str, str]]] = {}
    for entry in entries:
        label = f"{entry.goal.number}. {entry.goal.short}" if entry.goal else str(_("No goal"))
        by_goal.setdefault(label, []).append((entry.indicator_id, entry.indicator.name))
    return [("", str(_("None"))), *by_goal.items()]


def due_year_choices() -> list[tuple[int, int]]:
    return [(year, year) for year in due_years()]


class PledgeForm(forms.Form):
    place = forms.ChoiceField(label=_("Municipality"), choices=municipality_choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("What will the organisation do?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Say what you will measure, so that others can follow it. Markdown is allowed."
        ),
    )
    goals = forms.TypedMultipleChoiceField(
        label=_("Goals"),
        coerce=int,
        choices=goal_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The one to three goals the pledge works towards"),
    )
    due_year = forms.TypedChoiceField(
        label=_("Reached by"), coerce=int, choices=due_year_choices, initial=2030
    )
    indicator = forms.ChoiceField(
        label=_("The indicator it works towards"),
        choices=indicator_choices,
        required=False,
        help_text=_(
            "Optional: an indicator of one of the goals. The pledge's page then shows the "
            "municipality's value on it."
        ),
    )

    def clean_goals(self) -> list[int]:
        goals: list[int] = self.cleaned_data["goals"]
        if len(goals) > GOALS_MAX:
            raise forms.ValidationError(_("Choose one to %(high)d goals.") % {"high": GOALS_MAX})
        return goals


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("How far has the organisation come (%)?"), min_value=0, max_value=100
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=lambda: [(value, capfirst(label)) for value, label in Pledge.Status.choices],
    )
    note = forms.CharField(
        label=_("What has been done"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the pledge's page. Markdown is allowed."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the pledge hidden?"),
        max_length=300,
        help_text=_("The organisation sees the reason."),
    )
