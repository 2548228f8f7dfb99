"""Charts are rendered when a rescore commits, so the first visitor reads them from cache."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from sdgnet.dashboards import charts, prerender

pytestmark = pytest.mark.django_db


def _current_version() -> int:
    from sdgnet.dashboards.access import current

    state = current()
    assert state is not None
    return state.data_version


def _store_a_complete_run() -> None:
    """What a rescore does last: save its run as complete (the hook fires on commit).
    Saving the latest run again keeps these tests off the scoring itself."""
    from sdgnet.scores.models import ScoreRun

    run = ScoreRun.objects.filter(complete=True).order_by("-pk").first()
    assert run is not None
    run.save(update_fields=["complete"])


def _one_approved_member(code: str) -> None:
    """The network as it runs: its approved members are the landing places. One member
    keeps these tests to 30 pages per language with the default data, against 66 for the
    ten most populous municipalities that stand in while there is none (tested below)."""
    from sdgnet.network.models import Membership

    Membership.objects.create(place_id=code, status=Membership.Status.APPROVED)


def _forget_all_charts() -> None:
    shutil.rmtree(charts.cache_dir(_current_version()).parent, ignore_errors=True)
    charts.clear_memory()


def test_rescore_renders_the_landing_pages_charts_before_any_request(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PRERENDER_CHARTS = "now"
    _one_approved_member("3201")
    _forget_all_charts()
    with django_capture_on_commit_callbacks(execute=True):
        _store_a_complete_run()
    stored = list(charts.cache_dir(_current_version()).glob("*.svg"))
    assert stored, "the rescore's commit rendered charts into the shared cache"
    largest = prerender.prerender_places()[0]
    assert largest.code == "3201"
    rendered = charts.stats["rendered"]
    charts.clear_memory()  # as a fresh gunicorn worker: only the files on disk
    cache.clear()
    for prefix in ("", "/en"):
        for path in (
            f"/places/{largest.code}/goals/3/",
            f"/places/{largest.code}/goals/16/",
            "/indicators/population-share-80plus/",
            "/indicators/voter-turnout-storting/",
            "/network/",
            "/goals/3/",
            "/compare/?places=3201,3203",
        ):
            html = client.get(prefix + path).content.decode()
            assert 'role="img"' in html, path
    assert charts.stats["rendered"] == rendered  # every chart came from the cache


def test_a_goal_page_outside_the_landing_pages_still_renders_itself(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PRERENDER_CHARTS = "now"
    _one_approved_member("3201")
    with django_capture_on_commit_callbacks(execute=True):
        _store_a_complete_run()
    landing = {place.code for place in prerender.prerender_places()}
    assert "1856" not in landing  # Røst, one of the smallest municipalities
    rendered = charts.stats["rendered"]
    charts.clear_memory()
    html = client.get("/places/1856/goals/3/").content.decode()
    assert 'role="img"' in html
    assert charts.stats["rendered"] > rendered


def test_nothing_is_rendered_when_turned_off(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PRERENDER_CHARTS = "off"
    _forget_all_charts()
    with django_capture_on_commit_callbacks(execute=True):
        _store_a_complete_run()
    assert not charts.cache_dir(_current_version()).exists()


def test_landing_places_are_the_approved_members_once_there_are_some() -> None:
    from sdgnet.network.models import Membership
    from sdgnet.places.models import Place

    by_population = [place.code for place in prerender.prerender_places()]
    assert len(by_population) == prerender.PLACES_WITHOUT_MEMBERS
    populations = [Place.objects.get(code=code).population for code in by_population]
    assert populations == sorted(populations, reverse=True)
    Membership.objects.create(place_id="1856", status=Membership.Status.APPROVED)
    Membership.objects.create(place_id="3203", status=Membership.Status.APPLIED)
    assert [place.code for place in prerender.prerender_places()] == ["1856"]
