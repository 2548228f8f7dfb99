"""Pledges through partners/actions.py with real users and the real database: who may
pledge and report, what a pledge must say, moderation and the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import AuditEvent, Role
from sdgnet.partners import actions
from sdgnet.partners.access import pledges
from sdgnet.partners.actions import PledgeError
from sdgnet.partners.models import Pledge

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
TEXT = "Vi bytter alle varebilene våre til elektriske og rapporterer utslippene hvert år."


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    return {
        "partner": do_create_user("acme@example.no", Role.PARTNER, organisation="Acme AS"),
        "colleague": do_create_user("acme2@example.no", Role.PARTNER, organisation="acme as"),
        "rival": do_create_user("rival@example.no", Role.PARTNER, organisation="Rival AS"),
        "nameless": do_create_user("nameless@example.no", Role.PARTNER),
        "citizen": do_create_user("citizen@example.no", Role.CITIZEN),
        "admin": do_create_user("kommune@example.no", Role.MUNICIPALITY_ADMIN, place=HOME),
        "other_admin": do_create_user("oslo@example.no", Role.MUNICIPALITY_ADMIN, place=OTHER),
        "network_admin": do_create_user("network@example.no", Role.NETWORK_ADMIN),
    }


def pledge(user: Any, place: str = HOME, goals: list[int] | None = None, **fields: Any) -> Pledge:
    return actions.do_pledge(
        user,
        place,
        fields.get("title", "Elektriske varebiler"),
        fields.get("description", TEXT),
        [7, 13] if goals is None else goals,
        due_year=fields.get("due_year", 2030),
        indicator=fields.get("indicator", ""),
    )


def problems_of(call: Any) -> list[str]:
    with pytest.raises(PledgeError) as raised:
        call()
    return raised.value.problems


def test_a_partner_pledges_in_the_name_of_their_organisation(users: dict[str, Any]) -> None:
    made = pledge(users["partner"])
    assert made.organisation == "Acme AS"
    assert sorted(goal.number for goal in made.goals.all()) == [7, 13]
    assert (made.status, made.progress, made.due_year) == ("active", 0, 2030)
    event = AuditEvent.objects.get(action="partners.pledge")
    assert event.place_id == HOME
    assert event.after == {
        "organisation": "Acme AS",
        "title": "Elektriske varebiler",
        "goals": [7, 13],
        "due_year": 2030,
        "indicator": None,
    }


@pytest.mark.parametrize("name", ["citizen", "admin", "network_admin", "nameless"])
def test_only_partners_with_an_organisation_pledge(users: dict[str, Any], name: str) -> None:
    assert problems_of(lambda: pledge(users[name])) == ["You may not do this."]


def test_bad_pledges_are_refused_with_every_reason(users: dict[str, Any]) -> None:
    this_year = timezone.localdate().year
    problems = problems_of(
        lambda: pledge(
            users["partner"], goals=[1, 2, 3, 4], title="Ja", description="Kort", due_year=2036
        )
    )
    assert problems == [
        "The title needs 5 to 140 characters; it has 2.",
        "The description needs 20 to 5000 characters; it has 4.",
        f"The year to reach it must be from {this_year} to 2035.",
        "Choose one to 3 goals.",
    ]
    assert problems_of(lambda: pledge(users["partner"], due_year=this_year - 1)) == [
        f"The year to reach it must be from {this_year} to 2035."
    ]
    assert problems_of(lambda: pledge(users["partner"], goals=[18])) == ["Unknown goal number."]
    assert problems_of(lambda: pledge(users["partner"], place="9999")) == [
        "No municipality has the number 9999."
    ]
    assert not Pledge.objects.exists()


def test_the_organisation_reports_progress(users: dict[str, Any]) -> None:
    made = pledge(users["partner"])
    for name in ("rival", "citizen", "admin"):
        assert problems_of(
            lambda name=name: actions.do_report_progress(users[name], made, 50, "")
        ) == ["You may not do this."]
    # A colleague writes the organisation's name differently: the same organisation.
    reported = actions.do_report_progress(users["colleague"], made, 40, "12 av 30 biler byttet.")
    assert (reported.progress, reported.progress_note) == (40, "12 av 30 biler byttet.")
    assert reported.progress_at is not None
    assert problems_of(
        lambda: actions.do_report_progress(users["partner"], made, 90, "", "fulfilled")
    ) == ["A fulfilled pledge is at 100 %."]
    assert problems_of(lambda: actions.do_report_progress(users["partner"], made, 101, "")) == [
        "Progress is a percentage from 0 to 100."
    ]
    assert problems_of(lambda: actions.do_report_progress(users["partner"], made, 5, "", "x")) == [
        "Unknown status."
    ]
    done = actions.do_report_progress(users["partner"], made, 100, "Alle byttet.", "fulfilled")
    assert done.status == Pledge.Status.FULFILLED
    events = AuditEvent.objects.filter(action="partners.report_progress").order_by("pk")
    assert [event.after["progress"] for event in events] == [40, 100]
    assert events[1].before == {
        "progress": 40,
        "note": "12 av 30 biler byttet.",
        "status": "active",
    }


def test_a_hidden_pledge_is_seen_by_its_organisation_and_moderators_only(
    users: dict[str, Any],
) -> None:
    made = pledge(users["partner"])
    assert problems_of(lambda: actions.do_hide(users["other_admin"], made, "Reklame")) == [
        "You may not do this."
    ]
    assert problems_of(lambda: actions.do_hide(users["admin"], made, " ")) == [
        "Give a reason for hiding the pledge."
    ]
    actions.do_hide(users["admin"], made, "Ren reklame")
    assert not pledges(users["citizen"]).exists()
    assert not pledges(users["rival"]).exists()
    assert not pledges(users["other_admin"]).exists()
    assert pledges(users["colleague"]).get().hidden_reason == "Ren reklame"
    assert pledges(users["admin"]).exists()
    assert pledges(users["network_admin"]).exists()
    actions.do_restore(users["network_admin"], made)
    assert pledges(users["citizen"]).get().hidden is False
    assert list(
        AuditEvent.objects.filter(action__startswith="partners.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["partners.pledge", "partners.hide", "partners.restore"]


def test_an_organisation_is_one_whatever_the_case_of_its_letters(users: dict[str, Any]) -> None:
    # SQLite folds only ASCII letters itself; the key is folded in Python.
    first = do_create_user("okern@example.no", Role.PARTNER, organisation="Økern  Grønt AS")
    second = do_create_user("okern2@example.no", Role.PARTNER, organisation="økern grønt as")
    made = pledge(first)
    actions.do_hide(users["admin"], made, "Til gjennomgang")
    assert pledges(second).get().organisation == "Økern  Grønt AS"
    assert actions.do_report_progress(second, made, 10, "").progress == 10


def test_a_nul_character_is_refused_not_stored(users: dict[str, Any]) -> None:
    assert problems_of(lambda: pledge(users["partner"], title="Elbiler\x00 nå")) == [
        "The text holds a NUL character."
    ]
    made = pledge(users["partner"])
    assert problems_of(lambda: actions.do_report_progress(users["partner"], made, 5, "a\x00")) == [
        "The text holds a NUL character."
    ]


def test_pledges_may_run_to_2035_or_five_years_ahead() -> None:
    this_year = timezone.localdate().year
    years = actions.due_years()
    assert years[0] == this_year
    assert years[-1] == max(2035, this_year + 5)


def test_a_pledge_may_name_an_indicator_of_its_goals(users: dict[str, Any]) -> None:
    turnout = "voter-turnout-storting"  # goal 16 in the network's framework
    assert problems_of(lambda: pledge(users["partner"], goals=[16], indicator="no-such")) == [
        "The network's framework has no indicator no-such."
    ]
    assert problems_of(lambda: pledge(users["partner"], goals=[7, 13], indicator=turnout)) == [
        "The indicator belongs to goal 16, which the pledge does not name."
    ]
    made = pledge(users["partner"], goals=[16], indicator=turnout)
    assert made.indicator_id == turnout
    assert AuditEvent.objects.get(action="partners.pledge").after["indicator"] == turnout
