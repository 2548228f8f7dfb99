"""A municipality's pages under an old or shortened number lead to today's number."""

from __future__ import annotations

import pytest
from django.test import Client

from sdgnet.places.models import CodeHistory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "moved_to"),
    [
        # Bergen was 1201 until the 2020 reform.
        ("/places/1201/", "/places/4601/"),
        ("/en/places/1201/", "/en/places/4601/"),
        ("/places/1201/goals/16/?band=size", "/places/4601/goals/16/?band=size"),
        # Excel drops Oslo's leading zero.
        ("/places/301/?format=json", "/places/0301/?format=json"),
    ],
)
def test_an_old_or_shortened_number_redirects_to_todays(path: str, moved_to: str) -> None:
    response = Client().get(path)
    assert response.status_code == 301
    assert response["Location"] == moved_to
    assert Client().get(moved_to).status_code == 200


def test_a_split_municipality_and_unknown_numbers_are_not_found() -> None:
    # Snillfjord (5012) was split between three municipalities in 2020: no one page.
    successors = set(
        CodeHistory.objects.filter(old_code="5012").values_list("new_place", flat=True)
    )
    assert len(successors) > 1
    for path in ["/places/5012/", "/places/9999/", "/places/abc/", "/places/3201/goals/99/"]:
        assert Client().get(path).status_code == 404, path


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/places/9999/?format=json", "Det finnes ingen side"),
        ("/en/places/9999/?format=json", "There is no page at this address"),
        ("/indicators/no-such/?format=json", "Det finnes ingen side"),
    ],
)
def test_a_missing_page_asked_for_as_json_answers_json(path: str, message: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["message"].startswith(message)
    page = Client().get(path.replace("format=json", "format=html"))
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
