"""Charts rendered right after a rescore commits, before the first visitor asks.

A page's first request after a rescore would otherwise start the Vega engine for each of
its charts (0.5–3 s). When a `ScoreRun` is saved complete, `on_commit` starts
`prerender_charts` in a background thread: the import or the request that caused the
rescore does not wait for it, and the charts land in the shared on-disk cache
(`charts.cache_dir`), which every gunicorn worker reads. A request that comes before the
thread reaches its chart renders the chart itself, as before; there is no lock to wait on.

Rendering every goal page of all 357 municipalities in both languages takes minutes of
CPU, so this renders the pages people land on first: every page linked from the home
page (the framework's indicator maps, the country goal pages, the network overview and
the comparison it suggests) and the goal pages of the network's approved members, or,
while there are none, of the most populous municipalities.

`settings.PRERENDER_CHARTS`: "background" (default), "now" (in the committing thread:
tests), "off". The CLI commands that rescore (`sdgnet setup`, `sdgnet rescore`) wait for
the thread before they exit, so the charts are ready when they return.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.utils import translation

log = logging.getLogger(__name__)

PLACES_WITHOUT_MEMBERS = 10  # the most populous municipalities, while no member is approved
HOME_COMPARISON = "3201,3203"  # the comparison the home page links to

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()
# What the last finished pre-render did, for the CLI to report.
last_result: dict[str, float] = {}


def prerender_places() -> list[Any]:
    """Municipalities whose goal pages are pre-rendered."""
    from sdgnet.network.models import Membership
    from sdgnet.places.models import Place

    municipalities = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).select_related("parent")
    members = list(
        municipalities.filter(network_membership__status=Membership.Status.APPROVED).order_by(
            "code"
        )
    )
    if members:
        return members
    return list(
        municipalities.filter(population__isnull=False).order_by("-population", "code")[
            :PLACES_WITHOUT_MEMBERS
        ]
    )


def _pages() -> Iterator[tuple[str, Any]]:
    """(label, function rendering that page's charts) for every pre-rendered page."""
    from sdgnet.catalog.models import Goal, Indicator
    from sdgnet.dashboards import network, overview, page_charts
    from sdgnet.dashboards.municipality import place_goal

    anonymous = AnonymousUser()
    home = overview.home_page("")
    keys = list(dict.fromkeys(item["key"] for item in home["indicators"]))
    goal_numbers = sorted({item["goal"] for item in home["indicators"]})
    for indicator in Indicator.objects.filter(key__in=keys).order_by("key"):
        yield (
            f"indicator {indicator.key}",
            lambda i=indicator: page_charts.indicator_page_charts(
                overview.indicator_overview(
                    i, county="", group="", colour_by="value", user=anonymous
                )
            ),
        )
    for goal in Goal.objects.all():
        yield (
            f"country goal {goal.number}",
            lambda g=goal: page_charts.national_goal_chart(overview.national_goal(g)),
        )
    yield "network", lambda: page_charts.network_page_charts(network.network_overview())
    yield (
        f"compare {HOME_COMPARISON}",
        lambda: page_charts.compare_page_charts(overview.compare(HOME_COMPARISON, anonymous)),
    )
    goals = list(Goal.objects.filter(number__in=goal_numbers))
    for place in prerender_places():
        for goal in goals:
            yield (
                f"{place.code} goal {goal.number}",
                lambda p=place, g=goal: page_charts.goal_page_charts(
                    place_goal(p, g, None, anonymous), p.name
                ),
            )


def prerender_charts(languages: tuple[str, ...] | None = None) -> dict[str, float]:
    """Render the charts of the pre-rendered pages in every language into the chart cache;
    returns how many pages and charts and the seconds it took."""
    from sdgnet.dashboards import charts

    started = time.perf_counter()
    rendered_before = charts.stats["rendered"]
    pages = 0
    for language in languages or tuple(code for code, _name in settings.LANGUAGES):
        with translation.override(language):
            for label, render in _pages():
                try:
                    render()
                except Exception:  # one broken page must not stop the others
                    log.exception("pre-rendering the charts of %s (%s) failed", label, language)
                pages += 1
    return {
        "pages": pages,
        "charts": charts.stats["rendered"] - rendered_before,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _in_background() -> None:
    try:
        result = prerender_charts()
        last_result.clear()
        last_result.update(result)
        log.info("pre-rendered %(charts)s charts of %(pages)s pages in %(seconds)s s", result)
    except Exception:
        log.exception("pre-rendering charts failed")
    finally:
        connection.close()  # this thread's own connection


def start() -> None:
    """Pre-render as `settings.PRERENDER_CHARTS` says; called once a rescore committed."""
    mode = getattr(settings, "PRERENDER_CHARTS", "background")
    if mode == "off":
        return
    if mode == "now":
        last_result.clear()
        last_result.update(prerender_charts())
        return
    # Not a daemon: a CLI process that rescored finishes the charts before it exits.
    thread = threading.Thread(target=_in_background, name="sdgnet-prerender-charts")
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()


def wait() -> dict[str, float]:
    """Wait for the pre-rendering threads this process started (CLI commands); what the
    last one did."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join()
    return dict(last_result)


def on_score_run_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save of ScoreRun: once a run is stored complete and committed, pre-render."""
    update_fields = kwargs.get("update_fields")
    if instance.complete and (update_fields is None or "complete" in update_fields):
        transaction.on_commit(start)
