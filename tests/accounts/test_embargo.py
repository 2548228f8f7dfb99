"""Embargoed values are seen only by their municipality and network admins: never by
anonymous users, citizens or other municipalities, on pages, JSON twins, the API or
exports, until they are published."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from sdgnet.observations.exports import observation_rows
from sdgnet.observations.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db

HOME = "3201"
TURNOUT = "voter-turnout-storting"
# A turnout (a share in percent, 0–100) that no page shows unless it leaks.
SECRET_VALUE = 99.9123

READ_PATHS = [
    f"/places/{HOME}/",
    f"/places/{HOME}/?format=json",
    f"/en/places/{HOME}/",
    f"/places/{HOME}/goals/16/",
    f"/places/{HOME}/goals/16/?format=json",
    f"/indicators/{TURNOUT}/",
    f"/indicators/{TURNOUT}/?format=json",
    "/network/?format=json",
    f"/api/v1/observations?place={HOME}&indicator={TURNOUT}&limit=1000",
    f"/api/v1/observations?place={HOME}&year=2026&limit=1000",
    f"/api/v1/scores?place={HOME}&indicator={TURNOUT}&limit=1000",
    "/data/observations.csv",
]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response: Any) -> str:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)


def shows_secret(text: str) -> bool:
    return any(form in text for form in ("99.9123", "99,9123", "99,9"))


def embargo_import(people: dict[str, Any]) -> ImportBatch:
    response = Client().post(
        "/api/v1/observations?embargoed=true",
        json.dumps([{"place": HOME, "indicator": TURNOUT, "year": 2026, "value": SECRET_VALUE}]),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {people['editor'].token}",
    )
    assert response.status_code == 201, response.content
    return ImportBatch.objects.get(pk=response.json()["batch"])


def test_embargoed_values_stay_hidden_until_published(people: dict[str, Any]) -> None:
    outsiders = [None, people["citizen"].user, people["partner"].user]
    outsiders += [people["other_editor"].user, people["other_admin"].user]
    batch = embargo_import(people)
    assert Observation.objects.get(batch=batch).embargoed
    for user in outsiders:
        client = client_for(user)
        for path in READ_PATHS:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert not shows_secret(body(response)), (path, user)
        assert client.get("/api/v1/batches/embargoed").json()["count"] == 0
    assert not any(row[3] == SECRET_VALUE for row in observation_rows())  # CLI export
    # Its municipality and network admins see it.
    for name in ("editor", "municipality_admin", "network_admin"):
        client = client_for(people[name].user)
        api = client.get(f"/api/v1/observations?place={HOME}&indicator={TURNOUT}&year=2026")
        assert [item["value"] for item in api.json()["items"]] == [SECRET_VALUE], name
        assert shows_secret(body(client.get("/data/observations.csv")))
    # An editor may not publish; the municipality's admin may.
    editor = client_for(people["editor"].user)
    assert editor.post(f"/data/batches/{batch.pk}/publish/").status_code == 403
    admin = client_for(people["municipality_admin"].user)
    assert admin.post(f"/data/batches/{batch.pk}/publish/").status_code == 302
    api = Client().get(f"/api/v1/observations?place={HOME}&indicator={TURNOUT}&year=2026")
    assert [item["value"] for item in api.json()["items"]] == [SECRET_VALUE]


def test_an_embargoed_import_changes_nothing_outsiders_see(people: dict[str, Any]) -> None:
    outsiders = {"anonymous": None, "other_editor": people["other_editor"].user}
    before = {
        (name, path): body(client_for(user).get(path))
        for name, user in outsiders.items()
        for path in READ_PATHS
        if "/api/" in path or path.endswith(".csv")
    }
    embargo_import(people)
    after = {
        (name, path): body(client_for(user).get(path))
        for name, user in outsiders.items()
        for path in READ_PATHS
        if "/api/" in path or path.endswith(".csv")
    }
    assert before == after


def test_the_unpublished_imports_page_shows_editors_their_municipalitys(
    people: dict[str, Any],
) -> None:
    batch = embargo_import(people)
    listed = f"#{batch.pk} api"
    editor = body(client_for(people["editor"].user).get("/data/embargoed/"))
    assert listed in editor
    assert f"/data/batches/{batch.pk}/publish/" not in editor  # they may not publish it
    assert "administrator" in body(client_for(people["editor"].user).get("/en/data/embargoed/"))
    admin = body(client_for(people["municipality_admin"].user).get("/data/embargoed/"))
    assert f"/data/batches/{batch.pk}/publish/" in admin
    # Another municipality's editor has the page, but not this import on it.
    other = client_for(people["other_editor"].user).get("/data/embargoed/")
    assert other.status_code == 200
    assert listed not in body(other)
