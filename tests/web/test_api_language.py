"""Every message of the API at /api/v1/ is in the request's language: bokmål, the site's
default, unless `Accept-Language` (or the language cookie the language button sets) asks
for English. The `code` is the same in every language. Real users and tokens, the real
API through the Django test client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role

pytestmark = pytest.mark.django_db

TURNOUT = "voter-turnout-storting"
HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
SEED_PROJECT = "asker-matsvinn-plan"  # a published project of the seed library
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: Any  # JSON-encoded unless a str, which is sent as it is
    token: str | None  # whose token: "editor", "citizen", "admin", "wrong" or none
    status: int
    code: str
    bokmaal: str
    english: str


def row(place: str = HOME, indicator: str = TURNOUT) -> dict[str, Any]:
    return {"place": place, "indicator": indicator, "year": 2026, "value": 1.0}


CASES = {
    "404 object": Case(
        "get", "/api/v1/goals/99", None, None, 404, "not_found",
        "Finnes ikke, eller du har ikke tilgang til det.",
        "No such object, or not yours to see.",
    ),
    "404 route": Case(
        "get", "/api/v1/no-such-route", None, None, 404, "not_found",
        "API-et har ingen slik rute.",
        "No such API route.",
    ),
    "404 embargoed import": Case(
        "post", "/api/v1/batches/999999/publish", None, "editor", 404, "not_found",
        "Ingen slik upublisert import, eller du har ikke tilgang til den.",
        "No such embargoed import, or not yours to see.",
    ),
    "401": Case(
        "get", "/api/v1/goals", None, "wrong", 401, "unauthorized",
        "Et gyldig API-token kreves (Authorization: Bearer).",
        "A valid API token is required (Authorization: Bearer).",
    ),
    "403 write": Case(
        "post", "/api/v1/observations", [row()], "citizen", 403, "forbidden",
        "Bare redaktører, kommune- og nettverksadministratorer skriver.",
        "Only editors, municipality and network admins write.",
    ),
    "403 target": Case(
        "post", "/api/v1/local-targets", {"place": OTHER, "indicator": TURNOUT, "value": 90},
        "editor", 403, "forbidden",
        "Du kan ikke sette mål for denne kommunen.",
        "You may not set targets for this municipality.",
    ),
    "422": Case(
        "get", "/api/v1/goals?offset=-1", None, None, 422, "invalid_request",
        "Forespørselen passer ikke med skjemaet.",
        "The request does not match the schema.",
    ),
    "405": Case(
        "delete", "/api/v1/goals", None, None, 405, "method_not_allowed",
        "Denne ruten tar ikke imot denne metoden.",
        "This route does not take this method.",
    ),
    "400 unreadable body": Case(
        "post", "/api/v1/observations", "[{not json", "editor", 400, "bad_request",
        "Innholdet i forespørselen kunne ikke leses.",
        "The request body could not be read.",
    ),
    "400 one bad row": Case(
        "post", "/api/v1/observations", [row(), row(place=OTHER)], "editor", 400,
        "invalid_rows",
        "1 problem; ingenting ble lagret.",
        "1 problem; nothing was written.",
    ),
    "400 two bad rows": Case(
        "post", "/api/v1/observations", [row(place=OTHER), row(indicator="no-such")], "editor",
        400, "invalid_rows",
        "2 problemer; ingenting ble lagret.",
        "2 problems; nothing was written.",
    ),
    "400 target": Case(
        "post", "/api/v1/local-targets", {"place": HOME, "indicator": "no-such", "value": 1},
        "editor", 400, "invalid_target",
        "Ukjent indikator: no-such",
        "Unknown indicator: no-such",
    ),
    "400 decision": Case(
        "post", f"/api/v1/moderation/project/{SEED_PROJECT}", {"decision": "x"}, "admin", 400,
        "invalid_decision",
        "Avgjørelsen må være en av hide, restore, review.",
        "The decision must be one of hide, restore, review.",
    ),
}  # fmt: skip


@pytest.fixture
def tokens() -> dict[str, str]:
    editor = do_create_user("editor@example.no", Role.EDITOR, place=HOME)
    citizen = do_create_user("citizen@example.no", Role.CITIZEN)
    admin = do_create_user("admin@example.no", Role.NETWORK_ADMIN)
    return {
        "editor": do_create_api_token(editor).secret,
        "citizen": do_create_api_token(citizen).secret,
        "admin": do_create_api_token(admin).secret,
        "wrong": "sdg_not-a-token",
    }


def send(case: Case, tokens: dict[str, str], client: Client, **headers: str) -> Any:
    if case.token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[case.token]}"
    if case.body is None:
        return getattr(client, case.method)(case.path, **headers)
    body = case.body if isinstance(case.body, str) else json.dumps(case.body)
    return getattr(client, case.method)(case.path, body, content_type="application/json", **headers)


@pytest.mark.parametrize("name", CASES)
def test_each_error_is_in_bokmaal_by_default_and_in_english_when_asked(
    name: str, tokens: dict[str, str]
) -> None:
    case = CASES[name]
    answers = {
        "nb": send(case, tokens, Client()),
        "en": send(case, tokens, Client(), **ENGLISH),
    }
    for language, expected in (("nb", case.bokmaal), ("en", case.english)):
        response = answers[language]
        assert response.status_code == case.status, (language, response.content[:300])
        error = response.json()["error"]
        assert (error["code"], error["message"]) == (case.code, expected), language
        assert response["Content-Language"] == language


def test_too_many_rows_in_either_language(tokens: dict[str, str]) -> None:
    rows = [row()] * 10_001
    case = Case("post", "/api/v1/observations", rows, "editor", 400, "too_many_rows", "", "")
    nb = send(case, tokens, Client()).json()["error"]
    en = send(case, tokens, Client(), **ENGLISH).json()["error"]
    assert (nb["code"], nb["message"]) == ("too_many_rows", "Høyst 10000 rader per forespørsel.")
    assert (en["code"], en["message"]) == ("too_many_rows", "At most 10000 rows per request.")


def test_the_language_cookie_is_honoured_and_caches_are_told(tokens: dict[str, str]) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/goals/99")
    assert response.json()["error"]["message"] == "No such object, or not yours to see."
    assert response["Content-Language"] == "en"
    # The same address answers in two languages: a shared cache must key on both.
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    # A language the site does not speak falls back to bokmål; a regional English is English.
    assert (
        Client().get("/api/v1/goals/99", HTTP_ACCEPT_LANGUAGE="de").json()["error"]["message"]
        == CASES["404 object"].bokmaal
    )
    british = Client().get("/api/v1/goals/99", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert british.json()["error"]["message"] == CASES["404 object"].english


def test_the_language_of_one_request_does_not_stay_for_the_next(tokens: dict[str, str]) -> None:
    client = Client()
    assert client.get("/api/v1/goals/99", **ENGLISH)["Content-Language"] == "en"
    after = client.get("/api/v1/goals/99")
    assert after.json()["error"]["message"] == CASES["404 object"].bokmaal
    # The site's pages are not touched: an unprefixed page is bokmål whatever is asked.
    assert client.get("/", **ENGLISH)["Content-Language"] == "nb"


def test_the_rate_limit_answers_in_the_requests_language() -> None:
    """The anonymous limit is counted per address: one address is taken to its limit
    (no clock involved), then refused in bokmål and, asked for it, in English."""
    allowed = int(settings.SDGNET_API_ANON_RATE.split("/")[0])
    address = {"REMOTE_ADDR": "203.0.113.77"}
    client = Client()
    for _ in range(allowed):
        assert client.get("/api/v1/goals/1", **address).status_code == 200
    refused = {
        "nb": client.get("/api/v1/goals/1", **address),
        "en": client.get("/api/v1/goals/1", **address, **ENGLISH),
    }
    for language, message in (
        ("nb", "For mange forespørsler; senk tempoet."),
        ("en", "Too many requests; slow down."),
    ):
        response = refused[language]
        assert response.status_code == 429
        error = response.json()["error"]
        assert (error["code"], error["message"]) == ("rate_limited", message), language
        assert int(response["Retry-After"]) >= 1


def test_each_problem_with_the_schema_is_in_the_requests_language(
    tokens: dict[str, str],
) -> None:
    """The 422's problems, not only its message: each worded by pydantic's error type, with
    its limit filled in, and with the same index and field in either language."""
    rows = [
        {"place": HOME, "indicator": TURNOUT, "year": 1.5, "value": "81,5"},
        {"indicator": TURNOUT, "year": 2026, "value": 1},
    ]
    write = Case(
        "post", "/api/v1/observations?embargoed=kanskje", rows, "editor", 422,
        "invalid_request", "", "",
    )  # fmt: skip
    read = Case("get", "/api/v1/goals?offset=-1&limit=ti", None, None, 422, "", "", "")
    expected = {
        "nb": [
            (None, "query.embargoed", "Skal være true eller false."),
            (0, "body.rows.year", "Skal være et heltall, uten desimaler."),
            (0, "body.rows.value", "Skal være et tall; en tekst leses bare som et enkelt tall "
             "med desimalpunktum (81.5)."),
            (1, "body.rows.place", "Dette feltet er påkrevd."),
            (None, "query.limit", "Skal være et heltall; denne teksten er ikke et heltall."),
            (None, "query.offset", "Skal være minst 0."),
        ],
        "en": [
            (None, "query.embargoed", "Should be true or false."),
            (0, "body.rows.year", "Should be a whole number, without a fractional part."),
            (0, "body.rows.value", "Should be a number; a text is read only as a plain number "
             "with a decimal point (81.5)."),
            (1, "body.rows.place", "This field is required."),
            (None, "query.limit", "Should be a whole number; this text is not one."),
            (None, "query.offset", "Should be at least 0."),
        ],
    }  # fmt: skip
    for language, headers in (("nb", {}), ("en", ENGLISH)):
        problems = []
        for case in (write, read):
            response = send(case, tokens, Client(), **headers)
            assert response.status_code == 422, response.content[:300]
            problems += [
                (problem["index"], problem["field"], problem["message"])
                for problem in response.json()["error"]["problems"]
            ]
        assert sorted(problems, key=str) == sorted(expected[language], key=str), language
