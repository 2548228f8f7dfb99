"""The permission matrix: every URL pattern and every API route, for every role.

The walk of the URL resolver and of the OpenAPI schema finds every route; a route
without an entry here fails `test_every_route_has_an_entry`, so no page or API route
can be added without saying who may use it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sdgnet.partners.actions import due_years
from sdgnet.places.models import PeerGroup
from sdgnet.web.api import api

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "citizen", "partner", "editor", "municipality_admin", "network_admin"]
HOME = "3201"
TURNOUT = "voter-turnout-storting"
FRAMEWORK = "kommunale-baerekraftsindikatorer"
SEED_PROJECT = "asker-matsvinn-plan"  # a published public project of the seed library


def every(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


PUBLIC = every(200)
POST_ONLY = every(405)
LOGGED_IN = {**every(200), "anonymous": 302}
STAFF = {**every(200), "anonymous": 302, "citizen": 403, "partner": 403}
ADMINS = {**STAFF, "editor": 403}
NETWORK_ADMIN = {**every(403), "anonymous": 302, "network_admin": 200}

# Route (as the resolver spells it, language prefix left out) → a path to request, and
# the status each role gets for GET.
PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "i18n/setlang/": ("/i18n/setlang/", every(302)),
    "healthz": ("/healthz", PUBLIC),
    "": ("/", PUBLIC),
    "places/<str:code>/": (f"/places/{HOME}/", PUBLIC),
    "places/<str:code>/goals/<int:number>/": (f"/places/{HOME}/goals/13/", PUBLIC),
    "places/<str:code>/report/": (f"/places/{HOME}/report/", PUBLIC),
    "places/<str:code>/report.pdf": (f"/places/{HOME}/report.pdf", PUBLIC),
    "indicators/<slug:key>/": (f"/indicators/{TURNOUT}/", PUBLIC),
    "compare/": ("/compare/", PUBLIC),
    "network/": ("/network/", PUBLIC),
    "search/": ("/search/?q=klima", PUBLIC),
    "goals/<int:number>/": ("/goals/13/", PUBLIC),
    "frameworks/": ("/frameworks/", PUBLIC),
    "frameworks/<slug:slug>/": (f"/frameworks/{FRAMEWORK}/", PUBLIC),
    "frameworks/<slug:slug>/<slug:key>/edit/": (
        f"/frameworks/{FRAMEWORK}/{TURNOUT}/edit/",
        NETWORK_ADMIN,
    ),
    "accounts/login/": ("/accounts/login/", PUBLIC),
    "accounts/logout/": ("/accounts/logout/", POST_ONLY),
    "accounts/signup/": ("/accounts/signup/", PUBLIC),
    "accounts/activate/<str:uidb64>/<str:token>/": ("/accounts/activate/MQ/x-y/", every(400)),
    "accounts/password-reset/": ("/accounts/password-reset/", PUBLIC),
    "accounts/password-reset/sent/": ("/accounts/password-reset/sent/", PUBLIC),
    "accounts/reset/<uidb64>/<token>/": ("/accounts/reset/MQ/x-y/", PUBLIC),
    "accounts/reset/done/": ("/accounts/reset/done/", PUBLIC),
    "accounts/invite/": ("/accounts/invite/", ADMINS),
    "accounts/invitations/<str:secret>/": ("/accounts/invitations/not-a-secret/", every(404)),
    "accounts/audit/": ("/accounts/audit/", NETWORK_ADMIN),
    "accounts/audit.csv": ("/accounts/audit.csv", NETWORK_ADMIN),
    "accounts/tokens/": ("/accounts/tokens/", LOGGED_IN),
    "accounts/tokens/<int:pk>/revoke/": ("/accounts/tokens/1/revoke/", POST_ONLY),
    "accounts/password/": ("/accounts/password/", LOGGED_IN),
    "accounts/people/": ("/accounts/people/", ADMINS),
    # No such account: admins get 404, as for an account they may not manage.
    "accounts/people/<int:pk>/": (
        "/accounts/people/999999/",
        {**ADMINS, "municipality_admin": 404, "network_admin": 404},
    ),
    "accounts/people/<int:pk>/deactivate/": ("/accounts/people/1/deactivate/", POST_ONLY),
    "accounts/people/<int:pk>/reactivate/": ("/accounts/people/1/reactivate/", POST_ONLY),
    "data/upload/": ("/data/upload/", STAFF),
    "data/upload/confirm/": ("/data/upload/confirm/", POST_ONLY),
    "data/enter/": ("/data/enter/", STAFF),
    # Editors see their municipality's unpublished imports (without publishing them).
    "data/embargoed/": ("/data/embargoed/", STAFF),
    "data/batches/<int:batch_id>/publish/": ("/data/batches/1/publish/", POST_ONLY),
    "data/observations.csv": ("/data/observations.csv", PUBLIC),
    "network/members/": ("/network/members/", PUBLIC),
    "network/apply/": ("/network/apply/", ADMINS),
    "network/applications/": ("/network/applications/", NETWORK_ADMIN),
    "network/applications/<int:pk>/decide/": ("/network/applications/1/decide/", POST_ONLY),
    "network/groups/": ("/network/groups/", PUBLIC),
    "network/groups/new/": ("/network/groups/new/", NETWORK_ADMIN),
    "network/groups/<slug:slug>/": ("/network/groups/no-such-group/", every(404)),
    "network/targets/<str:code>/": (f"/network/targets/{HOME}/", PUBLIC),
    # Citizens' proposals (sdgnet.participation): anyone reads; anyone logged in proposes.
    "places/<str:code>/proposals/": (f"/places/{HOME}/proposals/", PUBLIC),
    "places/<str:code>/proposals/new/": (f"/places/{HOME}/proposals/new/", LOGGED_IN),
    # The residents' priorities: anyone reads the counts; anyone logged in chooses (POST).
    "places/<str:code>/priorities/": (f"/places/{HOME}/priorities/", PUBLIC),
    "proposals/": ("/proposals/", PUBLIC),
    "proposals/new/": ("/proposals/new/", PUBLIC),
    "proposals/<int:pk>/": ("/proposals/999999/", every(404)),
    "proposals/<int:pk>/support/": ("/proposals/999999/support/", POST_ONLY),
    "proposals/<int:pk>/respond/": ("/proposals/999999/respond/", POST_ONLY),
    "proposals/<int:pk>/withdraw/": ("/proposals/999999/withdraw/", POST_ONLY),
    "proposals/<int:pk>/moderate/": ("/proposals/999999/moderate/", POST_ONLY),
    # Partners' pledges (sdgnet.partners): anyone reads; partners with an organisation pledge.
    "places/<str:code>/pledges/": (f"/places/{HOME}/pledges/", PUBLIC),
    "pledges/": ("/pledges/", PUBLIC),
    "pledges/new/": ("/pledges/new/", {**every(403), "anonymous": 302, "partner": 200}),
    "pledges/<int:pk>/": ("/pledges/999999/", every(404)),
    "pledges/<int:pk>/progress/": ("/pledges/999999/progress/", POST_ONLY),
    "pledges/<int:pk>/moderate/": ("/pledges/999999/moderate/", POST_ONLY),
    # The project library (sdgnet.projects).
    "projects/": ("/projects/", PUBLIC),
    "projects/new/": ("/projects/new/", STAFF),
    "projects/export.json": ("/projects/export.json", PUBLIC),
    "projects/p/<slug:key>/": ("/projects/p/no-such-project/", every(404)),
    "projects/p/<slug:key>/edit/": ("/projects/p/no-such-project/edit/", every(404)),
    "projects/p/<slug:key>/publish/": ("/projects/p/no-such-project/publish/", POST_ONLY),
    "projects/p/<slug:key>/attachments/": (
        "/projects/p/no-such-project/attachments/",
        POST_ONLY,
    ),
    # An attachment: to whoever may see its project (tests/projects/test_attachments.py).
    "projects/p/<slug:key>/attachments/<int:pk>/<str:name>": (
        "/projects/p/no-such-project/attachments/1/plan.pdf",
        every(404),
    ),
    "projects/methods/<slug:key>/": ("/projects/methods/no-such-method/", every(404)),
    "projects/learn/<str:code>/": (f"/projects/learn/{HOME}/", PUBLIC),
    # Reporting a problem: anyone logged in who can read the (published) project; a
    # project nobody can read is 404 for all, before asking anyone to log in.
    "projects/p/<slug:key>/report/": (
        f"/projects/p/{SEED_PROJECT}/report/",
        {**every(200), "anonymous": 302},
    ),
    # Moderation: network admins only, 404 for everyone else (even anonymous visitors).
    "projects/moderation/": ("/projects/moderation/", {**every(404), "network_admin": 200}),
    "projects/moderation/<str:kind>/<slug:key>/": (
        f"/projects/moderation/project/{SEED_PROJECT}/",
        POST_ONLY,
    ),
    # The Django admin (all its routes): network admins only; others are sent to log in.
    "admin/": ("/admin/", {**every(302), "network_admin": 200}),
    # Everything under /api/v1/ is checked route by route in API_ROUTES below.
    "api/v1/": ("/api/v1/no-such-route", every(404)),
}

# API operation (method, path as in the OpenAPI schema) → a path to request, a JSON body
# for writes, and the status each role gets (each role with its own bearer token).
WRITE_REFUSED = {"anonymous": 401, "citizen": 403, "partner": 403}
API_ROUTES: dict[tuple[str, str], tuple[str, Any, dict[str, int]]] = {
    ("get", "/api/v1/goals"): ("/api/v1/goals", None, PUBLIC),
    ("get", "/api/v1/goals/{number}"): ("/api/v1/goals/13", None, PUBLIC),
    ("get", "/api/v1/indicators"): ("/api/v1/indicators?goal=13", None, PUBLIC),
    ("get", "/api/v1/indicators/{key}"): (f"/api/v1/indicators/{TURNOUT}", None, PUBLIC),
    ("get", "/api/v1/frameworks"): ("/api/v1/frameworks", None, PUBLIC),
    ("get", "/api/v1/frameworks/{slug}"): (f"/api/v1/frameworks/{FRAMEWORK}", None, PUBLIC),
    ("get", "/api/v1/frameworks/{slug}/indicators"): (
        f"/api/v1/frameworks/{FRAMEWORK}/indicators",
        None,
        PUBLIC,
    ),
    ("get", "/api/v1/places"): ("/api/v1/places?kind=county", None, PUBLIC),
    ("get", "/api/v1/places/{code}"): (f"/api/v1/places/{HOME}", None, PUBLIC),
    ("get", "/api/v1/peer-groups"): ("/api/v1/peer-groups", None, PUBLIC),
    ("get", "/api/v1/peer-groups/{slug}"): ("/api/v1/peer-groups/{peer_group}", None, PUBLIC),
    ("get", "/api/v1/observations"): (f"/api/v1/observations?place={HOME}", None, PUBLIC),
    ("post", "/api/v1/observations"): (
        "/api/v1/observations",
        [{"place": HOME, "indicator": TURNOUT, "year": 2026, "value": 80.0}],
        {**WRITE_REFUSED, "editor": 201, "municipality_admin": 201, "network_admin": 201},
    ),
    ("get", "/api/v1/batches/embargoed"): ("/api/v1/batches/embargoed", None, PUBLIC),
    ("post", "/api/v1/batches/{batch_id}/publish"): (
        "/api/v1/batches/999999/publish",
        None,
        {**WRITE_REFUSED, "citizen": 404, "partner": 404, "editor": 404}
        | {"municipality_admin": 404, "network_admin": 404},
    ),
    ("get", "/api/v1/scores"): (f"/api/v1/scores?place={HOME}", None, PUBLIC),
    ("get", "/api/v1/goal-scores"): (f"/api/v1/goal-scores?place={HOME}", None, PUBLIC),
    ("get", "/api/v1/network/members"): ("/api/v1/network/members", None, PUBLIC),
    ("get", "/api/v1/network/learning-groups"): (
        "/api/v1/network/learning-groups",
        None,
        PUBLIC,
    ),
    ("get", "/api/v1/network/learning-groups/{slug}"): (
        "/api/v1/network/learning-groups/none",
        None,
        every(404),
    ),
    ("get", "/api/v1/local-targets"): (f"/api/v1/local-targets?place={HOME}", None, PUBLIC),
    ("get", "/api/v1/projects"): ("/api/v1/projects", None, PUBLIC),
    ("get", "/api/v1/projects/{key}"): ("/api/v1/projects/no-such-project", None, every(404)),
    ("post", "/api/v1/projects/{key}/reports"): (
        f"/api/v1/projects/{SEED_PROJECT}/reports",
        {"reason": "The link to the source is broken."},
        {**every(201), "anonymous": 401},
    ),
    ("get", "/api/v1/moderation"): (
        "/api/v1/moderation",
        None,
        {**every(404), "network_admin": 200},
    ),
    ("post", "/api/v1/moderation/{kind}/{key}"): (
        f"/api/v1/moderation/project/{SEED_PROJECT}",
        {"decision": "review"},
        {**every(404), "anonymous": 401, "network_admin": 200},
    ),
    ("post", "/api/v1/local-targets"): (
        "/api/v1/local-targets",
        {"place": HOME, "indicator": TURNOUT, "value": 90},
        {**WRITE_REFUSED, "editor": 200, "municipality_admin": 200, "network_admin": 200},
    ),
    # Citizens' proposals (sdgnet.participation): anyone reads; anyone with a token proposes
    # and supports. The default data has no proposal, so the routes of one answer 404
    # (tests/participation/test_api.py covers them with proposals).
    ("get", "/api/v1/places/{code}/priorities"): (
        f"/api/v1/places/{HOME}/priorities",
        None,
        PUBLIC,
    ),
    ("get", "/api/v1/proposals"): (f"/api/v1/proposals?place={HOME}", None, PUBLIC),
    ("get", "/api/v1/proposals/{id}"): ("/api/v1/proposals/999999", None, every(404)),
    ("post", "/api/v1/proposals"): (
        "/api/v1/proposals",
        {"place": HOME, "title": "Flere benker i parken", "body": "x" * 20, "goals": [11]},
        {**every(201), "anonymous": 401},
    ),
    ("post", "/api/v1/proposals/{id}/support"): (
        "/api/v1/proposals/999999/support",
        None,
        {**every(404), "anonymous": 401},
    ),
    ("delete", "/api/v1/proposals/{id}/support"): (
        "/api/v1/proposals/999999/support",
        None,
        {**every(404), "anonymous": 401},
    ),
    # Partners' pledges (sdgnet.partners): anyone reads; a partner with an organisation on
    # their account pledges, and its organisation reports progress. The default data has
    # no pledge, so the routes of one answer 404 (tests/partners/test_api.py covers them
    # with pledges).
    ("get", "/api/v1/pledges"): (f"/api/v1/pledges?place={HOME}", None, PUBLIC),
    ("get", "/api/v1/pledges/{id}"): ("/api/v1/pledges/999999", None, every(404)),
    ("post", "/api/v1/pledges"): (
        "/api/v1/pledges",
        {
            "place": HOME,
            "title": "Elbiler i hele bilparken",
            "description": "x" * 20,
            "goals": [13],
            "due_year": due_years()[-1],
        },
        {**every(403), "anonymous": 401, "partner": 201},
    ),
    ("post", "/api/v1/pledges/{id}/progress"): (
        "/api/v1/pledges/999999/progress",
        {"progress": 50},
        {**every(404), "anonymous": 401},
    ),
}


def resolver_routes() -> set[str]:
    def walk(patterns: list[Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(("admin/", "api/v1/", "^api/v1/")):
                found.add("admin/" if route.startswith("admin/") else "api/v1/")
            elif isinstance(pattern, URLResolver):
                found |= walk(pattern.url_patterns, route)
            else:
                assert isinstance(pattern, URLPattern)
                found.add(route)
        return found

    return walk(get_resolver().url_patterns, "")


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {
        (method, path.rstrip("/") or path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_route_has_an_entry() -> None:
    assert resolver_routes() == set(PAGES)
    assert api_operations() == set(API_ROUTES)


def client_for(people: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role].user)
    return client


@pytest.mark.parametrize("route", sorted(PAGES))
def test_pages(route: str, people: dict[str, Any]) -> None:
    path, expected = PAGES[route]
    got = {role: client_for(people, role).get(path).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize("operation", sorted(API_ROUTES))
def test_api(operation: tuple[str, str], people: dict[str, Any]) -> None:
    path, payload, expected = API_ROUTES[operation]
    path = path.format(peer_group=PeerGroup.objects.order_by("slug").first().slug)  # type: ignore[union-attr]
    got = {}
    for role in ROLES:
        headers = (
            {} if role == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {people[role].token}"}
        )
        if operation[0] == "get":
            got[role] = Client().get(path, **headers).status_code
        else:
            body = json.dumps(payload) if payload is not None else ""
            got[role] = (
                Client()
                .generic(
                    operation[0].upper(), path, body, content_type="application/json", **headers
                )
                .status_code
            )
    assert got == expected
