"""Proposals, support, answers and moderation through participation/actions.py, with
real users and the real database (both SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import AuditEvent, Role
from sdgnet.participation import actions
from sdgnet.participation.access import proposals, public_counts_by_goal
from sdgnet.participation.actions import ParticipationError
from sdgnet.participation.models import Proposal, Support

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
BODY = "Flere sykkelparkeringer ved stasjonene, med tak og lading for elsykler."


@pytest.fixture(autouse=True)
def in_english() -> Any:
    # The messages are compared in English; tests/participation/test_pages.py reads bokmål.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    return {
        "citizen": do_create_user("citizen@example.no", Role.CITIZEN),
        "neighbour": do_create_user("neighbour@example.no", Role.CITIZEN),
        "editor": do_create_user("editor@example.no", Role.EDITOR, place=HOME),
        "admin": do_create_user("kommune@example.no", Role.MUNICIPALITY_ADMIN, place=HOME),
        "other_admin": do_create_user("oslo@example.no", Role.MUNICIPALITY_ADMIN, place=OTHER),
        "network_admin": do_create_user("network@example.no", Role.NETWORK_ADMIN),
    }


def propose(user: Any, place: str = HOME, goals: list[int] | None = None, **fields: Any) -> Any:
    return actions.do_propose(
        user,
        place,
        fields.get("title", "Sykkelparkering ved stasjonene"),
        fields.get("body", BODY),
        [11, 13] if goals is None else goals,
    )


def problems_of(call: Any) -> list[str]:
    with pytest.raises(ParticipationError) as raised:
        call()
    return raised.value.problems


def test_a_proposal_is_stored_with_its_goals_and_audited(users: dict[str, Any]) -> None:
    proposal = propose(users["citizen"], title="  Sykkelparkering ved stasjonene  ")
    assert proposal.title == "Sykkelparkering ved stasjonene"
    assert proposal.status == Proposal.Status.OPEN
    assert sorted(goal.number for goal in proposal.goals.all()) == [11, 13]
    event = AuditEvent.objects.get(action="participation.propose", object_id=str(proposal.pk))
    assert event.place_id == HOME
    assert event.after == {"title": "Sykkelparkering ved stasjonene", "goals": [11, 13]}


@pytest.mark.parametrize(
    ("fields", "goals", "expected"),
    [
        ({"title": "Ja"}, None, "The title needs 5 to 140 characters; it has 2."),
        ({"title": "x" * 141}, None, "The title needs 5 to 140 characters; it has 141."),
        ({"body": "For kort"}, None, "The description needs 20 to 5000 characters; it has 8."),
        ({}, [], "Choose one to 3 goals."),
        ({}, [1, 2, 3, 4], "Choose one to 3 goals."),
        ({}, [18], "Unknown goal number."),
    ],
)
def test_bad_proposals_are_refused_with_the_reason(
    users: dict[str, Any], fields: dict[str, str], goals: list[int] | None, expected: str
) -> None:
    assert problems_of(lambda: propose(users["citizen"], goals=goals, **fields)) == [expected]
    assert not Proposal.objects.exists()


def test_every_problem_is_named_at_once(users: dict[str, Any]) -> None:
    problems = problems_of(lambda: propose(users["citizen"], goals=[], title="", body=""))
    assert len(problems) == 3


def test_a_proposal_goes_to_a_municipality_only(users: dict[str, Any]) -> None:
    assert problems_of(lambda: propose(users["citizen"], place="9999")) == [
        "No municipality has the number 9999."
    ]
    assert problems_of(lambda: propose(users["citizen"], place="32")) == [
        "No municipality has the number 32."
    ]  # a county's number: a county is not a municipality


def test_anonymous_visitors_cannot_propose(users: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert problems_of(lambda: propose(AnonymousUser())) == ["You may not do this."]


def test_a_person_makes_at_most_five_proposals_a_day(users: dict[str, Any]) -> None:
    for n in range(actions.PROPOSALS_PER_DAY):
        propose(users["citizen"], title=f"Forslag nummer {n}")
    problems = problems_of(lambda: propose(users["citizen"], title="Ett forslag for mye"))
    assert problems == ["You have made 5 proposals in the last 24 hours; please wait a little."]
    propose(users["neighbour"])  # others are not held back


def test_support_counts_each_person_once_and_can_be_withdrawn(users: dict[str, Any]) -> None:
    proposal = propose(users["citizen"])
    assert actions.do_support(users["neighbour"], proposal) is True
    assert actions.do_support(users["neighbour"], proposal) is False
    assert actions.do_support(users["citizen"], proposal) is True
    counted = proposals(users["neighbour"]).get(pk=proposal.pk)
    assert counted.support_count == 2
    assert actions.do_withdraw_support(users["neighbour"], proposal) is True
    assert actions.do_withdraw_support(users["neighbour"], proposal) is False
    assert Support.objects.filter(proposal=proposal).count() == 1
    # Support is not written to the audit log: it would list who backs what.
    assert not AuditEvent.objects.filter(action__startswith="participation.support").exists()


def test_the_municipality_answers_and_a_decided_proposal_takes_no_more_support(
    users: dict[str, Any],
) -> None:
    proposal = propose(users["citizen"])
    assert problems_of(
        lambda: actions.do_respond(users["editor"], proposal, Proposal.Status.ACCEPTED, "")
    ) == ["Say in a few words what the municipality will do."]
    answered = actions.do_respond(
        users["editor"], proposal, Proposal.Status.ACCEPTED, "Tas inn i budsjettet for 2027."
    )
    assert answered.status == Proposal.Status.ACCEPTED
    assert answered.responded_by == users["editor"]
    event = AuditEvent.objects.get(action="participation.respond")
    assert event.before == {"status": "open", "response": ""}
    assert event.after == {"status": "accepted", "response": "Tas inn i budsjettet for 2027."}
    assert problems_of(lambda: actions.do_support(users["neighbour"], answered)) == [
        "You may not do this."
    ]


def test_only_the_municipalitys_staff_and_network_admins_answer(users: dict[str, Any]) -> None:
    proposal = propose(users["citizen"])
    for name in ("citizen", "neighbour", "other_admin"):
        assert problems_of(
            lambda name=name: actions.do_respond(users[name], proposal, "considered", "Ja")
        ) == ["You may not do this."]
    actions.do_respond(users["network_admin"], proposal, "considered", "")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.CONSIDERED
    assert problems_of(lambda: actions.do_respond(users["admin"], proposal, "maybe", "x")) == [
        "Unknown status."
    ]


def test_hidden_proposals_are_seen_by_their_author_and_moderators_only(
    users: dict[str, Any],
) -> None:
    proposal = propose(users["citizen"])
    propose(users["neighbour"], place=OTHER)
    assert problems_of(lambda: actions.do_hide(users["editor"], proposal, "Reklame")) == [
        "You may not do this."
    ]
    assert problems_of(lambda: actions.do_hide(users["admin"], proposal, "  ")) == [
        "Give a reason for hiding the proposal."
    ]
    actions.do_hide(users["admin"], proposal, "Reklame for et firma")
    assert not proposals(users["neighbour"]).filter(pk=proposal.pk).exists()
    assert not proposals(users["other_admin"]).filter(pk=proposal.pk).exists()
    assert proposals(users["citizen"]).get(pk=proposal.pk).hidden_reason == "Reklame for et firma"
    assert proposals(users["admin"]).filter(pk=proposal.pk).exists()
    assert proposals(users["network_admin"]).count() == 2
    assert public_counts_by_goal(HOME) == {}
    assert problems_of(lambda: actions.do_support(users["neighbour"], proposal)) == [
        "You may not do this."
    ]
    actions.do_restore(users["network_admin"], proposal)
    assert proposals(users["neighbour"]).filter(pk=proposal.pk).exists()
    assert public_counts_by_goal(HOME) == {11: 1, 13: 1}
    assert [
        e.action
        for e in AuditEvent.objects.filter(
            action__in=["participation.hide", "participation.restore"]
        ).order_by("pk")
    ] == [
        "participation.hide",
        "participation.restore",
    ]


def test_a_nul_character_is_refused_not_stored(users: dict[str, Any]) -> None:
    assert problems_of(lambda: propose(users["citizen"], body=BODY + "\x00")) == [
        "The text holds a NUL character."
    ]
    proposal = propose(users["citizen"])
    assert problems_of(
        lambda: actions.do_respond(users["editor"], proposal, "declined", "Nei\x00")
    ) == ["The text holds a NUL character."]


def test_the_author_is_told_when_the_municipality_answers(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    proposal = propose(users["citizen"])
    link = f"https://sdgnet.example/proposals/{proposal.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_respond(users["editor"], proposal, "declined", "Ikke plass.", link=link)
    [sent] = mail.outbox
    assert sent.to == ["citizen@example.no"]
    assert sent.subject == "Forslaget ditt er besvart"  # in the site's language, bokmål
    assert "Bærum har svart på forslaget ditt «Sykkelparkering ved stasjonene»." in sent.body
    assert "Status: Ikke tatt inn" in sent.body
    assert "Ikke plass." in sent.body and link in sent.body
    # Saving the same answer again tells nobody anything new.
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_respond(users["editor"], proposal, "declined", "Ikke plass.", link=link)
    assert len(mail.outbox) == 1


def test_the_author_withdraws_a_proposal_until_the_municipality_answers(
    users: dict[str, Any],
) -> None:
    kept = propose(users["citizen"], title="Denne blir stående")
    gone = propose(users["citizen"], title="Denne trekkes tilbake")
    actions.do_support(users["neighbour"], gone)
    assert problems_of(lambda: actions.do_withdraw_proposal(users["neighbour"], gone)) == [
        "You may not do this."
    ]
    actions.do_withdraw_proposal(users["citizen"], gone)
    assert not Proposal.objects.filter(pk=gone.pk).exists()
    assert not Support.objects.exists()
    event = AuditEvent.objects.get(action="participation.withdraw")
    assert event.before == {"title": "Denne trekkes tilbake", "body": BODY}
    actions.do_respond(users["editor"], kept, "considered", "")
    assert problems_of(lambda: actions.do_withdraw_proposal(users["citizen"], kept)) == [
        "You may not do this."
    ]
