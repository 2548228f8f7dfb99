"""The library's read-only API shows each user what the library's pages show them:
drafts and network-only projects never reach anonymous visitors or citizens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

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
