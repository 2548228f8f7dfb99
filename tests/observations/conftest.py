"""The importer's messages are made in the active language, bokmål unless a page, a
request or a test says otherwise. Most tests here read them in English; the tests of
the languages themselves (test_languages.py) choose theirs explicitly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield
