"""Each of pydantic's problems with a request is worded in the active language, keyed by its
type, with pydantic's limits and expected values filled in; a type without a wording keeps
pydantic's own text. The errors are pydantic's own, from real models."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Literal

import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from sdgnet.web.schema_problems import problem_message


class Colour(Enum):
    RED = "red"
    GREEN = "green"


class Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = 0
    share: float = Field(0.5, gt=0, lt=1, allow_inf_nan=False)
    year: int = Field(2026, ge=2000, le=2100)
    step: float = Field(2, multiple_of=2)
    flag: bool = False
    name: str = Field("ab", min_length=2, max_length=3, pattern=r"^[a-z]+$")
    tags: list[str] = Field(["a"], min_length=1, max_length=2)
    extra: dict[str, str] = {}
    state: Literal["all", "hidden", "draft"] = "all"
    single: Literal["all"] = "all"
    colour: Colour = Colour.RED
    needed: str
    day: dt.date = dt.date(2026, 1, 1)


def error_of(data: dict[str, Any]) -> dict[str, Any]:
    """pydantic's one error for these fields (with `needed` given unless asked for)."""
    with pytest.raises(ValidationError) as raised:
        Everything.model_validate({"needed": "x", **data})
    (error,) = raised.value.errors(include_url=False)
    return dict(error)


CASES = [
    ({"needed": None}, "string_type", "Skal være en tekst.", "Should be a text."),
    ({"count": "ti"}, "int_parsing", "Skal være et heltall; denne teksten er ikke et heltall.",
     "Should be a whole number; this text is not one."),
    ({"count": [1]}, "int_type", "Skal være et heltall.", "Should be a whole number."),
    ({"count": 1.5}, "int_from_float", "Skal være et heltall, uten desimaler.",
     "Should be a whole number, without a fractional part."),
    ({"count": "9" * 5000}, "int_parsing_size", "Tallet er for stort.", "The number is too large."),
    ({"share": "0,5"}, "float_parsing",
     "Skal være et tall; en tekst leses bare som et enkelt tall med desimalpunktum (81.5).",
     "Should be a number; a text is read only as a plain number with a decimal point (81.5)."),
    ({"share": [1]}, "float_type", "Skal være et tall.", "Should be a number."),
    ({"share": "inf"}, "finite_number", "Skal være et endelig tall, ikke uendelig eller NaN.",
     "Should be a finite number, not infinity or NaN."),
    ({"share": 0}, "greater_than", "Skal være større enn 0.", "Should be greater than 0."),
    ({"share": 1}, "less_than", "Skal være mindre enn 1.", "Should be less than 1."),
    ({"year": 1999}, "greater_than_equal", "Skal være minst 2000.", "Should be at least 2000."),
    ({"year": 2101}, "less_than_equal", "Skal være høyst 2100.", "Should be at most 2100."),
    ({"step": 3}, "multiple_of", "Skal være et multiplum av 2.", "Should be a multiple of 2."),
    ({"flag": "kanskje"}, "bool_parsing", "Skal være true eller false.", "Should be true or false."),
    ({"flag": [1]}, "bool_type", "Skal være true eller false.", "Should be true or false."),
    ({"name": 5}, "string_type", "Skal være en tekst.", "Should be a text."),
    ({"name": "a"}, "string_too_short", "Skal ha minst 2 tegn.",
     "Should have at least 2 characters."),
    ({"name": "abcd"}, "string_too_long", "Skal ha høyst 3 tegn.",
     "Should have at most 3 characters."),
    ({"name": "AB"}, "string_pattern_mismatch", "Skal passe med mønsteret ^[a-z]+$.",
     "Should match the pattern ^[a-z]+$."),
    ({"tags": "a"}, "list_type", "Skal være en liste.", "Should be a list."),
    ({"tags": []}, "too_short", "Skal ha minst 1 element.", "Should have at least 1 item."),
    ({"tags": ["a", "b", "c"]}, "too_long", "Skal ha høyst 2 elementer.",
     "Should have at most 2 items."),
    ({"extra": 1}, "dict_type", "Skal være et objekt.", "Should be an object."),
    ({"state": "gone"}, "literal_error", "Skal være 'all', 'hidden' eller 'draft'.",
     "Should be 'all', 'hidden' or 'draft'."),
    ({"single": "x"}, "literal_error", "Skal være 'all'.", "Should be 'all'."),
    ({"colour": "blue"}, "enum", "Skal være 'red' eller 'green'.", "Should be 'red' or 'green'."),
    ({"unknown": 1}, "extra_forbidden", "Dette feltet hører ikke med i skjemaet.",
     "This field is not part of the schema."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "kind", "bokmaal", "english"), CASES, ids=[case[1] for case in CASES]
)
def test_each_problem_is_worded_in_the_active_language(
    data: dict[str, Any], kind: str, bokmaal: str, english: str
) -> None:
    error = error_of(data)
    assert error["type"] == kind
    for language, expected in (("nb", bokmaal), ("en", english)):
        with translation.override(language):
            assert problem_message(error) == expected, language


def test_a_missing_field_and_invalid_json_are_worded() -> None:
    with pytest.raises(ValidationError) as raised:
        Everything.model_validate({})
    (missing,) = raised.value.errors()
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(Everything).validate_json("{not json")
    (broken,) = raised.value.errors()
    assert (missing["type"], broken["type"]) == ("missing", "json_invalid")
    with translation.override("nb"):
        assert problem_message(missing) == "Dette feltet er påkrevd."
        assert problem_message(broken) == "Dette er ikke gyldig JSON."
    with translation.override("en"):
        assert problem_message(missing) == "This field is required."
        assert problem_message(broken) == "This is not valid JSON."


def test_a_value_holding_the_word_or_is_one_value() -> None:
    error = {"type": "literal_error", "ctx": {"expected": "'a' or 'b or c'"}, "msg": "…"}
    with translation.override("nb"):
        assert problem_message(error) == "Skal være 'a' eller 'b or c'."


def test_a_type_without_a_wording_keeps_pydantics_text() -> None:
    error = error_of({"day": "i morgen"})
    assert error["type"] == "date_from_datetime_parsing"
    with translation.override("nb"):
        assert problem_message(error) == error["msg"]
    # A worded type whose context lacks the value its message names: pydantic's text too.
    with translation.override("nb"):
        assert problem_message({"type": "less_than", "msg": "Input is wrong"}) == "Input is wrong"
