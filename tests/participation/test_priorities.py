"""The residents' priorities: each person's choice of up to five goals for a municipality,
the counts beside where the municipality stands, the page, its JSON twin and the council
report. Real users, views, stored scores and database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import AuditEvent, Role
from sdgnet.participation import actions
from sdgnet.participation.access import priorities_of, priority_counts
from sdgnet.participation.actions import ParticipationError

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
PAGE = f"/places/{HOME}/priorities/"


@pytest.fixture(autouse=True)
def with_stored_scores(stored_scores: None) -> Iterator[None]:
    cache.clear()  # the report is cached per data stamp; start each test without it
    yield


def person(n: int) -> Any:
    return do_create_user(f"resident{n}@example.no", Role.CITIZEN)


def test_a_choice_replaces_the_earlier_one_and_can_be_taken_back() -> None:
    resident = person(1)
    actions.do_set_priorities(resident, HOME, [3, 13])
    actions.do_set_priorities(resident, HOME, [13, 4, 1])
    assert priorities_of(resident, HOME) == [1, 4, 13]
    assert priority_counts(HOME) == (1, {1: 1, 4: 1, 13: 1})
    assert actions.do_clear_priorities(resident, HOME) is True
    assert actions.do_clear_priorities(resident, HOME) is False
    assert priority_counts(HOME) == (0, {})
    assert not AuditEvent.objects.filter(action__contains="priorit").exists()


def test_one_to_five_known_goals() -> None:
    resident = person(1)
    with translation.override("en"):
        for goals, problem in (([], "Choose one to 5 goals."), (list(range(1, 7)), "Choose one to 5 goals."), ([18], "Unknown goal number.")):  # fmt: skip
            with pytest.raises(ParticipationError) as raised:
                actions.do_set_priorities(resident, HOME, goals)
            assert raised.value.problems == [problem]
        with pytest.raises(ParticipationError) as raised:
            actions.do_set_priorities(resident, "9999", [1])
        assert raised.value.problems == ["No municipality has the number 9999."]


def test_the_page_counts_the_choices_beside_where_the_municipality_stands(
    client: Client,
) -> None:
    for n, goals in enumerate(([13, 3], [13, 16], [13], [3])):
        actions.do_set_priorities(person(n), HOME, goals)
    data = json.loads(client.get(PAGE, {"format": "json"}).content)
    assert data["participants"] == 4
    ranked = [(goal["number"], goal["chosen_by"], goal["share"]) for goal in data["goals"][:4]]
    assert ranked == [(13, 3, 0.75), (3, 2, 0.5), (16, 1, 0.25), (1, 0, 0.0)]
    assert len(data["goals"]) == 17
    # The municipality page's status on each goal, from the stored scores.
    place = json.loads(client.get(f"/places/{HOME}/", {"format": "json"}).content)
    status = {tile["number"]: tile["status"] for tile in place["goals"]}
    assert {goal["number"]: goal["status"] for goal in data["goals"]} == status
    far = [n for n in (13, 3, 16) if status[n] in ("red", "orange")]
    assert data["priorities_far_from_target"] == far
    html = client.get(PAGE).content.decode()
    assert "4 personer har valgt." in html
    assert "75\xa0%" in html
    assert "Logg inn for å velge dine prioriteringer" in html


def test_a_resident_chooses_changes_and_takes_back_on_the_page() -> None:
    resident = Client()
    resident.force_login(person(1))
    saved = resident.post(PAGE, {"action": "save", "goals": ["13", "3"]}, follow=True)
    text = saved.content.decode()
    assert "Takk! Prioriteringene dine er lagret." in text
    assert text.count("(ditt valg)") == 2
    too_many = resident.post(
        f"/en{PAGE}", {"action": "save", "goals": ["1", "2", "3", "4", "5", "6"]}
    )
    assert "Choose one to 5 goals." in too_many.content.decode()
    assert priority_counts(HOME) == (1, {3: 1, 13: 1})
    resident.post(PAGE, {"action": "clear"})
    assert priority_counts(HOME) == (0, {})
    anonymous = Client().post(PAGE, {"action": "save", "goals": ["13"]})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_council_report_says_what_matters_most(client: Client) -> None:
    report = json.loads(client.get(f"/places/{HOME}/report/", {"format": "json"}).content)
    assert report["priorities"]["participants"] == 0
    for n in range(3):
        actions.do_set_priorities(person(n), HOME, [11] if n else [11, 7])
    report = json.loads(client.get(f"/places/{HOME}/report/", {"format": "json"}).content)
    assert report["priorities"]["participants"] == 3
    assert [(g["number"], g["chosen_by"]) for g in report["priorities"]["most_chosen"]] == [
        (11, 3),
        (7, 1),
    ]
    html = client.get(f"/places/{HOME}/report/").content.decode()
    assert "3 personer har valgt målene som betyr mest for dem." in html


def test_an_old_municipality_number_moves_to_todays(client: Client) -> None:
    moved = client.get("/places/0219/priorities/")
    assert moved.status_code == 301
    assert moved["Location"] == PAGE


def test_the_api_gives_the_pages_data(client: Client) -> None:
    actions.do_set_priorities(person(1), HOME, [13, 3])
    page = json.loads(client.get(PAGE, {"format": "json"}).content)
    api = client.get(f"/api/v1/places/{HOME}/priorities").json()
    fields = ("number", "short", "chosen_by", "share", "status", "status_label", "score", "url")
    assert api["participants"] == page["participants"] == 1
    assert api["goals"] == [{key: goal[key] for key in fields} for goal in page["goals"]]
    assert api["priorities_far_from_target"] == page["priorities_far_from_target"]
    assert client.get("/api/v1/places/9999/priorities").status_code == 404
    assert client.get("/api/v1/places/32/priorities").status_code == 404  # a county
