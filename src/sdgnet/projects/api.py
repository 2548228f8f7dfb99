"""API: the project library (read only). What a user may see is what the library's pages
show them (`access.visible_projects`): published public projects for everyone, network-only
ones for network members, drafts only for those who may edit them."""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from sdgnet.projects.access import visible_projects
from sdgnet.projects.models import Project
from sdgnet.web.api import auth_user

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
@paginate(LimitOffsetPagination)
def list_projects(
    request: HttpRequest, municipality: str | None = None, goal: int | None = None
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
