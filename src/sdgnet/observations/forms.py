from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.models import Indicator
from sdgnet.places.codes import normalise_municipality_code
from sdgnet.places.models import Place


def indicator_choices() -> list[tuple[str, str | Promise]]:
    """Every indicator, for files that do not name theirs (as `sdgnet import --indicator`)."""
    return [("", _("The file names the indicator"))] + [
        (indicator.key, f"{indicator.key} – {indicator.name}")
        for indicator in Indicator.objects.only("key", "name_nb", "name_en").order_by("key")
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Data file"), help_text=_("CSV, Excel (.xlsx) or JSON-stat (.json)")
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("Where the data come from, for rows without a source column of their own"),
    )
    indicator = forms.ChoiceField(
        label=_("Indicator"),
        required=False,
        choices=indicator_choices,
        help_text=_(
            "For files that do not name the indicator, such as a wide file with one column per year"
        ),
    )
    place = forms.CharField(
        label=_("Municipality number"),
        max_length=4,
        required=False,
        help_text=_("Network administrators: the one municipality the file is for (optional)"),
    )
    embargoed = forms.BooleanField(
        label=_("Hold unpublished (embargo) until published"), required=False
    )

    def clean_place(self) -> str:
        """Today's municipality number, read as a file's place cell is ("301" is 0301)."""
        text: str = self.cleaned_data["place"].strip()
        if not text:
            return ""
        code = normalise_municipality_code(text)
        if code is None or not Place.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("%(number)s is not the number of a municipality today."),
                code="unknown_place",
                params={"number": text},
            )
        return code


class ConfirmForm(forms.Form):
    upload = forms.CharField(max_length=64)


class ValueForm(forms.Form):
    place = forms.CharField(label=_("Municipality number"), max_length=4)
    indicator = forms.CharField(label=_("Indicator"), max_length=80)
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)
    value = forms.CharField(
        label=_("Value"), max_length=40, required=False, help_text=_("Empty means missing")
    )
    source = forms.CharField(label=_("Source"), max_length=300)
    embargoed = forms.BooleanField(
        label=_("Hold unpublished (embargo) until published"), required=False
    )
