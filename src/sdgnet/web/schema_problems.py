"""The API's per-field problems of a request that does not match its schema (422
`invalid_request`), worded in the active language.

pydantic words each problem in English ("Field required"); its error `type` is stable, and
its context holds the limits and expected values, so the message is chosen by the type and
the context filled in. A type not worded here keeps pydantic's own text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Context = dict[str, Any]

# pydantic words several expected values as "'a', 'b' or 'c'", in English; each value is
# a repr: quoted text, or a number or name without spaces or commas.
_VALUE = r"'[^']*'|[^\s',]+"
_CHOICES = re.compile(rf"(?P<head>(?:{_VALUE})(?:, (?:{_VALUE}))*) or (?P<last>{_VALUE})")


def _choices(expected: str) -> str:
    """pydantic's list of expected values with the active language's "or"."""
    match = _CHOICES.fullmatch(expected)
    if match is None:  # one value, or values that cannot be told apart safely
        return expected
    return str(get_text_list([*re.findall(_VALUE, match["head"]), match["last"]]))


def _shown(value: Any) -> str:
    """A limit as pydantic shows it: 2, not the 2.0 a float field's context holds."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _limit(name: str, context: Context) -> dict[str, str]:
    return {name: _shown(context[name])}


def _at_most_characters(context: Context) -> str:
    limit = context["max_length"]
    return ngettext(
        "Should have at most %(max_length)s character.",
        "Should have at most %(max_length)s characters.",
        limit,
    ) % _limit("max_length", context)


def _at_least_characters(context: Context) -> str:
    limit = context["min_length"]
    return ngettext(
        "Should have at least %(min_length)s character.",
        "Should have at least %(min_length)s characters.",
        limit,
    ) % _limit("min_length", context)


def _at_most_items(context: Context) -> str:
    limit = context["max_length"]
    return ngettext(
        "Should have at most %(max_length)s item.",
        "Should have at most %(max_length)s items.",
        limit,
    ) % _limit("max_length", context)


def _at_least_items(context: Context) -> str:
    limit = context["min_length"]
    return ngettext(
        "Should have at least %(min_length)s item.",
        "Should have at least %(min_length)s items.",
        limit,
    ) % _limit("min_length", context)


def _one_of(context: Context) -> str:
    return _("Should be %(expected)s.") % {"expected": _choices(str(context["expected"]))}


_WORDED: dict[str, Callable[[Context], str]] = {
    "missing": lambda context: _("This field is required."),
    "extra_forbidden": lambda context: _("This field is not part of the schema."),
    "json_invalid": lambda context: _("This is not valid JSON."),
    "int_type": lambda context: _("Should be a whole number."),
    "int_parsing": lambda context: _("Should be a whole number; this text is not one."),
    "int_from_float": lambda context: _("Should be a whole number, without a fractional part."),
    "int_parsing_size": lambda context: _("The number is too large."),
    "float_type": lambda context: _("Should be a number."),
    "float_parsing": lambda context: _(
        "Should be a number; a text is read only as a plain number with a decimal point (81.5)."
    ),
    "finite_number": lambda context: _("Should be a finite number, not infinity or NaN."),
    "bool_type": lambda context: _("Should be true or false."),
    "bool_parsing": lambda context: _("Should be true or false."),
    "string_type": lambda context: _("Should be a text."),
    "string_too_short": _at_least_characters,
    "string_too_long": _at_most_characters,
    "string_pattern_mismatch": lambda context: (
        _("Should match the pattern %(pattern)s.") % _limit("pattern", context)
    ),
    "list_type": lambda context: _("Should be a list."),
    "too_short": _at_least_items,
    "too_long": _at_most_items,
    "dict_type": lambda context: _("Should be an object."),
    "model_type": lambda context: _("Should be an object."),
    "model_attributes_type": lambda context: _("Should be an object."),
    "greater_than": lambda context: _("Should be greater than %(gt)s.") % _limit("gt", context),
    "greater_than_equal": lambda context: _("Should be at least %(ge)s.") % _limit("ge", context),
    "less_than": lambda context: _("Should be less than %(lt)s.") % _limit("lt", context),
    "less_than_equal": lambda context: _("Should be at most %(le)s.") % _limit("le", context),
    "multiple_of": lambda context: (
        _("Should be a multiple of %(multiple_of)s.") % _limit("multiple_of", context)
    ),
    "literal_error": _one_of,
    "enum": _one_of,
}


def problem_message(error: Mapping[str, Any]) -> str:
    """The message of one of pydantic's errors (a dict of `ValidationError.errors()`) in the
    active language; pydantic's own text for a type (or a context) not worded here."""
    word = _WORDED.get(str(error.get("type", "")))
    if word is not None:
        try:
            return word(dict(error.get("ctx") or {}))
        except KeyError:  # a context without the value the message names
            pass
    return str(error.get("msg", ""))
