"""The API's own limits: offsets past what a database holds and request rates are
refused in the one error format, never with a 500."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/goals",
    "/api/v1/frameworks",
    "/api/v1/places",
    "/api/v1/peer-groups",
    "/api/v1/indicators",
    "/api/v1/observations",
    "/api/v1/scores",
    "/api/v1/projects",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", [2**63, settings.NINJA_PAGINATION_MAX_OFFSET + 1, -1])
def test_an_offset_out_of_range_is_a_validation_error(path: str, offset: int) -> None:
    response = Client().get(path, {"offset": offset})
    assert response.status_code == 422, response.content[:200]
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", LISTS)
def test_every_list_answers_a_page_of_items_with_the_count(path: str) -> None:
    """docs/api.md: lists are paginated with `limit` and `offset` and answer
    {"items": [...], "count": N}."""
    whole = Client().get(path).json()
    assert set(whole) == {"items", "count"} and len(whole["items"]) <= whole["count"]
    first = Client().get(path, {"limit": 1}).json()
    assert first["count"] == whole["count"]
    assert first["items"] == whole["items"][:1]
    second = Client().get(path, {"limit": 1, "offset": 1}).json()
    assert second["items"] == whole["items"][1:2]


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_offset_allowed_answers_an_empty_page(path: str) -> None:
    response = Client().get(path, {"offset": settings.NINJA_PAGINATION_MAX_OFFSET})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_anonymous_clients_are_throttled_with_the_error_format() -> None:
    allowed = int(settings.SDGNET_API_ANON_RATE.split("/")[0])
    client = Client()
    answers = [client.get("/api/v1/goals", {"limit": 1}).status_code for _ in range(allowed)]
    assert set(answers) == {200}
    refused = client.get("/api/v1/goals", {"limit": 1})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    # A token holder is counted on their own account, not with the anonymous readers.
    user = do_create_user("reader@example.no", Role.CITIZEN, password="lang-Passord-2030")
    token = do_create_api_token(user).secret
    own = client.get("/api/v1/goals", {"limit": 1}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert own.status_code == 200


# Run in a second Python process: the same throttle, the same client address.
_OTHER_WORKER = """
import django, sys
django.setup()
from django.test import RequestFactory
from sdgnet.web.api import AnonymousThrottle
request = RequestFactory().get("/api/v1/goals", REMOTE_ADDR=sys.argv[1])
print(" ".join(str(AnonymousThrottle("5/m").allow_request(request)) for _ in range(3)))
"""


def test_the_rate_limit_is_counted_once_for_every_worker_process() -> None:
    """`sdgnet serve` runs several worker processes; a client's requests are counted
    together whichever worker answers them, through the cache they share."""
    from sdgnet.web.api import AnonymousThrottle

    address = "198.51.100.23"
    request = RequestFactory().get("/api/v1/goals", REMOTE_ADDR=address)
    assert [AnonymousThrottle("5/m").allow_request(request) for _ in range(3)] == [True] * 3
    other = subprocess.run(
        [sys.executable, "-c", _OTHER_WORKER, address],
        env={
            **os.environ,
            "SDGNET_DATA_DIR": str(settings.DATA_DIR),
            "SDGNET_CACHE_DIR": settings.CACHES["default"].get("LOCATION", ""),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    # The other process saw this one's three requests: two more, then refused ...
    assert other.stdout.split() == ["True", "True", "False"], other.stderr[-2000:]
    # ... and this one sees the other's.
    assert AnonymousThrottle("5/m").allow_request(request) is False


def test_requests_at_the_same_moment_are_each_counted() -> None:
    """Workers answering one client at once each read, add to and write back its
    history: under the throttle's lock none of them is lost."""
    from concurrent.futures import ThreadPoolExecutor

    from sdgnet.web.api import AnonymousThrottle

    address = "198.51.100.77"

    def ask(_: int) -> bool:
        # A throttle of its own per request, as each worker process has.
        request = RequestFactory().get("/api/v1/goals", REMOTE_ADDR=address)
        return bool(AnonymousThrottle("40/m").allow_request(request))

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(120)))
    assert answers.count(True) == 40


def test_the_page_cache_cannot_push_out_the_rate_limit_counts() -> None:
    """Anyone can fill the page cache (one entry per address asked for), and a full file
    cache drops entries at random: the counts live in a cache of their own."""
    from django.core.cache import caches

    from sdgnet.web.api import AnonymousThrottle

    request = RequestFactory().get("/api/v1/goals", REMOTE_ADDR="198.51.100.99")
    assert [AnonymousThrottle("5/m").allow_request(request) for _ in range(3)] == [True] * 3
    caches["default"].clear()  # as culling a full page cache may do to any entry
    answers = [AnonymousThrottle("5/m").allow_request(request) for _ in range(3)]
    assert answers == [True, True, False]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/indicators",
        "/api/v1/frameworks/kommunale-baerekraftsindikatorer/indicators",
        "/api/v1/projects",
    ],
)
@pytest.mark.parametrize("goal", ["0", "18", str(2**63)])
def test_a_goal_number_out_of_range_is_a_validation_error(path: str, goal: str) -> None:
    # 2**63 once failed the query on SQLite (a 500); schemathesis found it.
    response = Client().get(path, {"goal": goal})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("number", ["0", "18", str(2**63)])
def test_a_goal_out_of_range_is_not_found(number: str) -> None:
    response = Client().get(f"/api/v1/goals/{number}")
    assert response.status_code == 404
