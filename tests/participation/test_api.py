"""The proposals API: lists and one proposal as the pages show them to the requester,
proposing and supporting through the same actions and rules; who made or supports a
proposal is never in an answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role
from sdgnet.participation.actions import do_hide, do_propose, do_respond, do_support
from sdgnet.participation.models import Proposal, Support

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
BODY = "Flere sykkelstativer ved stasjonene, med tak over."
FIELDS = {
    "id", "place", "place_name", "title", "body", "goals", "status", "support_count",
    "response", "responded_at", "created_at", "hidden", "url",
}  # fmt: skip


@dataclass
class Person:
    user: Any
    token: str


def person(email: str, role: str, place: str | None = None) -> Person:
    user = do_create_user(email, role, place=place)
    return Person(user=user, token=do_create_api_token(user).secret)


@pytest.fixture
def people(db: Any) -> dict[str, Person]:
    return {
        "network_admin": person("admin@example.no", Role.NETWORK_ADMIN),
        "municipality_admin": person("kommune@example.no", Role.MUNICIPALITY_ADMIN, HOME),
        "other_admin": person("oslo-admin@example.no", Role.MUNICIPALITY_ADMIN, OTHER),
        "author": person("author@example.no", Role.CITIZEN),
        "citizen": person("citizen@example.no", Role.CITIZEN),
        "neighbour": person("neighbour@example.no", Role.CITIZEN),
        "partner": person("partner@example.no", Role.PARTNER),
    }


def client(who: Person | None = None, language: str | None = None) -> Client:
    headers: dict[str, str] = {}
    if who is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {who.token}"
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return Client(**headers)


def propose(who: Person, title: str, place: str = HOME, goals: list[int] | None = None) -> Any:
    return do_propose(who.user, place, title, BODY, goals or [11])


def listed(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_an_item_has_every_field_and_nobody_s_identity(people: dict[str, Person]) -> None:
    made = propose(people["author"], "  Sykkelstativer ved stasjonene  ", goals=[13, 11, 13])
    do_support(people["citizen"].user, made)
    do_support(people["neighbour"].user, made)
    response = client().get("/api/v1/proposals")
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) == FIELDS
    # Times to the millisecond, as Django's JSON encoder writes them.
    created = made.created_at.replace(microsecond=made.created_at.microsecond // 1000 * 1000)
    assert datetime.fromisoformat(item.pop("created_at")) == created
    assert item == {
        "id": made.pk,
        "place": HOME,
        "place_name": "Bærum",
        "title": "Sykkelstativer ved stasjonene",
        "body": BODY,
        "goals": [11, 13],
        "status": "open",
        "support_count": 2,
        "response": "",
        "responded_at": None,
        "hidden": False,
        "url": f"/proposals/{made.pk}/",
    }
    # No email, user id or name of the author or the supporters, anywhere in the answer.
    raw = response.content.decode()
    for name in ("author", "citizen", "neighbour"):
        assert people[name].user.email not in raw
    assert "created_by" not in raw and "user" not in raw
    detail = client().get(f"/api/v1/proposals/{made.pk}").content.decode()
    assert "author@example.no" not in detail and "created_by" not in detail
    # The page's address follows the request's language.
    english = client(language="en").get(f"/api/v1/proposals/{made.pk}").json()
    assert english["url"] == f"/en/proposals/{made.pk}/"


def test_the_list_is_sorted_by_support_or_newest_first(people: dict[str, Person]) -> None:
    first = propose(people["author"], "Den første ideen")
    second = propose(people["author"], "Den andre ideen")
    third = propose(people["author"], "Den tredje ideen")
    fourth = propose(people["author"], "Den fjerde ideen")
    for who in ("citizen", "neighbour", "partner"):
        do_support(people[who].user, second)
    for who in ("citizen", "partner"):
        do_support(people[who].user, first)
    do_support(people["citizen"].user, third)  # fourth: none
    by_support = client().get("/api/v1/proposals").json()["items"]
    assert [item["id"] for item in by_support] == [second.pk, first.pk, third.pk, fourth.pk]
    assert [item["support_count"] for item in by_support] == [3, 2, 1, 0]
    assert listed(client().get("/api/v1/proposals?sort=support")) == [
        second.pk, first.pk, third.pk, fourth.pk
    ]  # fmt: skip
    assert listed(client().get("/api/v1/proposals?sort=new")) == [
        fourth.pk, third.pk, second.pk, first.pk
    ]  # fmt: skip
    # Equal support: the newer first.
    do_support(people["neighbour"].user, third)
    assert listed(client().get("/api/v1/proposals"))[:3] == [second.pk, third.pk, first.pk]
    # Paginated like every list.
    page = client().get("/api/v1/proposals?limit=2&offset=1").json()
    assert page["count"] == 4
    assert [item["id"] for item in page["items"]] == [third.pk, first.pk]


def test_the_list_filters_by_place_goal_and_status(people: dict[str, Person]) -> None:
    bus = propose(people["author"], "Bussen oftere", goals=[11])
    trees = propose(people["author"], "Flere trær i byen", goals=[13, 15])
    oslo = propose(people["citizen"], "Trær i Oslo sentrum", place=OTHER, goals=[15])
    do_support(people["neighbour"].user, trees)
    do_support(people["partner"].user, trees)
    do_respond(people["municipality_admin"].user, trees, "considered", "Vi ser på det.")
    get = client().get
    assert set(listed(get(f"/api/v1/proposals?place={HOME}"))) == {bus.pk, trees.pk}
    assert listed(get(f"/api/v1/proposals?place={OTHER}")) == [oslo.pk]
    assert listed(get("/api/v1/proposals?place=9999")) == []
    assert set(listed(get("/api/v1/proposals?goal=15"))) == {trees.pk, oslo.pk}
    assert listed(get("/api/v1/proposals?goal=11")) == [bus.pk]
    assert listed(get("/api/v1/proposals?goal=1")) == []
    # Past 1-17, as every list of the API: a validation error.
    assert get("/api/v1/proposals?goal=99999999999").status_code == 422
    assert get("/api/v1/proposals?goal=18").status_code == 422
    assert listed(get("/api/v1/proposals?status=considered")) == [trees.pk]
    assert set(listed(get("/api/v1/proposals?status=open"))) == {bus.pk, oslo.pk}
    assert listed(get("/api/v1/proposals?status=accepted")) == []
    assert listed(get(f"/api/v1/proposals?place={HOME}&goal=13&status=considered")) == [trees.pk]
    # Filtering by a goal joins the goals, and the support count still counts each once.
    item = get("/api/v1/proposals?goal=13").json()["items"][0]
    assert (item["support_count"], item["goals"], item["status"]) == (2, [13, 15], "considered")
    assert item["response"] == "Vi ser på det."
    assert item["responded_at"] is not None


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "status=closed",
            "status",
            "Unknown status “closed”; use one of: open, considered, accepted, declined.",
        ),
        ("sort=popular", "sort", "Unknown sort order “popular”; use one of: support, new."),
        ("sort=", "sort", "Unknown sort order “”; use one of: support, new."),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(query: str, field: str, message: str) -> None:
    response = client(language="en").get(f"/api/v1/proposals?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_filter",
            "message": message,
            "problems": [{"field": field, "message": message}],
        }
    }


def test_a_goal_that_is_not_a_number_does_not_match_the_schema() -> None:
    response = client().get("/api/v1/proposals?goal=klima")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_one_proposal_and_a_missing_one(people: dict[str, Person]) -> None:
    made = propose(people["author"], "Gatelys langs turstien", goals=[3, 11])
    do_support(people["citizen"].user, made)
    response = client().get(f"/api/v1/proposals/{made.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["goals"], body["support_count"]) == (
        made.pk, "Gatelys langs turstien", [3, 11], 1
    )  # fmt: skip
    for missing in (made.pk + 1000, 0, 2**63, 10**30):
        response = client(language="en").get(f"/api/v1/proposals/{missing}")
        assert response.status_code == 404, missing
        assert response.json()["error"] == {
            "code": "not_found", "message": "No such object, or not yours to see.", "problems": []
        }  # fmt: skip


def test_a_hidden_proposal_is_seen_by_its_author_and_moderators_only(
    people: dict[str, Person],
) -> None:
    shown = propose(people["author"], "Benker i parken")
    hidden = propose(people["author"], "Et innlegg som bryter reglene")
    do_hide(people["municipality_admin"].user, hidden, "Personangrep.")
    for name in (None, "citizen", "partner", "other_admin"):
        who = people[name] if name else None
        assert listed(client(who).get("/api/v1/proposals")) == [shown.pk], name
        assert client(who).get(f"/api/v1/proposals/{hidden.pk}").status_code == 404, name
        assert client(who).get("/api/v1/proposals?sort=new").json()["count"] == 1, name
    for name in ("author", "municipality_admin", "network_admin"):
        found = client(people[name]).get("/api/v1/proposals?sort=new")
        assert listed(found) == [hidden.pk, shown.pk], name
        one = client(people[name]).get(f"/api/v1/proposals/{hidden.pk}")
        assert one.status_code == 200, name
        assert one.json()["hidden"] is True
        assert "hidden_reason" not in one.json() and "Personangrep" not in one.content.decode()


def test_proposing(people: dict[str, Person]) -> None:
    response = client(people["citizen"]).post(
        "/api/v1/proposals",
        {"place": HOME, "title": " Badeplass ved Fornebu ", "body": BODY, "goals": [14, 3, 14]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    made = Proposal.objects.get()
    assert made.created_by == people["citizen"].user
    assert body["id"] == made.pk
    assert (body["place"], body["place_name"], body["title"], body["body"]) == (
        HOME, "Bærum", "Badeplass ved Fornebu", BODY
    )  # fmt: skip
    assert (body["goals"], body["status"], body["support_count"], body["hidden"]) == (
        [3, 14], "open", 0, False
    )  # fmt: skip
    assert body["url"] == f"/proposals/{made.pk}/"
    assert "citizen@example.no" not in response.content.decode()
    assert client().get(f"/api/v1/proposals/{made.pk}").json()["title"] == "Badeplass ved Fornebu"


GOOD = {"place": HOME, "title": "Badeplass ved Fornebu", "body": BODY, "goals": [14]}


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({"title": "Bad"}, ["The title needs 5 to 140 characters; it has 3."]),
        ({"title": "    Bad   "}, ["The title needs 5 to 140 characters; it has 3."]),
        ({"title": "x" * 141}, ["The title needs 5 to 140 characters; it has 141."]),
        ({"body": "Kort."}, ["The description needs 20 to 5000 characters; it has 5."]),
        ({"body": "x" * 5001}, ["The description needs 20 to 5000 characters; it has 5001."]),
        ({"goals": []}, ["Choose one to 3 goals."]),
        ({"goals": [1, 2, 3, 4]}, ["Choose one to 3 goals."]),
        ({"goals": [18]}, ["Unknown goal number."]),
        ({"goals": [0, 13]}, ["Unknown goal number."]),
        ({"place": "9999"}, ["No municipality has the number 9999."]),
        ({"place": "32"}, ["No municipality has the number 32."]),  # a county
        (
            {"title": "Bad", "goals": []},
            ["The title needs 5 to 140 characters; it has 3.", "Choose one to 3 goals."],
        ),
    ],
)
def test_a_bad_proposal_is_refused_with_every_problem(
    people: dict[str, Person], change: dict[str, Any], problems: list[str]
) -> None:
    response = client(people["citizen"], language="en").post(
        "/api/v1/proposals", {**GOOD, **change}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {
            "code": "invalid_proposal",
            "message": "; ".join(problems),
            "problems": [{"message": problem} for problem in problems],
        }
    }
    assert not Proposal.objects.exists()


def test_a_sixth_proposal_in_a_day_is_refused(people: dict[str, Person]) -> None:
    for n in range(5):
        propose(people["citizen"], f"Forslag nummer {n}")
    response = client(people["citizen"], language="en").post(
        "/api/v1/proposals", GOOD, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == [
        {"message": "You have made 5 proposals in the last 24 hours; please wait a little."}
    ]
    assert Proposal.objects.count() == 5


@pytest.mark.parametrize(
    "payload",
    [
        {"place": HOME, "title": "Badeplass", "body": BODY},  # no goals
        {**GOOD, "goals": ["klima"]},
        {**GOOD, "goals": [10**30]},
        {**GOOD, "place": "x" * 9},
    ],
)
def test_a_proposal_that_does_not_match_the_schema(
    people: dict[str, Person], payload: dict[str, Any]
) -> None:
    response = client(people["citizen"]).post(
        "/api/v1/proposals", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert not Proposal.objects.exists()


def test_proposing_needs_a_token(people: dict[str, Person]) -> None:
    wrong = Person(user=None, token="sdg_not-a-token")
    for who in (None, wrong):
        response = client(who).post("/api/v1/proposals", GOOD, content_type="application/json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    # A browser session is not enough for a write.
    session = Client()
    session.force_login(people["citizen"].user)
    response = session.post("/api/v1/proposals", GOOD, content_type="application/json")
    assert response.status_code == 401
    assert not Proposal.objects.exists()


def test_support_and_its_withdrawal_are_idempotent(people: dict[str, Person]) -> None:
    made = propose(people["author"], "Sykkelvei til skolen")
    path = f"/api/v1/proposals/{made.pk}/support"
    citizen, neighbour = client(people["citizen"]), client(people["neighbour"])
    assert citizen.post(path).json() == {"supported": True, "support_count": 1}
    assert citizen.post(path).json() == {"supported": True, "support_count": 1}
    assert neighbour.post(path).json() == {"supported": True, "support_count": 2}
    assert Support.objects.filter(proposal=made).count() == 2
    assert client().get(f"/api/v1/proposals/{made.pk}").json()["support_count"] == 2
    response = citizen.delete(path)
    assert response.status_code == 200
    assert response.json() == {"supported": False, "support_count": 1}
    assert citizen.delete(path).json() == {"supported": False, "support_count": 1}
    assert neighbour.delete(path).json() == {"supported": False, "support_count": 0}
    assert not Support.objects.exists()
    # The author may support their own proposal too.
    assert client(people["author"]).post(path).json() == {"supported": True, "support_count": 1}


def test_support_needs_a_token_and_a_proposal_one_can_see(people: dict[str, Person]) -> None:
    made = propose(people["author"], "Sykkelvei til skolen")
    path = f"/api/v1/proposals/{made.pk}/support"
    assert client().post(path).status_code == 401
    assert client().delete(path).status_code == 401
    session = Client()
    session.force_login(people["citizen"].user)
    assert session.post(path).status_code == 401
    for missing in (made.pk + 1000, 2**63):
        assert (
            client(people["citizen"]).post(f"/api/v1/proposals/{missing}/support").status_code
            == 404
        )
        assert (
            client(people["citizen"]).delete(f"/api/v1/proposals/{missing}/support").status_code
            == 404
        )
    assert not Support.objects.exists()


def test_a_decided_proposal_gathers_no_more_support(people: dict[str, Person]) -> None:
    made = propose(people["author"], "Gratis buss for ungdom")
    do_support(people["citizen"].user, made)
    do_respond(people["municipality_admin"].user, made, "declined", "Det har vi ikke råd til.")
    path = f"/api/v1/proposals/{made.pk}/support"
    message = "The municipality has decided on this proposal; it gathers no more support."
    for who in ("neighbour", "citizen"):
        for method in ("post", "delete"):
            response = getattr(client(people[who], language="en"), method)(path)
            assert response.status_code == 403, (who, method)
            assert response.json()["error"] == {
                "code": "forbidden", "message": message, "problems": []
            }  # fmt: skip
    assert list(Support.objects.values_list("user", flat=True)) == [people["citizen"].user.pk]
    body = client().get(f"/api/v1/proposals/{made.pk}").json()
    assert (body["status"], body["support_count"]) == ("declined", 1)


def test_a_hidden_proposal_gathers_no_support(people: dict[str, Person]) -> None:
    made = propose(people["author"], "Et innlegg som bryter reglene")
    do_hide(people["network_admin"].user, made, "Reklame.")
    path = f"/api/v1/proposals/{made.pk}/support"
    # Those who see it are refused; to anyone else it is not there.
    for name in ("author", "network_admin", "municipality_admin"):
        response = client(people[name], language="en").post(path)
        assert response.status_code == 403, name
        assert response.json()["error"]["message"] == (
            "This proposal is hidden and gathers no support."
        )
    assert client(people["citizen"]).post(path).status_code == 404
    assert client(people["citizen"]).delete(path).status_code == 404
    assert not Support.objects.exists()


def test_messages_are_in_bokmal_unless_english_is_asked_for(people: dict[str, Person]) -> None:
    made = propose(people["author"], "Gatelys langs turstien")
    response = client().get(f"/api/v1/proposals/{made.pk + 1}")
    assert response.json()["error"]["message"] == "Finnes ikke, eller du har ikke tilgang til det."
    assert response["Content-Language"] == "nb"
    assert json.loads(client().get(f"/api/v1/proposals/{made.pk}").content)["url"] == (
        f"/proposals/{made.pk}/"
    )
