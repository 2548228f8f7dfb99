"""The pledges API: lists and one pledge as the pages show them to the requester (the same
record as the page's JSON twin), pledging and reporting progress through the same actions
and rules; a pledge names its organisation, never the person who made it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role
from sdgnet.partners.actions import do_hide, do_pledge, do_report_progress
from sdgnet.partners.models import Pledge

pytestmark = pytest.mark.django_db


def to_millisecond(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
DESCRIPTION = "Vi bytter hele bilparken til elbiler og måler utslippene hvert år."
THIS_YEAR = timezone.localdate().year
FIELDS = {
    "id", "organisation", "place", "place_name", "title", "description", "goals", "due_year",
    "indicator",
    "status", "progress", "progress_note", "progress_at", "created_at", "hidden", "url",
}  # fmt: skip


@dataclass
class Person:
    user: Any
    token: str


def person(email: str, role: str, place: str | None = None, organisation: str = "") -> Person:
    user = do_create_user(email, role, place=place, organisation=organisation)
    return Person(user=user, token=do_create_api_token(user).secret)


@pytest.fixture
def people(db: Any) -> dict[str, Person]:
    return {
        "network_admin": person("admin@example.no", Role.NETWORK_ADMIN),
        "municipality_admin": person("kommune@example.no", Role.MUNICIPALITY_ADMIN, HOME),
        "other_admin": person("oslo-admin@example.no", Role.MUNICIPALITY_ADMIN, OTHER),
        "editor": person("editor@example.no", Role.EDITOR, HOME),
        "citizen": person("citizen@example.no", Role.CITIZEN),
        "partner": person("partner@example.no", Role.PARTNER, organisation="Acme AS"),
        # The same organisation, spelled otherwise on a colleague's account.
        "colleague": person("colleague@example.no", Role.PARTNER, organisation="acme as"),
        "rival": person("rival@example.no", Role.PARTNER, organisation="Beta Bygg AS"),
        "no_organisation": person("loner@example.no", Role.PARTNER),
    }


def client(who: Person | None = None, language: str | None = None) -> Client:
    headers: dict[str, str] = {}
    if who is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {who.token}"
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return Client(**headers)


def pledge(
    who: Person,
    title: str,
    place: str = HOME,
    goals: list[int] | None = None,
    due_year: int = 2030,
) -> Pledge:
    return do_pledge(who.user, place, title, DESCRIPTION, goals or [13], due_year=due_year)


def listed(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_an_item_has_every_field_and_nobody_s_identity(people: dict[str, Person]) -> None:
    made = pledge(people["partner"], "  Elbiler i hele bilparken  ", goals=[13, 7, 13])
    do_report_progress(people["colleague"].user, made, 40, "  Ti av 25 biler byttet.  ")
    response = client().get("/api/v1/pledges")
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) == FIELDS
    made.refresh_from_db()
    assert made.progress_at is not None
    # Written as the rest of the API writes moments: to the millisecond, in UTC.
    assert datetime.fromisoformat(item.pop("created_at")) == to_millisecond(made.created_at)
    assert datetime.fromisoformat(item.pop("progress_at")) == to_millisecond(made.progress_at)
    assert item == {
        "id": made.pk,
        "organisation": "Acme AS",
        "place": HOME,
        "place_name": "Bærum",
        "title": "Elbiler i hele bilparken",
        "description": DESCRIPTION,
        "goals": [7, 13],
        "due_year": 2030,
        "indicator": None,
        "status": "active",
        "progress": 40,
        "progress_note": "Ti av 25 biler byttet.",
        "hidden": False,
        "url": f"/pledges/{made.pk}/",
    }
    # No email, user id or name of whoever made or reported on it, anywhere in the answer.
    raw = response.content.decode()
    detail = client().get(f"/api/v1/pledges/{made.pk}").content.decode()
    for text in (raw, detail):
        for name in ("partner", "colleague"):
            assert people[name].user.email not in text
        assert "@" not in text
        assert "created_by" not in text and "user" not in text
    # The page's address follows the request's language.
    english = client(language="en").get(f"/api/v1/pledges/{made.pk}").json()
    assert english["url"] == f"/en/pledges/{made.pk}/"


def test_the_api_and_the_page_s_json_twin_agree(people: dict[str, Person]) -> None:
    first = pledge(people["partner"], "Elbiler i hele bilparken", goals=[7, 13])
    second = pledge(people["rival"], "Solceller på alle tak", place=OTHER, goals=[7])
    do_report_progress(people["partner"].user, first, 100, "Ferdig!", "fulfilled")
    made = [second, first]  # newest first on both
    page = client().get("/pledges/?format=json")
    assert page.status_code == 200
    api_items = client().get("/api/v1/pledges").json()["items"]
    assert api_items == page.json()["pledges"]
    assert [item["id"] for item in api_items] == [p.pk for p in made]
    for one in made:
        twin = client().get(f"/pledges/{one.pk}/?format=json").json()
        assert client().get(f"/api/v1/pledges/{one.pk}").json() == twin
        english_twin = client().get(f"/en/pledges/{one.pk}/?format=json").json()
        english = client(language="en").get(f"/api/v1/pledges/{one.pk}").json()
        assert english == english_twin
        assert english["url"] == f"/en/pledges/{one.pk}/"
    fulfilled = client().get(f"/api/v1/pledges/{first.pk}").json()
    assert (fulfilled["status"], fulfilled["progress"], fulfilled["progress_note"]) == (
        "fulfilled", 100, "Ferdig!"
    )  # fmt: skip
    # A hidden pledge, to those who see it: the same record on both.
    do_hide(people["municipality_admin"].user, first, "Reklame.")
    seer = Client()
    seer.force_login(people["colleague"].user)
    twin = seer.get(f"/pledges/{first.pk}/?format=json").json()
    assert twin["hidden"] is True
    assert client(people["colleague"]).get(f"/api/v1/pledges/{first.pk}").json() == twin


def test_the_list_is_newest_first_or_soonest_due_first(people: dict[str, Person]) -> None:
    late = pledge(people["partner"], "Den første innsatsen", due_year=2035)
    soon = pledge(people["partner"], "Den andre innsatsen", due_year=THIS_YEAR)
    middle = pledge(people["rival"], "Den tredje innsatsen", due_year=2030)
    also_2030 = pledge(people["rival"], "Den fjerde innsatsen", due_year=2030)
    newest = [also_2030.pk, middle.pk, soon.pk, late.pk]
    assert listed(client().get("/api/v1/pledges")) == newest
    assert listed(client().get("/api/v1/pledges?sort=new")) == newest
    # Soonest due first; the same year: the newer first.
    by_due = client().get("/api/v1/pledges?sort=due").json()["items"]
    assert [item["id"] for item in by_due] == [soon.pk, also_2030.pk, middle.pk, late.pk]
    assert [item["due_year"] for item in by_due] == [THIS_YEAR, 2030, 2030, 2035]
    # Paginated like every list.
    page = client().get("/api/v1/pledges?sort=due&limit=2&offset=1").json()
    assert page["count"] == 4
    assert [item["id"] for item in page["items"]] == [also_2030.pk, middle.pk]


def test_the_list_filters_by_place_goal_status_and_organisation(
    people: dict[str, Person],
) -> None:
    cars = pledge(people["partner"], "Elbiler i hele bilparken", goals=[7, 13])
    food = pledge(people["colleague"], "Halvere matsvinnet", goals=[12])
    oslo = pledge(people["rival"], "Solceller i Oslo", place=OTHER, goals=[7])
    do_report_progress(people["partner"].user, food, 100, "", "fulfilled")
    do_report_progress(people["rival"].user, oslo, 10, "Vi trekker oss.", "withdrawn")
    get = client().get
    assert set(listed(get(f"/api/v1/pledges?place={HOME}"))) == {cars.pk, food.pk}
    assert listed(get(f"/api/v1/pledges?place={OTHER}")) == [oslo.pk]
    assert listed(get("/api/v1/pledges?place=9999")) == []
    assert set(listed(get("/api/v1/pledges?goal=7"))) == {cars.pk, oslo.pk}
    assert listed(get("/api/v1/pledges?goal=12")) == [food.pk]
    assert listed(get("/api/v1/pledges?goal=1")) == []
    # Past 1-17, as every list of the API: a validation error.
    assert get("/api/v1/pledges?goal=99999999999").status_code == 422
    assert get("/api/v1/pledges?goal=18").status_code == 422
    assert listed(get("/api/v1/pledges?status=active")) == [cars.pk]
    assert listed(get("/api/v1/pledges?status=fulfilled")) == [food.pk]
    assert listed(get("/api/v1/pledges?status=withdrawn")) == [oslo.pk]
    # The organisation as written on the pledge, in any case; the whole name only.
    for name in ("Acme AS", "acme as", "ACME AS", " Acme AS "):
        assert listed(get("/api/v1/pledges", {"organisation": name})) == [food.pk, cars.pk], name
    assert listed(get("/api/v1/pledges", {"organisation": "Beta Bygg AS"})) == [oslo.pk]
    assert listed(get("/api/v1/pledges", {"organisation": "Acme"})) == []
    assert listed(get("/api/v1/pledges", {"organisation": "acme%"})) == []
    assert listed(get("/api/v1/pledges", {"organisation": "Acme AS\x00"})) == []
    assert listed(get("/api/v1/pledges", {"place": f"{HOME}\x00"})) == []
    assert listed(get(f"/api/v1/pledges?place={HOME}&goal=7&status=active")) == [cars.pk]
    assert listed(get(f"/api/v1/pledges?organisation=acme+as&goal=13&place={OTHER}")) == []
    # Filtering by a goal joins the goals, and the pledge still lists every goal once.
    item = get("/api/v1/pledges?goal=13").json()["items"][0]
    assert (item["id"], item["goals"], item["organisation"]) == (cars.pk, [7, 13], "Acme AS")
    # Each pledge's organisation is the one on its maker's account.
    assert get(f"/api/v1/pledges/{food.pk}").json()["organisation"] == "acme as"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "status=closed",
            "status",
            "Unknown status “closed”; use one of: active, fulfilled, withdrawn.",
        ),
        (
            "status=Active",
            "status",
            "Unknown status “Active”; use one of: active, fulfilled, withdrawn.",
        ),
        ("sort=popular", "sort", "Unknown sort order “popular”; use one of: new, due."),
        ("sort=", "sort", "Unknown sort order “”; use one of: new, due."),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(query: str, field: str, message: str) -> None:
    response = client(language="en").get(f"/api/v1/pledges?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_filter",
            "message": message,
            "problems": [{"field": field, "message": message}],
        }
    }


def test_a_goal_that_is_not_a_number_does_not_match_the_schema() -> None:
    response = client().get("/api/v1/pledges?goal=klima")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_one_pledge_and_a_missing_one(people: dict[str, Person]) -> None:
    made = pledge(people["partner"], "Gatelys med LED", goals=[7, 11], due_year=2028)
    response = client().get(f"/api/v1/pledges/{made.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["goals"], body["due_year"]) == (
        made.pk, "Gatelys med LED", [7, 11], 2028
    )  # fmt: skip
    assert (body["status"], body["progress"], body["progress_at"]) == ("active", 0, None)
    for missing in (made.pk + 1000, 0, -1, 2**63, 10**30):
        response = client(language="en").get(f"/api/v1/pledges/{missing}")
        assert response.status_code == 404, missing
        assert response.json()["error"] == {
            "code": "not_found", "message": "No such object, or not yours to see.", "problems": []
        }  # fmt: skip


def test_a_hidden_pledge_is_seen_by_its_organisation_and_moderators_only(
    people: dict[str, Person],
) -> None:
    shown = pledge(people["rival"], "Solceller på alle tak")
    hidden = pledge(people["partner"], "Et løfte som bryter reglene")
    do_hide(people["municipality_admin"].user, hidden, "Ren reklame.")
    for name in (None, "citizen", "rival", "no_organisation", "editor", "other_admin"):
        who = people[name] if name else None
        assert listed(client(who).get("/api/v1/pledges")) == [shown.pk], name
        assert client(who).get(f"/api/v1/pledges/{hidden.pk}").status_code == 404, name
        assert client(who).get("/api/v1/pledges?organisation=acme+as").json()["count"] == 0
    for name in ("partner", "colleague", "municipality_admin", "network_admin"):
        assert listed(client(people[name]).get("/api/v1/pledges")) == [hidden.pk, shown.pk], name
        one = client(people[name]).get(f"/api/v1/pledges/{hidden.pk}")
        assert one.status_code == 200, name
        assert one.json()["hidden"] is True
        assert "hidden_reason" not in one.json() and "reklame" not in one.content.decode()
    # A browser session sees what its user sees.
    session = Client()
    session.force_login(people["colleague"].user)
    assert session.get(f"/api/v1/pledges/{hidden.pk}").status_code == 200
    session.force_login(people["rival"].user)
    assert session.get(f"/api/v1/pledges/{hidden.pk}").status_code == 404


GOOD = {
    "place": HOME,
    "title": "Elbiler i hele bilparken",
    "description": DESCRIPTION,
    "goals": [13],
    "due_year": 2030,
}


def test_pledging(people: dict[str, Person]) -> None:
    response = client(people["colleague"]).post(
        "/api/v1/pledges",
        {**GOOD, "title": " Halvere matsvinnet ", "goals": [12, 2, 12], "due_year": 2035},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    made = Pledge.objects.get()
    assert made.created_by == people["colleague"].user
    assert body["id"] == made.pk
    assert (body["organisation"], body["place"], body["place_name"], body["title"]) == (
        "acme as", HOME, "Bærum", "Halvere matsvinnet"
    )  # fmt: skip
    assert (body["goals"], body["due_year"], body["status"], body["progress"]) == (
        [2, 12], 2035, "active", 0
    )  # fmt: skip
    assert (body["description"], body["hidden"], body["url"]) == (
        DESCRIPTION, False, f"/pledges/{made.pk}/"
    )  # fmt: skip
    assert "colleague@example.no" not in response.content.decode()
    assert client().get(f"/api/v1/pledges/{made.pk}").json() == body
    # This year is soon enough.
    again = client(people["partner"]).post(
        "/api/v1/pledges", {**GOOD, "due_year": THIS_YEAR}, content_type="application/json"
    )
    assert again.status_code == 201, again.content
    assert again.json()["organisation"] == "Acme AS"


YEARS = f"The year to reach it must be from {THIS_YEAR} to 2035."


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({"title": "Bil"}, ["The title needs 5 to 140 characters; it has 3."]),
        ({"title": "    Bil   "}, ["The title needs 5 to 140 characters; it has 3."]),
        ({"title": "x" * 141}, ["The title needs 5 to 140 characters; it has 141."]),
        ({"description": "For kort."}, ["The description needs 20 to 5000 characters; it has 9."]),
        (
            {"description": "x" * 5001},
            ["The description needs 20 to 5000 characters; it has 5001."],
        ),
        ({"goals": []}, ["Choose one to 3 goals."]),
        ({"goals": [0]}, ["Unknown goal number."]),
        ({"goals": [0, 13]}, ["Unknown goal number."]),
        ({"goals": [1, 2, 3, 4]}, ["Choose one to 3 goals."]),
        ({"goals": [18]}, ["Unknown goal number."]),
        ({"due_year": THIS_YEAR - 1}, [YEARS]),
        ({"due_year": 2036}, [YEARS]),
        ({"due_year": 10**30}, [YEARS]),
        ({"place": "9999"}, ["No municipality has the number 9999."]),
        ({"place": "32"}, ["No municipality has the number 32."]),  # a county
        (
            {"title": "Bil", "description": "Kort.", "goals": [18], "due_year": 2036},
            [
                "The title needs 5 to 140 characters; it has 3.",
                "The description needs 20 to 5000 characters; it has 5.",
                YEARS,
                "Unknown goal number.",
            ],
        ),
    ],
)
def test_a_bad_pledge_is_refused_with_every_problem(
    people: dict[str, Person], change: dict[str, Any], problems: list[str]
) -> None:
    response = client(people["partner"], language="en").post(
        "/api/v1/pledges", {**GOOD, **change}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {
            "code": "invalid_pledge",
            "message": "; ".join(problems),
            "problems": [{"message": problem} for problem in problems],
        }
    }
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {key: value for key, value in GOOD.items() if key != "due_year"},
        {key: value for key, value in GOOD.items() if key != "goals"},
        {**GOOD, "goals": ["klima"]},
        {**GOOD, "goals": [10**30]},
        {**GOOD, "due_year": "snart"},
        {**GOOD, "place": "x" * 9},
    ],
)
def test_a_pledge_that_does_not_match_the_schema(
    people: dict[str, Person], payload: dict[str, Any]
) -> None:
    response = client(people["partner"]).post(
        "/api/v1/pledges", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    "name", ["citizen", "editor", "municipality_admin", "network_admin", "no_organisation"]
)
def test_only_partners_with_an_organisation_pledge(people: dict[str, Person], name: str) -> None:
    response = client(people[name], language="en").post(
        "/api/v1/pledges", GOOD, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "Only partners with an organisation on their account may make pledges.",
            "problems": [],
        }
    }
    assert not Pledge.objects.exists()


def test_pledging_needs_a_token(people: dict[str, Person]) -> None:
    wrong = Person(user=None, token="sdg_not-a-token")
    for who in (None, wrong):
        response = client(who, language="en").post(
            "/api/v1/pledges", GOOD, content_type="application/json"
        )
        assert response.status_code == 401
        assert response.json()["error"] == {
            "code": "unauthorized",
            "message": "A valid API token is required (Authorization: Bearer).",
            "problems": [],
        }
    # A browser session is not enough for a write.
    session = Client()
    session.force_login(people["partner"].user)
    response = session.post("/api/v1/pledges", GOOD, content_type="application/json")
    assert response.status_code == 401
    assert not Pledge.objects.exists()


def progress_path(made: Pledge) -> str:
    return f"/api/v1/pledges/{made.pk}/progress"


def test_reporting_progress(people: dict[str, Person]) -> None:
    made = pledge(people["partner"], "Elbiler i hele bilparken", goals=[7, 13])
    response = client(people["partner"]).post(
        progress_path(made),
        {"progress": 40, "note": "  Ti av 25 biler byttet.  "},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["progress"], body["progress_note"]) == (
        made.pk, "active", 40, "Ti av 25 biler byttet."
    )  # fmt: skip
    made.refresh_from_db()
    assert (made.progress, made.status, made.progress_note) == (
        40,
        "active",
        "Ti av 25 biler byttet.",
    )
    assert made.progress_at is not None
    assert datetime.fromisoformat(body["progress_at"]) == to_millisecond(made.progress_at)
    assert client().get(f"/api/v1/pledges/{made.pk}").json() == body
    # A colleague, whose account spells the organisation otherwise, fulfils it.
    response = client(people["colleague"]).post(
        progress_path(made),
        {"progress": 100, "note": "Alle byttet.", "status": "fulfilled"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["progress"]) == ("fulfilled", 100)
    # Without a note the note is emptied; without a status the pledge is under way again.
    response = client(people["partner"]).post(
        progress_path(made), {"progress": 0}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["progress"], body["progress_note"]) == ("active", 0, "")
    assert "@" not in response.content.decode()
    # Withdrawn at any progress.
    response = client(people["partner"]).post(
        progress_path(made),
        {"progress": 30, "status": "withdrawn"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")


@pytest.mark.parametrize(
    ("report", "problems"),
    [
        ({"progress": 60, "status": "fulfilled"}, ["A fulfilled pledge is at 100 %."]),
        ({"progress": 99, "status": "fulfilled"}, ["A fulfilled pledge is at 100 %."]),
        ({"progress": 50, "status": "done"}, ["Unknown status."]),
        (
            {"progress": 50, "note": "x" * 2001},
            ["The note may have at most 2000 characters; it has 2001."],
        ),
        (
            {"progress": 50, "note": "x" * 2001, "status": "done"},
            ["Unknown status.", "The note may have at most 2000 characters; it has 2001."],
        ),
    ],
)
def test_a_bad_progress_report_is_refused_with_every_problem(
    people: dict[str, Person], report: dict[str, Any], problems: list[str]
) -> None:
    made = pledge(people["partner"], "Elbiler i hele bilparken")
    response = client(people["partner"], language="en").post(
        progress_path(made), report, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {
            "code": "invalid_progress",
            "message": "; ".join(problems),
            "problems": [{"message": problem} for problem in problems],
        }
    }
    made.refresh_from_db()
    assert (made.progress, made.status, made.progress_at) == (0, "active", None)


@pytest.mark.parametrize(
    "report",
    [
        {"progress": 101},
        {"progress": -1},
        {"progress": 10**30},
        {"progress": "halvveis"},
        {"note": "Ingen prosent."},
    ],
)
def test_progress_outside_0_to_100_does_not_match_the_schema(
    people: dict[str, Person], report: dict[str, Any]
) -> None:
    made = pledge(people["partner"], "Elbiler i hele bilparken")
    response = client(people["partner"], language="en").post(
        progress_path(made), report, content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [problem["field"] for problem in error["problems"]] == ["body.report.progress"]
    made.refresh_from_db()
    assert (made.progress, made.progress_at) == (0, None)


@pytest.mark.parametrize(
    "name", ["rival", "no_organisation", "citizen", "editor", "municipality_admin", "network_admin"]
)
def test_only_the_organisation_reports_progress(people: dict[str, Person], name: str) -> None:
    made = pledge(people["partner"], "Elbiler i hele bilparken")
    response = client(people[name], language="en").post(
        progress_path(made), {"progress": 50}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "Only the organisation that made the pledge may report its progress.",
            "problems": [],
        }
    }
    made.refresh_from_db()
    assert (made.progress, made.progress_at) == (0, None)


def test_progress_needs_a_token_and_a_pledge_one_can_see(people: dict[str, Person]) -> None:
    made = pledge(people["partner"], "Elbiler i hele bilparken")
    assert (
        client().post(progress_path(made), {"progress": 50}, "application/json").status_code == 401
    )
    session = Client()
    session.force_login(people["partner"].user)
    assert (
        session.post(progress_path(made), {"progress": 50}, "application/json").status_code == 401
    )
    for missing in (made.pk + 1000, 2**63):
        response = client(people["partner"]).post(
            f"/api/v1/pledges/{missing}/progress", {"progress": 50}, "application/json"
        )
        assert response.status_code == 404, missing
    # Hidden: not there for another organisation; its own organisation still reports.
    do_hide(people["network_admin"].user, made, "Til gjennomgang.")
    response = client(people["rival"]).post(
        progress_path(made), {"progress": 50}, "application/json"
    )
    assert response.status_code == 404
    made.refresh_from_db()
    assert made.progress == 0
    response = client(people["colleague"]).post(
        progress_path(made), {"progress": 50}, "application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["progress"], response.json()["hidden"]) == (50, True)


def test_messages_are_in_bokmal_unless_english_is_asked_for(people: dict[str, Person]) -> None:
    made = pledge(people["partner"], "Elbiler i hele bilparken")
    response = client().get(f"/api/v1/pledges/{made.pk + 1}")
    assert response.json()["error"]["message"] == "Finnes ikke, eller du har ikke tilgang til det."
    assert response["Content-Language"] == "nb"
    assert client().get(f"/api/v1/pledges/{made.pk}").json()["url"] == f"/pledges/{made.pk}/"


def test_a_pledge_names_an_indicator_of_its_goals(people: dict[str, Person]) -> None:
    body = {
        "place": HOME,
        "title": "Valgskyss for eldre",
        "description": DESCRIPTION,
        "goals": [16],
        "due_year": 2030,
        "indicator": "voter-turnout-storting",
    }
    made = client(people["partner"]).post("/api/v1/pledges", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["indicator"] == "voter-turnout-storting"
    wrong = client(people["partner"]).post(
        "/api/v1/pledges", {**body, "goals": [13]}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "invalid_pledge"
