"""Scores are written with exactly one decimal, in the active language."""

from __future__ import annotations

import pytest
from django.utils import translation

from sdgnet.web.templatetags.sdgnet_format import decimals, score


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("nb", 68.0, "68,0"),
        ("nb", 82.66, "82,7"),
        ("nb", 100.0, "100,0"),
        ("nb", 0.04, "0,0"),
        ("en", 68.0, "68.0"),
        ("en", 75.44, "75.4"),
        ("nb", None, "–"),
    ],
)
def test_a_score_has_exactly_one_decimal(language: str, value: float | None, written: str) -> None:
    with translation.override(language):
        assert score(value) == written


@pytest.mark.parametrize(
    ("language", "value", "digits", "written"),
    [
        ("nb", 85.0, 1, "85,0"),
        ("nb", 133228.0, 0, "133\u00a0228"),
        ("en", 133228.0, 0, "133,228"),
        ("en", 0.25, 1, "0.2"),  # half to even, as Babel rounds
        ("nb", None, 1, "–"),
    ],
)
def test_decimals_gives_exactly_that_many(
    language: str, value: float | None, digits: int, written: str
) -> None:
    with translation.override(language):
        assert decimals(value, digits) == written
