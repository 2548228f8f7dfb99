"""Every write to participation goes through here. Proposals, answers and moderation
record their audit event; a person's support does not, so the audit log does not become
a register of who backed what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sdgnet.accounts import audit
from sdgnet.accounts.moderation import set_hidden
from sdgnet.catalog.goals import chosen_goal_problems
from sdgnet.catalog.models import Goal
from sdgnet.participation.models import (
    BODY_MAX,
    RESPONSE_MAX,
    TITLE_MAX,
    Priority,
    Proposal,
    Support,
)
from sdgnet.places.models import Place

# A person's proposals in a day: enough for anyone taking part, few enough to stop a flood.
PROPOSALS_PER_DAY = 5
TITLE_MIN = 5
BODY_MIN = 20
GOALS_MAX = 3


class ParticipationError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _require(user: Any, perm: str, obj: Any = None) -> None:
    # Actions re-check the permission so no caller can skip it.
    if not user.has_perm(perm, obj):
        raise ParticipationError([_("You may not do this.")])


def _municipality(code: str) -> Place:
    place = Place.objects.filter(code=code, kind=Place.Kind.MUNICIPALITY).first()
    if place is None:
        raise ParticipationError([_("No municipality has the number %(code)s.") % {"code": code}])
    return place


def proposal_problems(title: str, body: str, goals: list[int]) -> list[str]:
    """What is wrong with a proposal's fields, in the reader's language."""
    problems: list[str] = []
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        problems.append(
            _("The title needs %(low)d to %(high)d characters; it has %(n)d.")
            % {"low": TITLE_MIN, "high": TITLE_MAX, "n": len(title)}
        )
    if not BODY_MIN <= len(body) <= BODY_MAX:
        problems.append(
            _("The description needs %(low)d to %(high)d characters; it has %(n)d.")
            % {"low": BODY_MIN, "high": BODY_MAX, "n": len(body)}
        )
    if any("\x00" in text for text in (title, body)):
        problems.append(_("The text holds a NUL character."))
    return problems + chosen_goal_problems(goals, GOALS_MAX)


def do_propose(user: Any, place_code: str, title: str, body: str, goals: list[int]) -> Proposal:
    _require(user, "participation.propose")
    place = _municipality(place_code)
    title, body = title.strip(), body.strip()
    problems = proposal_problems(title, body, goals)
    with transaction.atomic():
        # The person's row is locked while counting, so two requests at once cannot both
        # slip under the daily limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        since = timezone.now() - timedelta(days=1)
        made = Proposal.objects.filter(created_by=user, created_at__gte=since).count()
        if made >= PROPOSALS_PER_DAY:
            problems.append(
                _("You have made %(n)d proposals in the last 24 hours; please wait a little.")
                % {"n": PROPOSALS_PER_DAY}
            )
        if problems:
            raise ParticipationError(problems)
        proposal = Proposal.objects.create(place=place, title=title, body=body, created_by=user)
        proposal.goals.set(Goal.objects.filter(number__in=set(goals)))
        audit.record(
            user,
            "participation.propose",
            proposal,
            place=place,
            after={"title": title, "goals": sorted(set(goals))},
        )
    return proposal


def _current(proposal: Proposal) -> Proposal:
    # Whether it takes support is decided on its stored state, not on a copy read earlier.
    return Proposal.objects.get(pk=proposal.pk)


def do_support(user: Any, proposal: Proposal) -> bool:
    """Add `user`'s support; False if they supported it already."""
    _require(user, "participation.support", _current(proposal))
    try:
        with transaction.atomic():
            Support.objects.create(proposal=proposal, user=user)
    except IntegrityError:
        return False  # supported already (perhaps in another tab at the same moment)
    return True


def do_withdraw_support(user: Any, proposal: Proposal) -> bool:
    """Take `user`'s support back while the proposal is open; False if there was none."""
    _require(user, "participation.support", _current(proposal))
    deleted, _counts = Support.objects.filter(proposal=proposal, user=user).delete()
    return deleted > 0


def do_respond(
    user: Any, proposal: Proposal, status: str, response: str, *, link: str = ""
) -> Proposal:
    """The municipality's answer: a status and, for a decision (accepted or declined),
    what it will do and why. The author is told by e-mail, with `link` to the proposal."""
    _require(user, "participation.respond", proposal)
    response = response.strip()
    problems: list[str] = []
    if status not in Proposal.Status.values:
        problems.append(_("Unknown status."))
    elif status in (Proposal.Status.ACCEPTED, Proposal.Status.DECLINED) and not response:
        problems.append(_("Say in a few words what the municipality will do."))
    if "\x00" in response:
        problems.append(_("The text holds a NUL character."))
    if len(response) > RESPONSE_MAX:
        problems.append(
            _("The answer may have at most %(high)d characters; it has %(n)d.")
            % {"high": RESPONSE_MAX, "n": len(response)}
        )
    if problems:
        raise ParticipationError(problems)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = {"status": locked.status, "response": locked.response}
        locked.status = status
        locked.response = response
        locked.responded_by = user
        locked.responded_at = timezone.now()
        locked.save(
            update_fields=["status", "response", "responded_by", "responded_at", "updated_at"]
        )
        audit.record(
            user,
            "participation.respond",
            locked,
            place=locked.place_id,
            before=before,
            after={"status": status, "response": response},
        )
        if before != {"status": status, "response": response}:
            transaction.on_commit(lambda: _tell_the_author(locked, link))
    return locked


def _tell_the_author(proposal: Proposal, link: str) -> None:
    """A mail to the proposal's author that the municipality has answered, in the site's
    language (the author's own is not known)."""
    author = proposal.created_by
    if author is None or not author.is_active or not author.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        status = capfirst(str(proposal.get_status_display()))
        body = _(
            "%(place)s has answered your proposal “%(title)s”.\n\nStatus: %(status)s\n\n"
            "%(response)s\n\n%(link)s"
        ) % {
            "place": proposal.place.name,
            "title": proposal.title,
            "status": status,
            "response": proposal.response,
            "link": link,
        }
        send_mail(_("Your proposal has been answered"), body, None, [author.email])


def do_withdraw_proposal(user: Any, proposal: Proposal) -> None:
    """The author takes back a proposal the municipality has not answered; it is deleted
    with its support, and the audit log keeps what it said."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _require(user, "participation.withdraw", locked)
        audit.record(
            user,
            "participation.withdraw",
            locked,
            place=locked.place_id,
            before={"title": locked.title, "body": locked.body},
        )
        locked.delete()


def do_hide(user: Any, proposal: Proposal, reason: str) -> Proposal:
    _require(user, "participation.moderate", proposal)
    reason = reason.strip()
    if not reason:
        raise ParticipationError([_("Give a reason for hiding the proposal.")])
    return set_hidden(user, proposal, hidden=True, reason=reason[:300], app="participation")


def do_restore(user: Any, proposal: Proposal) -> Proposal:
    _require(user, "participation.moderate", proposal)
    return set_hidden(user, proposal, hidden=False, reason="", app="participation")


# Few enough that a choice says what matters most.
PRIORITIES_MAX = 5


def do_set_priorities(user: Any, place_code: str, goals: list[int]) -> Priority:
    """`user`'s goals that matter most for the municipality, replacing an earlier choice.
    Not audited, as support is not: the log would list each person's opinions."""
    _require(user, "participation.set_priorities")
    place = _municipality(place_code)
    problems = chosen_goal_problems(goals, PRIORITIES_MAX)
    if problems:
        raise ParticipationError(problems)
    with transaction.atomic():
        priority, _created = Priority.objects.select_for_update().get_or_create(
            place=place, user=user
        )
        priority.goals.set(Goal.objects.filter(number__in=set(goals)))
        priority.save(update_fields=["updated_at"])  # the cached pages follow the change
    return priority


def do_clear_priorities(user: Any, place_code: str) -> bool:
    """Take `user`'s choice back; False if there was none."""
    _require(user, "participation.set_priorities")
    deleted, _counts = Priority.objects.filter(place_id=place_code, user=user).delete()
    return deleted > 0
