"""Every write to the pledges goes through here; each records its audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sdgnet.accounts import audit
from sdgnet.accounts.moderation import set_hidden
from sdgnet.catalog.goals import chosen_goal_problems
from sdgnet.catalog.models import FrameworkIndicator, Goal
from sdgnet.partners.models import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, Pledge
from sdgnet.partners.rules import organisation_key, organisation_of
from sdgnet.places.models import Place

TITLE_MIN = 5
DESCRIPTION_MIN = 20
GOALS_MAX = 3
# Pledges run to the 2030 Agenda's end, or a few years past it for long investments.
LATEST_DUE_YEAR = 2035
YEARS_AHEAD = 5


def due_years() -> range:
    """The years a pledge may be due: from this year to 2035, or five years ahead after."""
    this_year = timezone.localdate().year
    return range(this_year, max(LATEST_DUE_YEAR, this_year + YEARS_AHEAD) + 1)


class PledgeError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _require(user: Any, perm: str, obj: Any = None) -> None:
    # Actions re-check the permission so no caller can skip it.
    if not user.has_perm(perm, obj):
        raise PledgeError([_("You may not do this.")])


def pledge_problems(title: str, description: str, goals: list[int], due_year: int) -> list[str]:
    """What is wrong with a pledge's fields, in the reader's language."""
    problems: list[str] = []
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        problems.append(
            _("The title needs %(low)d to %(high)d characters; it has %(n)d.")
            % {"low": TITLE_MIN, "high": TITLE_MAX, "n": len(title)}
        )
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        problems.append(
            _("The description needs %(low)d to %(high)d characters; it has %(n)d.")
            % {"low": DESCRIPTION_MIN, "high": DESCRIPTION_MAX, "n": len(description)}
        )
    allowed = due_years()
    if due_year not in allowed:
        problems.append(
            _("The year to reach it must be from %(low)d to %(high)d.")
            % {"low": allowed[0], "high": allowed[-1]}
        )
    if any("\x00" in text for text in (title, description)):
        problems.append(_("The text holds a NUL character."))
    return problems + chosen_goal_problems(goals, GOALS_MAX)


def indicator_problems(indicator: str, goals: list[int]) -> list[str]:
    """An indicator a pledge names must be one of the default framework's, on one of the
    pledge's goals."""
    if not indicator:
        return []
    entry = FrameworkIndicator.objects.filter(
        framework__is_default=True, indicator_id=indicator
    ).first()
    if entry is None:
        return [_("The network's framework has no indicator %(key)s.") % {"key": indicator}]
    if entry.goal_id not in set(goals):
        return [
            _("The indicator belongs to goal %(goal)s, which the pledge does not name.")
            % {"goal": entry.goal_id}
        ]
    return []


def do_pledge(
    user: Any,
    place_code: str,
    title: str,
    description: str,
    goals: list[int],
    *,
    due_year: int,
    indicator: str = "",
) -> Pledge:
    """A pledge by the partner's organisation for a municipality, perhaps naming the
    framework indicator it works towards."""
    _require(user, "partners.pledge")
    place = Place.objects.filter(code=place_code, kind=Place.Kind.MUNICIPALITY).first()
    if place is None:
        raise PledgeError([_("No municipality has the number %(code)s.") % {"code": place_code}])
    title, description = title.strip(), description.strip()
    problems = pledge_problems(title, description, goals, due_year)
    if not chosen_goal_problems(goals, GOALS_MAX):  # the indicator is checked against them
        problems += indicator_problems(indicator, goals)
    if problems:
        raise PledgeError(problems)
    with transaction.atomic():
        pledge = Pledge.objects.create(
            organisation=organisation_of(user),
            organisation_key=organisation_key(organisation_of(user)),
            place=place,
            title=title,
            description=description,
            due_year=due_year,
            indicator_id=indicator or None,
            created_by=user,
        )
        pledge.goals.set(Goal.objects.filter(number__in=set(goals)))
        audit.record(
            user,
            "partners.pledge",
            pledge,
            place=place,
            after={
                "organisation": pledge.organisation,
                "title": title,
                "goals": sorted(set(goals)),
                "due_year": due_year,
                "indicator": indicator or None,
            },
        )
    return pledge


def do_report_progress(
    user: Any, pledge: Pledge, progress: int, note: str, status: str = Pledge.Status.ACTIVE
) -> Pledge:
    """The organisation's account of how far it has come (0-100 %), and whether the pledge
    is fulfilled or withdrawn. A fulfilled pledge is at 100 %."""
    _require(user, "partners.report_progress", pledge)
    note = note.strip()
    problems: list[str] = []
    if not 0 <= progress <= 100:
        problems.append(_("Progress is a percentage from 0 to 100."))
    if status not in Pledge.Status.values:
        problems.append(_("Unknown status."))
    elif status == Pledge.Status.FULFILLED and progress != 100:
        problems.append(_("A fulfilled pledge is at 100 %."))
    if "\x00" in note:
        problems.append(_("The text holds a NUL character."))
    if len(note) > NOTE_MAX:
        problems.append(
            _("The note may have at most %(high)d characters; it has %(n)d.")
            % {"high": NOTE_MAX, "n": len(note)}
        )
    if problems:
        raise PledgeError(problems)
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        before = {
            "progress": locked.progress,
            "note": locked.progress_note,
            "status": locked.status,
        }
        locked.progress = progress
        locked.progress_note = note
        locked.status = status
        locked.progress_at = timezone.now()
        locked.save(
            update_fields=["progress", "progress_note", "status", "progress_at", "updated_at"]
        )
        audit.record(
            user,
            "partners.report_progress",
            locked,
            place=locked.place_id,
            before=before,
            after={"progress": progress, "note": note, "status": status},
        )
    return locked


def do_hide(user: Any, pledge: Pledge, reason: str) -> Pledge:
    _require(user, "partners.moderate_pledge", pledge)
    reason = reason.strip()
    if not reason:
        raise PledgeError([_("Give a reason for hiding the pledge.")])
    return set_hidden(user, pledge, hidden=True, reason=reason[:300], app="partners")


def do_restore(user: Any, pledge: Pledge) -> Pledge:
    _require(user, "partners.moderate_pledge", pledge)
    return set_hidden(user, pledge, hidden=False, reason="", app="partners")
