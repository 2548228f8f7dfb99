"""The pledge pages with real users, views, templates and database: the lists, making a
pledge, reporting progress, moderation and the JSON twins."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.partners import actions
from sdgnet.partners.models import Pledge

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
TEXT = "Vi bytter alle varebilene våre til elektriske og rapporterer utslippene hvert år."


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partner(db: Any) -> Any:
    return do_create_user("acme@example.no", Role.PARTNER, organisation="Acme AS")


@pytest.fixture
def two(partner: Any) -> dict[str, Pledge]:
    """Two pledges by Acme AS: vans in Bærum by 2030, and later solar panels in Oslo by 2027."""
    vans = actions.do_pledge(partner, HOME, "Elektriske varebiler", TEXT, [7, 13], due_year=2030)
    solar = actions.do_pledge(partner, OTHER, "Solceller på lageret", TEXT, [7], due_year=2027)
    return {"vans": vans, "solar": solar}


def titles(page: Any) -> list[str]:
    return [pledge["title"] for pledge in json.loads(page.content)["pledges"]]


def test_the_lists_show_pledges_newest_or_soonest_due_first(
    client: Client, two: dict[str, Pledge]
) -> None:
    assert titles(client.get("/pledges/?format=json")) == [
        "Solceller på lageret",
        "Elektriske varebiler",
    ]
    assert titles(client.get("/pledges/?format=json&sort=due")) == [
        "Solceller på lageret",
        "Elektriske varebiler",
    ]
    assert titles(client.get(f"/places/{OTHER}/pledges/?format=json&goal=13")) == []
    assert titles(client.get(f"/places/{HOME}/pledges/?format=json&goal=13")) == [
        "Elektriske varebiler"
    ]
    page = client.get(f"/places/{HOME}/pledges/").content.decode()
    assert "Forpliktelser i Bærum" in page
    assert "Acme AS" in page
    assert "Solceller på lageret" not in page


def test_the_json_twin_names_the_organisation_not_the_person(
    client: Client, two: dict[str, Pledge]
) -> None:
    record = json.loads(client.get(f"/pledges/{two['vans'].pk}/?format=json").content)
    assert record["organisation"] == "Acme AS"
    assert record["goals"] == [7, 13]
    assert record["due_year"] == 2030
    assert "example.no" not in json.dumps(record)


def test_a_partner_makes_a_pledge_and_others_may_not(partner: Any) -> None:
    form = {"place": HOME, "title": "Gratis lading", "description": TEXT, "goals": ["7"]}
    page = signed_in(partner).post("/pledges/new/", {**form, "due_year": "2030"}, follow=True)
    made = Pledge.objects.get(title="Gratis lading")
    assert page.redirect_chain[-1][0] == f"/pledges/{made.pk}/"
    assert "Takk! Forpliktelsen er publisert." in page.content.decode()
    assert made.organisation == "Acme AS"
    citizen = signed_in(do_create_user("citizen@example.no", Role.CITIZEN))
    assert citizen.get("/pledges/new/").status_code == 403
    assert citizen.post("/pledges/new/", {**form, "due_year": "2030"}).status_code == 403
    assert Client().get("/pledges/new/")["Location"].startswith("/accounts/login/")


def test_a_bad_pledge_is_shown_again_with_its_problems(partner: Any) -> None:
    page = signed_in(partner).post(
        "/en/pledges/new/",
        {"place": "9999", "title": "Ja", "description": "Kort", "goals": [], "due_year": "1999"},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Select a valid choice. 9999 is not one of the available choices." in text
    assert "Select a valid choice. 1999 is not one of the available choices." in text
    assert not Pledge.objects.exists()


def test_the_organisation_reports_progress_on_the_page(
    client: Client, partner: Any, two: dict[str, Pledge]
) -> None:
    url = f"/pledges/{two['vans'].pk}/"
    rival = signed_in(do_create_user("rival@example.no", Role.PARTNER, organisation="Rival AS"))
    assert "Rapporter fremdrift" not in rival.get(url).content.decode()
    assert rival.post(f"{url}progress/", {"progress": 50, "status": "active"}).status_code == 404
    acme = signed_in(partner)
    refused = acme.post(
        f"{url}progress/", {"progress": 60, "status": "fulfilled", "note": ""}, follow=True
    )
    assert "En oppfylt forpliktelse står på 100 %." in refused.content.decode()
    done = acme.post(
        f"{url}progress/",
        {"progress": 45, "status": "active", "note": "**14** av 30 biler byttet."},
        follow=True,
    )
    assert "<strong>14</strong> av 30 biler byttet." in done.content.decode()
    assert 'value="45"' in client.get(url).content.decode()  # the progress bar


def test_a_hidden_pledge_is_gone_for_others(client: Client, two: dict[str, Pledge]) -> None:
    url = f"/pledges/{two['vans'].pk}/"
    admin = signed_in(do_create_user("kommune@example.no", Role.MUNICIPALITY_ADMIN, place=HOME))
    admin.post(f"{url}moderate/", {"action": "hide", "reason": "Ren reklame"})
    assert client.get(url).status_code == 404
    assert "Elektriske varebiler" not in client.get("/pledges/").content.decode()
    admin.post(f"{url}moderate/", {"action": "restore"})
    assert client.get(url).status_code == 200
    oslo = signed_in(do_create_user("oslo@example.no", Role.MUNICIPALITY_ADMIN, place=OTHER))
    assert oslo.post(f"{url}moderate/", {"action": "hide", "reason": "x"}).status_code == 404


def test_an_old_municipality_number_moves_to_todays(client: Client) -> None:
    moved = client.get("/places/0219/pledges/")
    assert moved.status_code == 301
    assert moved["Location"] == "/places/3201/pledges/"


def test_a_pledges_page_shows_the_municipalitys_value_on_its_indicator(
    client: Client, partner: Any, stored_scores: None
) -> None:
    form = {
        "place": HOME,
        "title": "Valgskyss for eldre",
        "description": TEXT,
        "goals": ["16"],
        "due_year": "2030",
        "indicator": "voter-turnout-storting",
    }
    signed_in(partner).post("/pledges/new/", form)
    made = Pledge.objects.get(title="Valgskyss for eldre")
    page = client.get(f"/pledges/{made.pk}/").content.decode()
    assert "Valgdeltakelse ved stortingsvalg" in page
    assert "86,3 prosent (2025)" in page  # Bærum's latest value, as its goal page shows it
    assert "88,6 prosent (2030)" in page  # the framework's 2030 target
    assert f'href="/places/{HOME}/goals/16/"' in page
    record = json.loads(client.get(f"/pledges/{made.pk}/", {"format": "json"}).content)
    assert record["indicator"] == "voter-turnout-storting"
