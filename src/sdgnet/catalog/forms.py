from __future__ import annotations

from typing import Any

from babel.numbers import get_decimal_symbol
from django import forms
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.models import FrameworkIndicator, Goal
from sdgnet.observations.validation import parse_typed_number
from sdgnet.web.templatetags.sdgnet_format import babel_locale, exact_number


class TypedNumberField(forms.CharField):
    """A number as the page's language writes it (bokmål: 12,5; English: 12.5), read as
    the data-entry page reads a value (`parse_typed_number`); empty is None."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        text = super().to_python(value) or ""
        try:
            return parse_typed_number(text, get_decimal_symbol(babel_locale()))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="number") from error

    def prepare_value(self, value: Any) -> Any:
        """A stored number shown as the page writes it, without grouping, so that sending
        the form back unchanged reads the same number (130,921 on the bokmål page)."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            if abs(value) >= 1e15:  # `exact_number` writes these in scientific notation
                return repr(float(value))
            return exact_number(value, grouped=False)
        return value


class FrameworkEntryForm(forms.Form):
    """The scoring fields of a framework entry. Only the numbers are read here; the
    scoring engine's rules are checked by the action, on the fields at fault."""

    goal = forms.ModelChoiceField(
        label=_("Goal"),
        queryset=Goal.objects.all(),
        required=False,
        empty_label=_("No goal (not scored)"),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=FrameworkIndicator.Direction.choices
    )
    best = TypedNumberField(label=_("Best value (score 100)"), required=False)
    worst = TypedNumberField(label=_("Worst value (score 0)"), required=False)
    green = TypedNumberField(label=_("Green threshold"), required=False)
    red = TypedNumberField(label=_("Red threshold"), required=False)
    target_value = TypedNumberField(label=_("Target value"), required=False)
    target_year = forms.IntegerField(
        label=_("Target year"), required=False, min_value=0, max_value=32767
    )
    weight = TypedNumberField(
        label=_("Weight"), help_text=_("Relative to the other indicators of the goal")
    )
    in_index = forms.BooleanField(label=_("Counts in the index"), required=False)

    @classmethod
    def initial_of(cls, entry: FrameworkIndicator) -> dict[str, Any]:
        return {name: getattr(entry, name) for name in cls.base_fields}
