"""Thin views: parse, call a builder, and render its data as HTML, JSON or CSV.

Every page's numbers come from one builder; `?format=json` returns that same data, so
the JSON twin cannot drift from the page.

Anonymous responses are cached per stored score run and membership decision (see
`respond`, `data_stamp`): pages change only with those, and the load goal (p95 < 100 ms at 20 concurrent
clients on two cores) leaves a few milliseconds per request.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache as once
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language

from sdgnet.catalog.models import Goal, Indicator
from sdgnet.dashboards import network, overview
from sdgnet.dashboards.municipality import (
    municipality_dashboard,
    place_goal,
    place_goal_csv_rows,
)
from sdgnet.dashboards.page_charts import (
    compare_page_charts,
    goal_page_charts,
    indicator_page_charts,
    network_page_charts,
)
from sdgnet.network.models import Membership
from sdgnet.participation.models import Priority, Proposal, Support
from sdgnet.partners.models import Pledge
from sdgnet.places.codes import normalise_municipality_code
from sdgnet.places.models import CodeHistory, Place
from sdgnet.projects.models import Project
from sdgnet.scores.models import ScoreRun

PAGE_TTL = 600  # seconds; a backstop for edits that do not rescore (names, framework texts)
# The cached HTML carries this instead of the per-visitor CSRF token, swapped on the way out.
CSRF_PLACEHOLDER = "sdgnet-csrf-placeholder-4b1f9c"


@dataclass
class Page:
    template: str
    data: dict[str, Any]
    status: int = 200
    extra: Callable[[], dict[str, Any]] | None = None
    csv_rows: Callable[[], list[list[Any]]] | None = None
    csv_name: str = "data.csv"
    headers: dict[str, str] = field(default_factory=dict)


def data_stamp(with_library: bool = False) -> str:
    """Changes whenever a cached page's content can change at the same address: a rescore
    stores a run, a membership is decided (who the network's members are), and, for pages
    that list the network's contributions (the municipality page's "who to learn from",
    the council report's projects, proposals, pledges and priorities), a project, proposal,
    pledge or resident's priority changes or a proposal gains or loses support. One query; raw SQL, because the ORM's
    aggregates cost more than the query on every cached request."""
    runs = connection.ops.quote_name(ScoreRun._meta.db_table)
    members = connection.ops.quote_name(Membership._meta.db_table)
    parts = [
        f"(SELECT MAX(id) FROM {runs} WHERE complete = %s)",
        f"(SELECT COUNT(*) FROM {members} WHERE status = %s)",
        f"(SELECT MAX(decided_at) FROM {members})",
    ]
    if with_library:
        for table in (Project, Proposal, Pledge, Priority):
            name = connection.ops.quote_name(table._meta.db_table)
            parts += [f"(SELECT MAX(updated_at) FROM {name})", f"(SELECT COUNT(*) FROM {name})"]
        supports = connection.ops.quote_name(Support._meta.db_table)
        parts += [f"(SELECT MAX(id) FROM {supports})", f"(SELECT COUNT(*) FROM {supports})"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [True, Membership.Status.APPROVED])
        row = cursor.fetchone()
    return "|".join(str(value) for value in row) if row else ""


# The files a page is built from besides its data: code, templates and translations.
BUILD_SUFFIXES = frozenset({".py", ".html", ".mo"})


@once
def build_stamp() -> str:
    """Changes with the release serving the pages: the static files' manifest (the cached
    HTML links the stylesheet by its hashed name, which a new release may no longer have)
    and the newest of the package's code, templates and translations. The page cache
    lives in the data folder and outlives a restart; without this, a new release went on
    serving the old release's pages for up to PAGE_TTL. Once per process."""
    import sdgnet

    package = Path(sdgnet.__file__).parent
    newest = max(
        (path.stat().st_mtime_ns for path in package.rglob("*") if path.suffix in BUILD_SUFFIXES),
        default=0,
    )
    return f"{getattr(staticfiles_storage, 'manifest_hash', '')}|{newest}"


def page_cache_key(request: HttpRequest, with_library: bool = False) -> str | None:
    if request.method != "GET" or request.COOKIES.get("messages"):
        return None
    if request.user.is_authenticated:
        return None  # embargoed values may show; never share those
    stamp = data_stamp(with_library)
    raw = f"{get_language()}|{request.get_full_path()}|{stamp}|{build_stamp()}"
    return "sdgnet-page:" + hashlib.sha256(raw.encode()).hexdigest()


def respond(
    request: HttpRequest, build: Callable[[], Page], *, with_library: bool = False
) -> HttpResponse:
    key = page_cache_key(request, with_library)
    if key is not None and (hit := cache.get(key)) is not None:
        return _response(request, *hit)
    page = build()
    wanted = request.GET.get("format", "html")
    headers = dict(page.headers)
    if wanted == "json":
        content_type = "application/json"
        body = JsonResponse(
            page.data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
        ).content.decode()
    elif wanted == "csv" and page.csv_rows is not None:
        content_type = "text/csv; charset=utf-8"
        headers["Content-Disposition"] = f'attachment; filename="{page.csv_name}"'
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(page.csv_rows())
        body = out.getvalue()
    else:
        content_type = "text/html; charset=utf-8"
        context = {"data": page.data, **(page.extra() if page.extra else {})}
        if key is not None:
            context["csrf_token"] = CSRF_PLACEHOLDER
        body = render_to_string(page.template, context, request)
    if key is not None:
        cache.set(key, (page.status, content_type, body, headers), PAGE_TTL)
    return _response(request, page.status, content_type, body, headers)


def _response(
    request: HttpRequest, status: int, content_type: str, body: str, headers: dict[str, str]
) -> HttpResponse:
    if content_type.startswith("text/html") and CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    response = HttpResponse(body, content_type=content_type, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _municipality(code: str) -> Place:
    return get_object_or_404(
        Place.objects.select_related("parent"), code=code, kind=Place.Kind.MUNICIPALITY
    )


def _today_number(code: str) -> str | None:
    """Where `code` is not a municipality of today but names one in another way (301 for
    Oslo's 0301, or a number before a reform with one successor: Bergen's 1201 is
    4601), today's number; otherwise None."""
    number = normalise_municipality_code(code)
    if number is None:
        return None
    municipalities = Place.objects.filter(kind=Place.Kind.MUNICIPALITY)
    if number != code and municipalities.filter(code=number).exists():
        return number
    successors = set(
        CodeHistory.objects.filter(old_code=number).values_list("new_place_id", flat=True)
    )
    if len(successors) == 1 and municipalities.filter(code__in=successors).exists():
        return successors.pop()
    return None


def or_moved(
    request: HttpRequest, respond_here: Callable[[], HttpResponse], code: str, name: str, *rest: int
) -> HttpResponse:
    """The page, or where `code` is not today's number but an old or shortened one, a
    permanent redirect to the same page under today's (looked up only on a miss)."""
    try:
        return respond_here()
    except Http404:
        today = _today_number(code)
        # Today's own number is missing something else (a goal, an indicator).
        if today is None or today == code:
            raise
    query = request.META.get("QUERY_STRING", "")
    url = reverse(name, args=[today, *rest]) + (f"?{query}" if query else "")
    return HttpResponsePermanentRedirect(url)


def place_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    def build() -> Page:
        place = _municipality(code)
        return Page("dashboards/place.html", municipality_dashboard(place, request.user))

    return or_moved(request, lambda: respond(request, build, with_library=True), code, "place")


def place_goal_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    def build() -> Page:
        place = _municipality(code)
        goal = get_object_or_404(Goal, number=number)
        data = place_goal(place, goal, request.GET.get("band"), request.user)
        indicator = request.GET.get("indicator")
        if indicator and indicator not in {item["key"] for item in data["indicators"]}:
            raise Http404

        suffix = f"-{indicator}" if indicator else ""
        return Page(
            "dashboards/place_goal.html",
            data,
            extra=lambda: goal_page_charts(data, place.name),
            csv_rows=lambda: place_goal_csv_rows(data, indicator),
            csv_name=f"{place.code}-goal-{goal.number}{suffix}.csv",
        )

    return or_moved(request, lambda: respond(request, build), code, "place-goal", number)


def indicator_page(request: HttpRequest, key: str) -> HttpResponse:
    def build() -> Page:
        indicator = get_object_or_404(Indicator, key=key)
        data = overview.indicator_overview(
            indicator,
            county=request.GET.get("county", ""),
            group=request.GET.get("group", ""),
            colour_by=request.GET.get("colour", "value"),
            user=request.user,
        )

        return Page(
            "dashboards/indicator.html",
            data,
            extra=lambda: indicator_page_charts(data),
            csv_rows=lambda: overview.indicator_csv_rows(data),
            csv_name=f"{indicator.key}.csv",
        )

    return respond(request, build)


def compare_page(request: HttpRequest) -> HttpResponse:
    def build() -> Page:
        data = overview.compare(request.GET.get("places"), request.user)

        return Page(
            "dashboards/compare.html",
            data,
            status=400 if data["error"] else 200,
            extra=lambda: compare_page_charts(data),
        )

    return respond(request, build)


def network_page(request: HttpRequest) -> HttpResponse:
    def build() -> Page:
        data = network.network_overview()

        return Page("dashboards/network.html", data, extra=lambda: network_page_charts(data))

    # The page counts the members' proposals, pledges and priorities: it follows them.
    return respond(request, build, with_library=True)


def search_page(request: HttpRequest) -> HttpResponse:
    return respond(
        request,
        lambda: Page("dashboards/search.html", overview.search(request.GET.get("q", ""))),
    )
