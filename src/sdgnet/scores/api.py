"""API: stored scores of the latest complete run of a framework (read only).

Scores are computed from published observations only, so they carry no embargoed value.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from sdgnet.catalog.access import default_framework
from sdgnet.catalog.models import Framework
from sdgnet.scores.models import GoalScore, IndicatorScore, ScoreRun
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["scores"])


class ScoreFilters(Schema):
    framework: str | None = Field(None, max_length=80)
    place: str | None = Field(None, max_length=8)
    indicator: str | None = Field(None, max_length=80)
    goal: int | None = Field(None, ge=1, le=17)
    year: int | None = Field(None, ge=0, le=32767)


class IndicatorScoreOut(Schema):
    framework: str
    data_version: int
    place: str
    indicator: str
    year: int
    value_year: int | None
    value: float | None
    score: float | None
    colour: str
    trend: str
    score_local: float | None = Field(
        None,
        description="score against the municipality's own target (network local targets) "
        "instead of the framework's best; null where it has set none",
    )

    @staticmethod
    def resolve_framework(row: IndicatorScore) -> str:
        return row.run.framework_id

    @staticmethod
    def resolve_data_version(row: IndicatorScore) -> int:
        return row.run.data_version

    @staticmethod
    def resolve_place(row: IndicatorScore) -> str:
        return row.place_id

    @staticmethod
    def resolve_indicator(row: IndicatorScore) -> str:
        return row.indicator_id


class GoalScoreOut(Schema):
    framework: str
    data_version: int
    place: str
    goal: int
    year: int
    score: float | None
    colour: str
    trend: str

    @staticmethod
    def resolve_framework(row: GoalScore) -> str:
        return row.run.framework_id

    @staticmethod
    def resolve_data_version(row: GoalScore) -> int:
        return row.run.data_version

    @staticmethod
    def resolve_place(row: GoalScore) -> str:
        return row.place_id

    @staticmethod
    def resolve_goal(row: GoalScore) -> int:
        return row.goal_id


def latest_run(framework_slug: str | None) -> ScoreRun | None:
    framework = (
        get_object_or_404(Framework, slug=framework_slug) if framework_slug else default_framework()
    )
    if framework is None:
        return None
    return (
        ScoreRun.objects.filter(framework=framework, complete=True)
        .order_by("-data_version", "-pk")
        .first()
    )


@router.get("/scores", response=list[IndicatorScoreOut], summary="Indicator scores")
@paginate(BoundedLimitOffsetPagination)
def list_indicator_scores(
    request: HttpRequest, filters: Query[ScoreFilters]
) -> QuerySet[IndicatorScore]:
    run = latest_run(filters.framework)
    if run is None:
        return IndicatorScore.objects.none()
    rows = IndicatorScore.objects.filter(run=run).select_related("run")
    if filters.place:
        rows = rows.filter(place_id=filters.place)
    if filters.indicator:
        rows = rows.filter(indicator_id=filters.indicator)
    if filters.goal is not None:
        rows = rows.filter(
            indicator__entries__framework_id=run.framework_id,
            indicator__entries__goal_id=filters.goal,
        )
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    return rows.order_by("place_id", "indicator_id", "year")


@router.get("/goal-scores", response=list[GoalScoreOut], summary="Goal scores")
@paginate(BoundedLimitOffsetPagination)
def list_goal_scores(request: HttpRequest, filters: Query[ScoreFilters]) -> QuerySet[GoalScore]:
    run = latest_run(filters.framework)
    if run is None:
        return GoalScore.objects.none()
    rows = GoalScore.objects.filter(run=run).select_related("run")
    if filters.place:
        rows = rows.filter(place_id=filters.place)
    if filters.goal is not None:
        rows = rows.filter(goal_id=filters.goal)
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    return rows.order_by("place_id", "goal_id", "year")
