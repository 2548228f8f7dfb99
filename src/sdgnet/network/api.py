"""API: network members, learning groups and local targets."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from sdgnet.network.access import learning_groups, local_targets, members
from sdgnet.network.actions import NetworkError, do_set_local_target
from sdgnet.network.models import LearningGroup, LocalTarget, Membership
from sdgnet.web.api import ApiError, Error, auth_user, bearer_only
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["network"])


class MemberOut(Schema):
    place: str
    name: str
    since: Any | None

    @staticmethod
    def resolve_place(membership: Membership) -> str:
        return membership.place_id

    @staticmethod
    def resolve_name(membership: Membership) -> str:
        return membership.place.name

    @staticmethod
    def resolve_since(membership: Membership) -> Any:
        return membership.decided_at


class LearningGroupOut(Schema):
    slug: str
    name: str
    description: str
    goals: list[int]
    members: list[str]

    @staticmethod
    def resolve_goals(group: LearningGroup) -> list[int]:
        return sorted(goal.number for goal in group.goals.all())

    @staticmethod
    def resolve_members(group: LearningGroup) -> list[str]:
        return sorted(place.code for place in group.members.all())


class LocalTargetOut(Schema):
    place: str
    indicator: str
    value: float
    year: int
    note: str

    @staticmethod
    def resolve_place(target: LocalTarget) -> str:
        return target.place_id

    @staticmethod
    def resolve_indicator(target: LocalTarget) -> str:
        return target.indicator_id


class LocalTargetIn(Schema):
    place: str = Field(..., max_length=8)
    indicator: str = Field(..., max_length=80)
    value: float = Field(..., allow_inf_nan=False)
    year: int = Field(2030, ge=2000, le=2100)
    note: str = Field("", max_length=300)


@router.get("/network/members", response=list[MemberOut])
@paginate(BoundedLimitOffsetPagination)
def list_members(request: HttpRequest) -> QuerySet[Membership]:
    return members().order_by("place_id")


@router.get("/network/learning-groups", response=list[LearningGroupOut])
@paginate(BoundedLimitOffsetPagination)
def list_learning_groups(request: HttpRequest) -> QuerySet[LearningGroup]:
    return learning_groups().order_by("slug")


@router.get("/network/learning-groups/{slug}", response=LearningGroupOut)
def get_learning_group(request: HttpRequest, slug: str) -> Any:
    return get_object_or_404(learning_groups(), slug=slug)


@router.get("/local-targets", response=list[LocalTargetOut])
@paginate(BoundedLimitOffsetPagination)
def list_local_targets(
    request: HttpRequest, place: str | None = None, indicator: str | None = None
) -> QuerySet[LocalTarget]:
    targets = local_targets(place)
    if indicator:
        targets = targets.filter(indicator_id=indicator)
    return targets.order_by("place_id", "indicator_id")


@router.post(
    "/local-targets", auth=bearer_only, response={200: LocalTargetOut, 400: Error, 403: Error}
)
def set_local_target(request: HttpRequest, target: LocalTargetIn) -> Any:
    user = auth_user(request)
    if not user.has_perm("network.set_local_target", target.place):
        raise ApiError(403, "forbidden", _("You may not set targets for this municipality."))
    try:
        return do_set_local_target(
            user, target.place, target.indicator, target.value, year=target.year, note=target.note
        )
    except NetworkError as error:
        raise ApiError(
            400,
            "invalid_target",
            "; ".join(error.problems),
            [{"message": problem} for problem in error.problems],
        ) from error
