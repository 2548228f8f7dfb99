from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApplicationForm(forms.Form):
    place = forms.CharField(label=_("Municipality number"), max_length=4)
    motivation = forms.CharField(
        label=_("Why does the municipality want to join?"), widget=forms.Textarea, required=False
    )


class LearningGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False, help_text=_("Markdown")
    )
    goals = forms.CharField(
        label=_("Goals"), required=False, help_text=_("Goal numbers separated by commas")
    )
    members = forms.CharField(
        label=_("Members"), required=False, help_text=_("Municipality numbers separated by commas")
    )


class LocalTargetForm(forms.Form):
    indicator = forms.CharField(label=_("Indicator"), max_length=80)
    value = forms.FloatField(label=_("Target value"))
    year = forms.IntegerField(label=_("Target year"), initial=2030, min_value=2000, max_value=2100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def split_codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
