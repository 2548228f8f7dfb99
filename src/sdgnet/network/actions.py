"""Every write to the network goes through here; each records its audit event."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sdgnet.accounts import audit
from sdgnet.catalog.models import Framework, Goal, Indicator
from sdgnet.engine.local_targets import target_problem
from sdgnet.network.models import LearningGroup, LocalTarget, Membership
from sdgnet.places.models import Place


class NetworkError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _require(user: Any, perm: str, obj: Any = None) -> None:
    # Actions re-check the permission so no caller can skip it.
    if not user.has_perm(perm, obj):
        raise NetworkError([_("You may not do this.")])


def _municipality(code: str) -> Place:
    place = Place.objects.filter(code=code, kind=Place.Kind.MUNICIPALITY).first()
    if place is None:
        raise NetworkError([_("No municipality has the number %(code)s.") % {"code": code}])
    return place


def do_apply_for_membership(user: Any, place_code: str, motivation: str = "") -> Membership:
    place = _municipality(place_code)
    _require(user, "network.apply_membership", place)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(place=place).first()
        if membership is not None and membership.status != Membership.Status.REJECTED:
            raise NetworkError([_("This municipality has already applied or is a member.")])
        before = {"status": membership.status} if membership else None
        if membership is None:
            membership = Membership(place=place)
        membership.status = Membership.Status.APPLIED
        membership.motivation = motivation.strip()[:5000]
        membership.applied_by = user
        membership.decided_by = None
        membership.decided_at = None
        membership.save()
        audit.record(
            user,
            "network.apply_membership",
            membership,
            place=place,
            before=before,
            after={"status": membership.status, "motivation": membership.motivation},
        )
    return membership


def do_decide_membership(user: Any, membership: Membership, *, approve: bool) -> Membership:
    _require(user, "network.decide_membership")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != Membership.Status.APPLIED:
            raise NetworkError([_("This application has been decided already.")])
        locked.status = Membership.Status.APPROVED if approve else Membership.Status.REJECTED
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save()
        audit.record(
            user,
            "network.decide_membership",
            locked,
            place=locked.place_id,
            before={"status": Membership.Status.APPLIED},
            after={"status": locked.status},
        )
    return locked


def do_create_learning_group(
    user: Any,
    name: str,
    *,
    description: str = "",
    goals: list[int] | None = None,
    members: list[str] | None = None,
) -> LearningGroup:
    _require(user, "network.manage_learning_groups")
    problems: list[str] = []
    slug = slugify(name)[:80]
    if not name.strip() or not slug:
        problems.append(_("A learning group needs a name."))
    elif LearningGroup.objects.filter(slug=slug).exists():
        problems.append(_("A learning group with this name exists already."))
    member_codes = sorted(set(members or []))
    approved = set(
        Membership.objects.filter(
            place_id__in=member_codes, status=Membership.Status.APPROVED
        ).values_list("place_id", flat=True)
    )
    not_members = [code for code in member_codes if code not in approved]
    if not_members:
        problems.append(
            _("Not members of the network: %(codes)s") % {"codes": ", ".join(not_members)}
        )
    goal_numbers = sorted(set(goals or []))
    if len(Goal.objects.filter(number__in=goal_numbers)) != len(goal_numbers):
        problems.append(_("Unknown goal number."))
    if problems:
        raise NetworkError(problems)
    with transaction.atomic():
        group = LearningGroup.objects.create(
            slug=slug, name=name.strip(), description=description.strip(), created_by=user
        )
        group.goals.set(goal_numbers)
        group.members.set(Place.objects.filter(code__in=member_codes))
        audit.record(
            user,
            "network.create_learning_group",
            group,
            after={
                "name": group.name,
                "goals": goal_numbers,
                "members": member_codes,
                "description": group.description,
            },
        )
    return group


def do_set_learning_group_members(user: Any, group: LearningGroup, members: list[str]) -> None:
    _require(user, "network.manage_learning_groups")
    codes = sorted(set(members))
    approved = set(
        Membership.objects.filter(
            place_id__in=codes, status=Membership.Status.APPROVED
        ).values_list("place_id", flat=True)
    )
    if missing := [code for code in codes if code not in approved]:
        raise NetworkError(
            [_("Not members of the network: %(codes)s") % {"codes": ", ".join(missing)}]
        )
    with transaction.atomic():
        before = sorted(group.members.values_list("code", flat=True))
        group.members.set(Place.objects.filter(code__in=codes))
        audit.record(
            user,
            "network.set_learning_group_members",
            group,
            before={"members": before},
            after={"members": codes},
        )


def _unscorable_target(indicator_key: str, value: float) -> list[str]:
    """A target the engine could not score against (equal to or worse than the worst
    value of a scored framework's rescaling) is refused here rather than at rescore."""
    from sdgnet.scores.actions import engine_framework

    problems: list[str] = []
    frameworks = Framework.objects.filter(scored=True, entries__indicator_id=indicator_key)
    for framework in frameworks.distinct().order_by("slug"):
        spec = engine_framework(framework)
        if indicator_key not in spec:
            continue  # a context indicator there: nothing is scored against the target
        problem = target_problem(spec, indicator_key, value)
        if problem is not None and problem[0] == "target_value":
            problems.append(
                _(
                    "The target must be better than %(worst)s, the worst value of "
                    "%(framework)s: scores are measured from there towards the target."
                )
                % {
                    "worst": formats.localize(spec.get(indicator_key).worst),
                    "framework": framework.name,
                }
            )
    return problems


def do_set_local_target(
    user: Any,
    place_code: str,
    indicator_key: str,
    value: float,
    *,
    year: int = 2030,
    note: str = "",
) -> LocalTarget:
    """Set (or change) a municipality's own target for an indicator."""
    place = _municipality(place_code)
    _require(user, "network.set_local_target", place)
    problems: list[str] = []
    if not Indicator.objects.filter(key=indicator_key).exists():
        problems.append(_("Unknown indicator: %(key)s") % {"key": indicator_key})
    if not 2000 <= year <= 2100:
        problems.append(_("The target year must lie between 2000 and 2100."))
    if not math.isfinite(value):
        problems.append(_("The target must be a number."))
    else:
        problems.extend(_unscorable_target(indicator_key, value))
    if problems:
        raise NetworkError(problems)
    from sdgnet.scores.actions import schedule_rescore

    with transaction.atomic():
        schedule_rescore()  # pages show the score against the new target right away
        target = (
            LocalTarget.objects.select_for_update()
            .filter(place=place, indicator_id=indicator_key)
            .first()
        )
        before = (
            {"value": target.value, "year": target.year, "note": target.note} if target else None
        )
        if target is None:
            target = LocalTarget(place=place, indicator_id=indicator_key)
        target.value = value
        target.year = year
        target.note = note.strip()[:300]
        target.set_by = user
        target.save()
        audit.record(
            user,
            "network.set_local_target",
            target,
            place=place,
            before=before,
            after={"value": value, "year": year, "note": target.note},
        )
    return target


def do_delete_local_target(user: Any, target: LocalTarget) -> None:
    from sdgnet.scores.actions import schedule_rescore

    _require(user, "network.set_local_target", target.place_id)
    with transaction.atomic():
        audit.record(
            user,
            "network.delete_local_target",
            target,
            place=target.place_id,
            before={"indicator": target.indicator_id, "value": target.value, "year": target.year},
        )
        target.delete()
        schedule_rescore()
