"""Shared fixtures: the test database holds the embedded default dataset, loaded once."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Tests render pages without running collectstatic first, so they use the plain
    static storage; the manifest storage is covered by the served e2e tests."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # No chart-rendering threads behind the tests' backs; tests/dashboards/test_prerender.py
    # turns it on where it is the subject.
    settings.PRERENDER_CHARTS = "off"
    # WhiteNoise warns on every request's middleware set-up when STATIC_ROOT is missing
    # (the tests never run collectstatic).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # A cache folder of this run's own: the cache is shared by every process that names
    # the same folder (as the workers of one installation do), and `fresh_cache` empties
    # it before each test, so two runs in one data folder would clear each other's.
    folder = tempfile.mkdtemp(prefix="sdgnet-test-cache-")
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": folder},
        "throttle": {**settings.CACHES["throttle"], "LOCATION": str(Path(folder) / "throttle")},
    }


def pytest_unconfigure(config: pytest.Config) -> None:
    from django.conf import settings

    shutil.rmtree(settings.CACHES["default"]["LOCATION"], ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from sdgnet.web.defaultload import load_default_data

    with django_db_blocker.unblock():
        load_default_data(say=lambda _line: None)
    yield


@pytest.fixture(scope="session")
def stored_scores(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The default data's scores, stored once per session as `sdgnet setup` does: pages
    and who to learn from read stored runs only."""
    from sdgnet.scores.actions import do_rescore_all
    from sdgnet.scores.models import ScoreRun

    with django_db_blocker.unblock():
        if not ScoreRun.objects.filter(complete=True).exists():
            do_rescore_all()


@pytest.fixture
def transactional_default_data(transactional_db: Any) -> None:
    """For tests that need real transactions (concurrency, threads): the default data,
    loaded into a database that such tests flush afterwards. pytest-django runs these
    tests after the ordinary `db` tests, so the flush cannot hide data from them."""
    from sdgnet.web.defaultload import load_default_data

    load_default_data(say=lambda _line: None)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with an empty cache: the API's rate-limit counters are kept there,
    keyed by user id, and ids repeat between tests once their transactions roll back, so a
    long run would otherwise throttle later tests with earlier tests' requests."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request to an /en/ page leaves
    English active in the thread (the locale middleware activates, nothing resets), and
    a later test that reverses addresses or words messages outside a request would see
    it: the permission matrix failed after the bokmål-page tests."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
