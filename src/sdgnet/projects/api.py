"""API: the project library. What a user may see is what the library's pages show them
(`access.visible_projects`): published public projects for everyone, network-only ones for
network members, drafts only for those who may edit them. Writes (a problem report, a
network admin's moderation decision) need a bearer token and call the same actions and
rules as the pages; what a user may not see or moderate answers 404."""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from sdgnet.projects import access
from sdgnet.projects.access import visible_projects
from sdgnet.projects.actions import LibraryError, do_moderate, do_report_project
from sdgnet.projects.models import Project
from sdgnet.web.api import ApiError, Error, GoalNumber, auth_user, bearer_only
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["projects"])


class ProjectOut(Schema):
    key: str
    title: str
    summary: str
    municipality: str
    goals: list[int]
    status: str
    language: str
    published: bool
    visibility: str
    start_date: date | None
    end_date: date | None
    source_url: str
    updated_at: datetime

    @staticmethod
    def resolve_municipality(project: Project) -> str:
        return project.municipality_id

    @staticmethod
    def resolve_goals(project: Project) -> list[int]:
        return sorted(goal.number for goal in project.goals.all())


@router.get("/projects", response=list[ProjectOut])
@paginate(BoundedLimitOffsetPagination)
def list_projects(
    request: HttpRequest, municipality: str | None = None, goal: GoalNumber | None = None
) -> QuerySet[Project]:
    projects = visible_projects(auth_user(request)).prefetch_related("goals")
    if municipality:
        projects = projects.filter(municipality_id=municipality)
    if goal:
        projects = projects.filter(goals__number=goal)
    return projects.order_by("key")


@router.get("/projects/{key}", response=ProjectOut)
def get_project(request: HttpRequest, key: str) -> Any:
    project = visible_projects(auth_user(request)).prefetch_related("goals").filter(key=key)
    found = project.first()
    if found is None:
        raise Http404(key)
    return found


class ReportIn(Schema):
    reason: str


class ReportOut(Schema):
    project: str
    reason: str
    created_at: datetime


class DecisionIn(Schema):
    decision: str
    reason: str = ""


class QueueItemOut(Schema):
    kind: str
    key: str
    title: str
    municipality: str | None
    published: bool
    hidden: bool
    hidden_reason: str
    updated_at: datetime
    needs_review: bool
    reports: list[str]

    @staticmethod
    def resolve_key(entry: access.QueueItem) -> str:
        return entry.item.key

    @staticmethod
    def resolve_title(entry: access.QueueItem) -> str:
        return entry.item.title

    @staticmethod
    def resolve_municipality(entry: access.QueueItem) -> str | None:
        return entry.item.municipality_id

    @staticmethod
    def resolve_published(entry: access.QueueItem) -> bool:
        return entry.item.published

    @staticmethod
    def resolve_hidden(entry: access.QueueItem) -> bool:
        return entry.item.hidden

    @staticmethod
    def resolve_hidden_reason(entry: access.QueueItem) -> str:
        return entry.item.hidden_reason

    @staticmethod
    def resolve_updated_at(entry: access.QueueItem) -> datetime:
        return entry.item.updated_at

    @staticmethod
    def resolve_reports(entry: access.QueueItem) -> list[str]:
        return [report.reason for report in entry.open_reports]


def _refused(error: LibraryError, code: str) -> ApiError:
    return ApiError(
        400,
        code,
        "; ".join(problem.message for problem in error.problems),
        [{"field": problem.where, "message": problem.message} for problem in error.problems],
    )


@router.post(
    "/projects/{key}/reports", auth=bearer_only, response={201: ReportOut, 400: Error, 404: Error}
)
def report_project(request: HttpRequest, key: str, report: ReportIn) -> Any:
    user = auth_user(request)
    project = access.access_project(user, key)
    if not user.has_perm("projects.report_project", project):
        raise Http404(key)
    try:
        saved = do_report_project(user, project, report.reason)
    except LibraryError as error:
        raise _refused(error, "invalid_report") from error
    return Status(
        201, {"project": project.key, "reason": saved.reason, "created_at": saved.created_at}
    )


@router.get("/moderation", response={200: list[QueueItemOut], 404: Error})
@paginate(BoundedLimitOffsetPagination)
def moderation_queue(request: HttpRequest, state: str = "all") -> access.ModerationQueue:
    """The whole moderation queue, newest first, as its page shows it, paginated like every
    other list (the database counts it and reads one page); network admins only."""
    return access.moderation_queue(auth_user(request), state)


@router.post(
    "/moderation/{kind}/{key}",
    auth=bearer_only,
    response={200: QueueItemOut, 400: Error, 404: Error},
)
def moderate(request: HttpRequest, kind: str, key: str, decision: DecisionIn) -> Any:
    user = auth_user(request)
    item = access.access_for_moderation(user, kind, key)
    try:
        do_moderate(user, item, decision.decision, decision.reason)
    except LibraryError as error:
        raise _refused(error, "invalid_decision") from error
    # Every decision resolves the open problem reports: none are left to show.
    return access.QueueItem(kind, item)
