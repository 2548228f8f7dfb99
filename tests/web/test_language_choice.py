"""The language button takes you to the same page in the other language, both ways, and
the choice is remembered for addresses without a language prefix."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def switch(client: Client, page: str, language: str) -> str:
    html = client.get(page).content.decode()
    next_url = re.search(r'name="next" type="hidden" value="([^"]*)"', html)
    assert next_url is not None
    response = client.post(
        "/i18n/setlang/", {"language": language, "next": next_url.group(1)}, follow=False
    )
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.parametrize("page", ["/", "/goals/3/", "/places/3201/", "/search/?q=B%C3%A6rum"])
def test_switch_to_english_and_back(page: str) -> None:
    client = Client()
    english = switch(client, page, "en")
    assert english == "/en" + page
    assert client.get(english).headers["Content-Language"] == "en"
    assert switch(client, english, "nb") == page
    assert client.get(page).headers["Content-Language"] == "nb"


def test_english_choice_remembered_for_unprefixed_addresses() -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get("/places/3201/?format=json")
    assert response.status_code == 302
    assert response["Location"] == "/en/places/3201/?format=json"
    assert "Cookie" in response["Vary"]
    # not for pages outside the language prefixes, nor for other methods
    assert client.get("/healthz").status_code == 200
    assert client.post("/places/3201/").status_code != 302


def test_bokmaal_by_default_and_when_chosen() -> None:
    assert Client().get("/goals/3/").status_code == 200
    client = Client()
    client.cookies["django_language"] = "nb"
    response = client.get("/goals/3/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "nb"
