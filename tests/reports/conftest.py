"""The report tests read stored scores (as pages do) and start with an empty page cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def with_stored_scores(stored_scores: None) -> None:
    """Pages only read stored runs: every test here has the default data's scores, and
    starts with an empty page cache (after the first test's scoring too)."""
    from django.core.cache import cache

    cache.clear()
