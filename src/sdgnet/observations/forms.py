from __future__ import annotations

from typing import NamedTuple

from babel.numbers import get_decimal_symbol
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.models import Indicator
from sdgnet.observations.validation import parse_typed_number
from sdgnet.places.codes import normalise_municipality_code
from sdgnet.places.models import Place
from sdgnet.web.templatetags.sdgnet_format import babel_locale


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


class TypedValue(NamedTuple):
    """A value as typed (what the import reads, so its messages quote the person) and the
    number read from it, None when it is missing."""

    text: str
    number: float | None


def named_indicator_choices() -> list[tuple[str, str | Promise]]:
    """Every indicator by its name in the page's language, for a person choosing one."""
    indicators = sorted(
        Indicator.objects.only("key", "name_nb", "name_en"),
        key=lambda indicator: (indicator.name.casefold(), indicator.key),
    )
    return [("", _("Choose an indicator"))] + [
        (indicator.key, f"{indicator.name} ({indicator.key})") for indicator in indicators
    ]


class ValueForm(forms.Form):
    place = forms.CharField(label=_("Municipality number"), max_length=4)
    # A list, not a box to type the indicator's id into: a person knows its name.
    indicator = forms.ChoiceField(label=_("Indicator"), choices=named_indicator_choices)
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)
    value = forms.CharField(
        label=_("Value"),
        max_length=40,
        required=False,
        # The example is written as the page's language writes numbers (nb: 130 921,5).
        help_text=_("Empty means missing. Separate thousands with spaces: 130 921.5"),
    )
    source = forms.CharField(label=_("Source"), max_length=300)
    embargoed = forms.BooleanField(
        label=_("Hold unpublished (embargo) until published"), required=False
    )

    def clean_value(self) -> TypedValue:
        """The value read with the page's decimal mark (bokmål: the comma, English: the
        point); the other mark where thousands are grouped ("130.921" on the bokmål page)
        could be either, and is refused here with how to write it (`parse_typed_number`)."""
        text: str = self.cleaned_data["value"].strip()
        try:
            number = parse_typed_number(text, get_decimal_symbol(babel_locale()))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="number") from error
        return TypedValue(text, number)
