from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.goals import goal_choices
from sdgnet.participation.actions import GOALS_MAX, PRIORITIES_MAX
from sdgnet.participation.models import BODY_MAX, RESPONSE_MAX, TITLE_MAX, Proposal


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Your proposal"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What should the municipality do, and why? Markdown is allowed."),
    )
    goals = forms.TypedMultipleChoiceField(
        label=_("Goals"),
        coerce=int,
        choices=goal_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The one to three goals the proposal works towards"),
    )

    def clean_goals(self) -> list[int]:
        goals: list[int] = self.cleaned_data["goals"]
        if len(goals) > GOALS_MAX:
            raise forms.ValidationError(_("Choose one to %(high)d goals.") % {"high": GOALS_MAX})
        return goals


class ResponseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=lambda: [(value, capfirst(label)) for value, label in Proposal.Status.choices],
    )
    response = forms.CharField(
        label=_("The municipality's answer"),
        max_length=RESPONSE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown on the proposal's page. Markdown is allowed."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the proposal hidden?"),
        max_length=300,
        help_text=_("The author sees the reason."),
    )


class PriorityForm(forms.Form):
    goals = forms.TypedMultipleChoiceField(
        label=_("The goals that matter most to you for the municipality"),
        coerce=int,
        choices=goal_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose up to five."),
    )

    def clean_goals(self) -> list[int]:
        goals: list[int] = self.cleaned_data["goals"]
        if len(goals) > PRIORITIES_MAX:
            raise forms.ValidationError(
                _("Choose one to %(high)d goals.") % {"high": PRIORITIES_MAX}
            )
        return goals
