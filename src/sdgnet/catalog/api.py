"""API: the SDG catalog and the indicator frameworks (read only)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from sdgnet.catalog.models import Framework, FrameworkIndicator, Goal, Indicator
from sdgnet.web.api import GoalNumber
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["catalog"])


class GoalOut(Schema):
    number: int
    short: str
    title: str
    colour: str


class IndicatorOut(Schema):
    key: str
    name: str
    name_nb: str
    name_en: str
    unit: str
    measure: str
    source: str


class FrameworkOut(Schema):
    slug: str
    name: str
    version: str
    description: str
    is_default: bool
    scored: bool


class FrameworkIndicatorOut(Schema):
    indicator: str
    goal: int | None
    direction: str
    best: float | None
    worst: float | None
    green: float | None
    red: float | None
    target_value: float | None
    target_year: int | None
    weight: float
    in_index: bool

    @staticmethod
    def resolve_indicator(entry: FrameworkIndicator) -> str:
        return entry.indicator_id

    @staticmethod
    def resolve_goal(entry: FrameworkIndicator) -> int | None:
        return entry.goal_id


@router.get("/goals", response=list[GoalOut], summary="The 17 goals")
@paginate(BoundedLimitOffsetPagination)
def list_goals(request: HttpRequest) -> QuerySet[Goal]:
    return Goal.objects.all()


@router.get("/goals/{number}", response=GoalOut)
def get_goal(request: HttpRequest, number: int) -> Any:
    if not 1 <= number <= 17:
        raise Http404  # past what the database's integers hold, a lookup would fail
    return get_object_or_404(Goal, number=number)


@router.get("/indicators", response=list[IndicatorOut])
@paginate(BoundedLimitOffsetPagination)
def list_indicators(
    request: HttpRequest, goal: GoalNumber | None = None, framework: str | None = None
) -> QuerySet[Indicator]:
    indicators = Indicator.objects.all()
    if goal is not None:
        indicators = indicators.filter(entries__goal_id=goal)
    if framework:
        indicators = indicators.filter(entries__framework_id=framework)
    return indicators.distinct().order_by("key")


@router.get("/indicators/{key}", response=IndicatorOut)
def get_indicator(request: HttpRequest, key: str) -> Any:
    return get_object_or_404(Indicator, key=key)


@router.get("/frameworks", response=list[FrameworkOut])
@paginate(BoundedLimitOffsetPagination)
def list_frameworks(request: HttpRequest) -> QuerySet[Framework]:
    return Framework.objects.all()


@router.get("/frameworks/{slug}", response=FrameworkOut)
def get_framework(request: HttpRequest, slug: str) -> Any:
    return get_object_or_404(Framework, slug=slug)


@router.get("/frameworks/{slug}/indicators", response=list[FrameworkIndicatorOut])
@paginate(BoundedLimitOffsetPagination)
def list_framework_indicators(
    request: HttpRequest, slug: str, goal: GoalNumber | None = None
) -> QuerySet[FrameworkIndicator]:
    framework = get_object_or_404(Framework, slug=slug)
    entries = framework.entries.all()
    if goal is not None:
        entries = entries.filter(goal_id=goal)
    return entries.order_by("position", "pk")
