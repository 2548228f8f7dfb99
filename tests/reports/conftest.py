"""The report tests read stored scores (as pages do) and start with an empty page cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def stored_scores(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The default data's scores, stored once per session as `sdgnet setup` does."""
    from sdgnet.scores.actions import do_rescore_all
    from sdgnet.scores.models import ScoreRun

    with django_db_blocker.unblock():
        if not ScoreRun.objects.filter(complete=True).exists():
            do_rescore_all()


@pytest.fixture(autouse=True)
def empty_page_cache(stored_scores: None) -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
