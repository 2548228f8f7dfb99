"""Reads of the library, scoped to the user: what a user may not see answers 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sdgnet.accounts.rules import place_of
from sdgnet.projects import rules as project_rules
from sdgnet.projects.models import Method, ProblemReport, Project, Visibility


def _scope(user: Any) -> Q | None:
    """None means everything; otherwise the filter of what this user may see."""
    if project_rules.is_network_admin(user):
        return None
    own = Q(created_by=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    place = place_of(user) if project_rules.is_author(user) else None
    if place:
        own |= Q(municipality_id=place)
    if project_rules.is_network_member(user):
        return Q(published=True) | own
    return Q(published=True, visibility=Visibility.PUBLIC) | own


def visible_projects(user: Any) -> QuerySet[Project]:
    scope = _scope(user)
    projects = Project.objects.select_related("municipality", "municipality__parent")
    return projects if scope is None else projects.filter(scope)


def visible_methods(user: Any) -> QuerySet[Method]:
    scope = _scope(user)
    if scope is not None and project_rules.is_author(user):
        scope = Q(published=True) | Q(created_by=user)
        if not project_rules.is_network_member(user):
            scope = Q(published=True, visibility=Visibility.PUBLIC) | Q(created_by=user)
    return Method.objects.all() if scope is None else Method.objects.filter(scope)


def published_visibilities(user: Any) -> list[str]:
    """The visibilities of published projects this user may find in search."""
    if project_rules.is_network_member(user):
        return [Visibility.PUBLIC, Visibility.NETWORK]
    return [Visibility.PUBLIC]


def access_project(user: Any, key: str) -> Project:
    project = visible_projects(user).filter(key=key).first()
    if project is None:
        raise Http404(key)
    return project


def access_project_for_change(user: Any, key: str) -> Project:
    project = access_project(user, key)
    if not project_rules.can_change.test(user, project):
        raise Http404(key)
    return project


def access_method(user: Any, key: str) -> Method:
    method = visible_methods(user).filter(key=key).first()
    if method is None:
        raise Http404(key)
    return method


def editable_projects(user: Any) -> QuerySet[Project]:
    """Drafts and published projects this user may edit, newest first."""
    if project_rules.is_network_admin(user):
        return Project.objects.select_related("municipality")
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    own = Q(created_by=user)
    if project_rules.is_author(user) and place_of(user):
        own |= Q(municipality_id=place_of(user))
    return Project.objects.select_related("municipality").filter(own)


# --- moderation (network admins only; everyone else gets 404) -------------------------

QUEUE_STATES = ("all", "unreviewed", "reported", "hidden", "draft", "published")
QUEUE_LIMIT = 200


@dataclass
class QueueItem:
    kind: str  # "project" or "method"
    item: Project | Method
    open_reports: list[ProblemReport] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        reviewed = self.item.reviewed_at
        return reviewed is None or self.item.updated_at > reviewed or bool(self.open_reports)


def _state_filter(state: str) -> Q:
    # "unreviewed" is decided per item (QueueItem.needs_review), over the newest items.
    return {
        "all": Q(),
        "unreviewed": Q(),
        # Both conditions on the same join: a project without reports is not "reported".
        "reported": Q(reports__isnull=False, reports__resolved_at__isnull=True),
        "hidden": Q(hidden=True),
        "draft": Q(published=False, hidden=False),
        "published": Q(published=True),
    }[state]


def moderation_queue(user: Any, state: str = "all") -> list[QueueItem]:
    """Projects and methods, most recently created, edited or published first, in one
    state; projects carry their open problem reports."""
    if not user.has_perm("projects.moderate_project"):
        raise Http404("moderation")
    if state not in QUEUE_STATES:
        state = "all"
    # Unreviewed items are looked for among more of the newest, then cut to the limit.
    scan = QUEUE_LIMIT * 10 if state == "unreviewed" else QUEUE_LIMIT
    projects = (
        Project.objects.select_related("municipality", "created_by", "reviewed_by")
        .filter(_state_filter(state))
        .distinct()
        .order_by("-updated_at", "key")[:scan]
    )
    items = [QueueItem("project", project) for project in projects]
    if state == "unreviewed":
        # Open reports make a project unreviewed however long ago it was changed.
        reported = (
            Project.objects.select_related("municipality", "created_by", "reviewed_by")
            .filter(reports__isnull=False, reports__resolved_at__isnull=True)
            .exclude(pk__in=[entry.item.pk for entry in items])
            .distinct()
        )
        items += [QueueItem("project", project) for project in reported]
    if state != "reported":
        methods = (
            Method.objects.select_related("municipality", "created_by", "reviewed_by")
            .filter(_state_filter(state))
            .order_by("-updated_at", "key")[:scan]
        )
        items += [QueueItem("method", method) for method in methods]
    reports: dict[int, list[ProblemReport]] = {}
    for report in ProblemReport.objects.filter(
        project_id__in=[entry.item.pk for entry in items if entry.kind == "project"],
        resolved_at__isnull=True,
    ).select_related("reporter"):
        reports.setdefault(report.project_id, []).append(report)
    for entry in items:
        if entry.kind == "project":
            entry.open_reports = reports.get(entry.item.pk, [])
    if state == "unreviewed":
        items = [entry for entry in items if entry.needs_review]
    items.sort(key=lambda entry: entry.item.updated_at, reverse=True)
    return items[:QUEUE_LIMIT]


def access_for_moderation(user: Any, kind: str, key: str) -> Project | Method:
    """The project or method a network admin moderates; 404 for anyone else."""
    if kind not in ("project", "method") or not user.has_perm(f"projects.moderate_{kind}"):
        raise Http404(key)
    item: Project | Method | None = (
        Project.objects.filter(key=key).first()
        if kind == "project"
        else Method.objects.filter(key=key).first()
    )
    if item is None:
        raise Http404(key)
    return item
