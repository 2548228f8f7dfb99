"""The library's read-only API shows each user what the library's pages show them:
drafts and network-only projects never reach anonymous visitors or citizens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from sdgnet.accounts.actions import do_create_api_token

HIDDEN = {"t-draft", "t-network", "t-public"}


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def listed(client: Client) -> tuple[set[str], int]:
    keys: set[str] = set()
    offset = 0
    while True:
        body = json.loads(client.get(f"/api/v1/projects?limit=10&offset={offset}").content)
        keys |= {item["key"] for item in body["items"]}
        offset += 10
        if offset >= body["count"]:
            return keys, body["count"]


@pytest.mark.django_db
def test_api_lists_and_shows_only_what_the_user_may_see(
    hidden: None, people: dict[str, Any]
) -> None:
    expected = {
        None: {"t-public"},
        "citizen": {"t-public"},
        "partner": {"t-public", "t-network"},
        "editor": {"t-public", "t-network", "t-draft"},
        "network_admin": {"t-public", "t-network", "t-draft"},
    }
    for name, keys in expected.items():
        client = client_for(people[name] if name else None)
        found, count = listed(client)
        assert found & HIDDEN == keys, name
        assert count == len(found), name
        for key in sorted(HIDDEN):
            response = client.get(f"/api/v1/projects/{key}")
            assert response.status_code == (200 if key in keys else 404), (name, key)
            if key in keys:
                assert json.loads(response.content)["goals"] == [11]


@pytest.mark.django_db
def test_api_filters_by_municipality_and_goal(hidden: None) -> None:
    client = Client()
    body = json.loads(client.get("/api/v1/projects?municipality=3201&goal=11").content)
    assert "t-public" in {item["key"] for item in body["items"]}
    body = json.loads(client.get("/api/v1/projects?municipality=0301&goal=11").content)
    assert "t-public" not in {item["key"] for item in body["items"]}


@pytest.mark.django_db
def test_the_moderation_queue_is_paginated_like_every_other_list(
    hidden: None, people: dict[str, Any]
) -> None:
    """docs/api.md: lists answer {"items": [...], "count": N}, with `limit` and `offset`;
    the moderation queue, the same queue as its page's, too."""
    token = do_create_api_token(people["network_admin"]).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    whole = client.get("/api/v1/moderation").json()
    assert set(whole) == {"items", "count"}
    assert whole["count"] == len(whole["items"]) >= 3
    assert {item["key"] for item in whole["items"]} >= HIDDEN
    page = client.get("/api/v1/moderation", {"limit": 2, "offset": 1}).json()
    assert page == {"items": whole["items"][1:3], "count": whole["count"]}
    drafts = client.get("/api/v1/moderation", {"state": "draft", "limit": 1000}).json()
    assert "t-draft" in {item["key"] for item in drafts["items"]}
    assert drafts["count"] == len(drafts["items"]) < whole["count"]
    for offset in (-1, settings.NINJA_PAGINATION_MAX_OFFSET + 1):
        refused = client.get("/api/v1/moderation", {"offset": offset})
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_request"
    # Anyone else is told there is nothing to see, in their language.
    editor = do_create_api_token(people["editor"]).secret
    for headers, message in (
        ({}, "Finnes ikke, eller du har ikke tilgang til det."),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "No such object, or not yours to see."),
    ):
        response = Client().get(
            "/api/v1/moderation", HTTP_AUTHORIZATION=f"Bearer {editor}", **headers
        )
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "not_found", "message": message, "problems": []
        }  # fmt: skip
