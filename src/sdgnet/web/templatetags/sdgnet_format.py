"""Numbers and dates formatted for the active language with Babel (nb: `1 234,5`)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, format_scientific
from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

BABEL_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def babel_locale() -> str:
    return BABEL_LOCALES.get((get_language() or "nb")[:2], "nb_NO")


@register.filter
def number(value: float | int | None, digits: int = 1) -> str:
    """A number with at most `digits` decimals; an en dash for a missing value."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * int(digits) if int(digits) > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


@register.filter
def percent(share: float | None) -> str:
    """A share (0.25) as a whole percentage in the language's way (nb `25 %`, en `25%`);
    an en dash for a missing value."""
    if share is None:
        return "–"
    return format_percent(share, locale=babel_locale())


@register.filter
def decimals(value: float | int | None, digits: int) -> str:
    """A number with exactly `digits` decimals, so that a column of them lines up (85,0
    beside 85,3, where `number` writes 85); an en dash for a missing value."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * int(digits) if int(digits) > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


@register.filter
def score(value: float | None) -> str:
    """A 0–100 score with exactly one decimal (68,0 beside 82,7), as the SDSN dashboards
    write scores."""
    return decimals(value, 1)


@register.filter
def exact_number(value: float | None, grouped: bool = True) -> str:
    """A number with every digit it was read with (the shortest text that gives the same
    float: 130.921, 130921, 0.1), marked and, unless not `grouped` (years), grouped for the
    active language (nb: `130 921`, `130,921`), where `number` rounds; an en dash for a
    missing value. Not finite: NaN, ∞; from 10^15 on, too long to write out: scientific."""
    if value is None:
        return "–"
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    locale = babel_locale()
    if abs(value) >= 1e15:
        return format_scientific(value, locale=locale)
    return format_decimal(
        Decimal(repr(value)), locale=locale, decimal_quantization=False, group_separator=grouped
    )


@register.filter
def longdate(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="long", locale=babel_locale())


# Indicators store a unit as a language-neutral code (observations.validation folds
# `%`, `prosent` and `pst` into `percent`); pages show it in the reader's language.
UNIT_LABELS = {
    "percent": _("percent"),
    "persons": _("persons"),
    "nok": _("NOK"),
    "km": _("km"),
}


@register.filter
def unit(code: str | None) -> str:
    """The unit code as a word in the active language; an unknown code as it is."""
    if not code:
        return ""
    return str(UNIT_LABELS.get(code, code))
