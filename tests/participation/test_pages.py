"""The proposal pages with real users, views, templates and database: the lists and
their filters, making a proposal, support from a list, the municipality's answer and
moderation, and the JSON twins."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.participation import actions
from sdgnet.participation.models import Proposal, Support

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
BODY = "Flere sykkelparkeringer ved stasjonene, med tak og lading for elsykler."


def signed_in(email: str, role: str = Role.CITIZEN, place: str | None = None) -> Client:
    client = Client()
    client.force_login(do_create_user(email, role, place=place))
    return client


@pytest.fixture
def citizen(db: Any) -> Client:
    return signed_in("citizen@example.no")


@pytest.fixture
def three(db: Any) -> dict[str, Proposal]:
    """Three proposals: two for Bærum (the older with two supporters), one for Oslo."""
    author = do_create_user("author@example.no", Role.CITIZEN)
    bikes = actions.do_propose(author, HOME, "Sykkelparkering ved stasjonene", BODY, [11, 13])
    trees = actions.do_propose(author, HOME, "Flere trær i sentrum", BODY, [15])
    oslo = actions.do_propose(author, OTHER, "Gratis kollektivtransport", BODY, [11])
    for n in range(2):
        actions.do_support(do_create_user(f"fan{n}@example.no", Role.CITIZEN), bikes)
    return {"bikes": bikes, "trees": trees, "oslo": oslo}


def titles(page: Any) -> list[str]:
    return [proposal["title"] for proposal in json.loads(page.content)["proposals"]]


def test_a_municipalitys_list_shows_its_proposals_most_supported_first(
    client: Client, three: dict[str, Proposal]
) -> None:
    page = client.get(f"/places/{HOME}/proposals/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Flere trær i sentrum" in text
    assert "Gratis kollektivtransport" not in text
    assert titles(client.get(f"/places/{HOME}/proposals/?format=json")) == [
        "Sykkelparkering ved stasjonene",
        "Flere trær i sentrum",
    ]
    assert titles(client.get(f"/places/{HOME}/proposals/?format=json&sort=new")) == [
        "Flere trær i sentrum",
        "Sykkelparkering ved stasjonene",
    ]


def test_the_lists_filter_by_goal_and_status(client: Client, three: dict[str, Proposal]) -> None:
    assert titles(client.get("/proposals/?format=json&goal=11&sort=new")) == [
        "Gratis kollektivtransport",
        "Sykkelparkering ved stasjonene",
    ]
    editor = do_create_user("editor@example.no", Role.EDITOR, place=HOME)
    actions.do_respond(editor, three["bikes"], "declined", "Det er ikke plass ved stasjonen.")
    assert titles(client.get("/proposals/?format=json&status=declined")) == [
        "Sykkelparkering ved stasjonene"
    ]
    # A filter value the list does not know is left out, not an error.
    everything = json.loads(client.get("/proposals/?format=json&goal=99&status=x").content)
    assert everything["total"] == 3
    assert everything["filters"] == {"sort": "support"}


def test_the_json_twin_names_no_person(client: Client, three: dict[str, Proposal]) -> None:
    record = json.loads(client.get(f"/proposals/{three['bikes'].pk}/?format=json").content)
    assert record["support_count"] == 2
    assert record["goals"] == [11, 13]
    assert record["place"] == HOME
    assert "example.no" not in json.dumps(record)


def test_anonymous_visitors_are_asked_to_log_in_to_propose_or_support(
    client: Client, three: dict[str, Proposal]
) -> None:
    new = client.get(f"/places/{HOME}/proposals/new/")
    assert new.status_code == 302
    assert new["Location"].startswith("/accounts/login/?next=")
    support = client.post(f"/proposals/{three['trees'].pk}/support/", {"action": "support"})
    assert support.status_code == 302
    assert support["Location"].startswith("/accounts/login/")
    assert not Support.objects.filter(proposal=three["trees"]).exists()
    assert (
        "Logg inn for å støtte" in client.get(f"/proposals/{three['trees'].pk}/").content.decode()
    )


def test_a_citizen_makes_a_proposal(citizen: Client) -> None:
    page = citizen.post(
        f"/places/{HOME}/proposals/new/",
        {"title": "Bytteboder i alle bydeler", "body": BODY, "goals": ["12"]},
        follow=True,
    )
    proposal = Proposal.objects.get(title="Bytteboder i alle bydeler")
    assert page.redirect_chain[-1][0] == f"/proposals/{proposal.pk}/"
    assert "Takk! Forslaget ditt er publisert." in page.content.decode()
    assert [goal.number for goal in proposal.goals.all()] == [12]


def test_a_bad_proposal_is_shown_again_with_every_problem(citizen: Client) -> None:
    page = citizen.post(
        f"/en/places/{HOME}/proposals/new/", {"title": "Ja", "body": "Kort", "goals": []}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "This field is required." in text  # no goal chosen
    page = citizen.post(
        f"/en/places/{HOME}/proposals/new/",
        {"title": "Ja", "body": "Kort", "goals": ["1", "2", "3", "4"]},
    )
    assert "Choose one to 3 goals." in page.content.decode()
    page = citizen.post(
        f"/en/places/{HOME}/proposals/new/", {"title": "Ja", "body": "Kort", "goals": ["1"]}
    )
    text = page.content.decode()
    assert "The title needs 5 to 140 characters; it has 2." in text
    assert "The description needs 20 to 5000 characters; it has 4." in text
    assert not Proposal.objects.exists()


def test_support_from_a_list_returns_to_it_and_never_off_the_site(
    citizen: Client, three: dict[str, Proposal]
) -> None:
    url = f"/proposals/{three['trees'].pk}/support/"
    back = citizen.post(url, {"action": "support", "next": f"/places/{HOME}/proposals/?goal=11"})
    assert back["Location"] == f"/places/{HOME}/proposals/?goal=11"
    assert Support.objects.filter(proposal=three["trees"]).count() == 1
    away = citizen.post(url, {"action": "withdraw", "next": "https://evil.example/"})
    assert away["Location"] == f"/proposals/{three['trees'].pk}/"
    assert not Support.objects.filter(proposal=three["trees"]).exists()


def test_the_municipalitys_staff_answer_on_the_page(three: dict[str, Proposal]) -> None:
    url = f"/proposals/{three['bikes'].pk}/"
    outsider = signed_in("oslo@example.no", Role.EDITOR, OTHER)
    assert "Svar på vegne av kommunen" not in outsider.get(url).content.decode()
    assert (
        outsider.post(f"{url}respond/", {"status": "accepted", "response": "Ja"}).status_code == 404
    )
    editor = signed_in("editor@example.no", Role.EDITOR, HOME)
    assert "Svar på vegne av kommunen" in editor.get(url).content.decode()
    empty = editor.post(f"{url}respond/", {"status": "accepted", "response": ""}, follow=True)
    assert "Skriv kort hva kommunen vil gjøre." in empty.content.decode()
    done = editor.post(
        f"{url}respond/",
        {"status": "accepted", "response": "Vi bygger **40** plasser."},
        follow=True,
    )
    text = done.content.decode()
    assert "<strong>40</strong>" in text
    assert Proposal.objects.get(pk=three["bikes"].pk).status == "accepted"
    # A decided proposal no longer takes support: no button, and a post is refused.
    citizen = signed_in("late@example.no")
    assert 'value="support"' not in citizen.get(url).content.decode()
    refused = citizen.post(f"{url}support/", {"action": "support"}, follow=True)
    assert "Dette forslaget tar ikke lenger imot støtte." in refused.content.decode()


def test_a_hidden_proposal_is_gone_for_all_but_its_author_and_moderators(
    client: Client, three: dict[str, Proposal]
) -> None:
    url = f"/proposals/{three['bikes'].pk}/"
    admin = signed_in("kommune@example.no", Role.MUNICIPALITY_ADMIN, HOME)
    editor = signed_in("editor@example.no", Role.EDITOR, HOME)
    assert editor.post(f"{url}moderate/", {"action": "hide", "reason": "x"}).status_code == 404
    admin.post(f"{url}moderate/", {"action": "hide", "reason": "Reklame for et firma"})
    assert client.get(url).status_code == 404
    assert "Sykkelparkering" not in client.get(f"/places/{HOME}/proposals/").content.decode()
    author = Client()
    author.force_login(three["bikes"].created_by)
    assert "Reklame for et firma" in author.get(url).content.decode()
    admin.post(f"{url}moderate/", {"action": "restore"})
    assert client.get(url).status_code == 200


def test_an_old_municipality_number_moves_to_todays(client: Client) -> None:
    moved = client.get("/places/0219/proposals/?goal=13")
    assert moved.status_code == 301
    assert moved["Location"] == "/places/3201/proposals/?goal=13"
    assert client.get("/places/9999/proposals/").status_code == 404


def test_the_way_to_a_proposal_from_the_network_list_asks_for_the_municipality(
    citizen: Client,
) -> None:
    assert citizen.get("/proposals/new/?place=3201")["Location"] == "/places/3201/proposals/new/"
    page = citizen.get("/en/proposals/new/?place=9999")
    assert "No municipality has the number 9999." in page.content.decode()
    assert 'value="3201"' in page.content.decode()


def test_the_home_page_invites_people_to_take_part(client: Client) -> None:
    page = client.get("/").content.decode()
    assert '<h2 id="take-part-heading">Bli med</h2>' in page
    assert 'href="/proposals/"' in page and 'href="/pledges/"' in page


def test_the_author_withdraws_on_the_proposals_page(three: dict[str, Proposal]) -> None:
    url = f"/proposals/{three['trees'].pk}/"
    author = Client()
    author.force_login(three["trees"].created_by)
    assert "Trekk tilbake forslaget mitt" in author.get(url).content.decode()
    other = signed_in("other@example.no")
    assert "Trekk tilbake forslaget mitt" not in other.get(url).content.decode()
    assert other.post(f"{url}withdraw/").status_code == 404
    done = author.post(f"{url}withdraw/", follow=True)
    assert done.redirect_chain[-1][0] == f"/places/{HOME}/proposals/"
    assert "Forslaget ditt er trukket tilbake." in done.content.decode()
    assert not Proposal.objects.filter(pk=three["trees"].pk).exists()
