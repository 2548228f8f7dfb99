from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.forms import TypedNumberField
from sdgnet.catalog.goals import goal_choices
from sdgnet.catalog.models import FrameworkIndicator
from sdgnet.network.models import Membership


class ApplicationForm(forms.Form):
    place = forms.CharField(label=_("Municipality number"), max_length=4)
    motivation = forms.CharField(
        label=_("Why does the municipality want to join?"), widget=forms.Textarea, required=False
    )


def member_choices() -> list[tuple[str, str]]:
    """The network's approved members: only they can be in a learning group."""
    members = Membership.objects.filter(status=Membership.Status.APPROVED).select_related("place")
    return [
        (membership.place_id, f"{membership.place.name} ({membership.place_id})")
        for membership in members.order_by("place__name")
    ]


def members_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Members"),
        required=False,
        choices=member_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The network's approved members"),
    )


class LearningGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False, help_text=_("Markdown")
    )
    # Lists to tick, not numbers to type: a coordinator knows goals and members by name.
    goals = forms.TypedMultipleChoiceField(
        label=_("Goals"),
        required=False,
        coerce=int,
        choices=goal_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    members = members_field()


class LearningGroupMembersForm(forms.Form):
    members = members_field()


def scored_indicator_choices() -> list[tuple[str, str | Promise]]:
    """The indicators a scored framework scores (a target means nothing for a context
    indicator), by name in the page's language."""
    entries = (
        FrameworkIndicator.objects.filter(framework__scored=True)
        .exclude(direction=FrameworkIndicator.Direction.CONTEXT)
        .select_related("indicator")
    )
    indicators = sorted(
        {entry.indicator for entry in entries},
        key=lambda indicator: (indicator.name.casefold(), indicator.key),
    )
    return [("", _("Choose an indicator"))] + [
        (indicator.key, f"{indicator.name} ({indicator.key})") for indicator in indicators
    ]


class LocalTargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=scored_indicator_choices)
    value = TypedNumberField(label=_("Target value"))
    year = forms.IntegerField(label=_("Target year"), initial=2030, min_value=2000, max_value=2100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
