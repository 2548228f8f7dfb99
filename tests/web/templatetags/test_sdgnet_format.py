"""Scores are written with exactly one decimal, in the active language."""

from __future__ import annotations

import pytest
from django.utils import translation

from sdgnet.web.templatetags.sdgnet_format import score


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
