"""Reads of the library, scoped to the user: what a user may not see answers 404."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, overload

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
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
QUEUE_RELATED = ("municipality", "created_by", "reviewed_by")  # what the queue shows of each


@dataclass
class QueueItem:
    kind: str  # "project" or "method"
    item: Project | Method
    open_reports: list[ProblemReport] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        # As _in_state's "unreviewed", which finds these in the database.
        reviewed = self.item.reviewed_at
        return reviewed is None or self.item.updated_at > reviewed or bool(self.open_reports)


def _in_state(state: str, kind: str) -> Q | None:
    """The items of one kind in a state of the queue; None when no item of it can be."""
    open_reports = Exists(
        ProblemReport.objects.filter(project=OuterRef("pk"), resolved_at__isnull=True)
    )
    if state == "reported":
        return Q(open_reports) if kind == "project" else None
    if state == "unreviewed":
        # Open reports make a project unreviewed however long ago it was reviewed.
        changed = Q(reviewed_at__isnull=True) | Q(updated_at__gt=F("reviewed_at"))
        return changed | Q(open_reports) if kind == "project" else changed
    return {
        "all": Q(),
        "hidden": Q(hidden=True),
        "draft": Q(published=False, hidden=False),
        "published": Q(published=True),
    }[state]


class ModerationQueue(Sequence[QueueItem]):
    """The queue in one state, newest first, however long: the database counts it and
    reads the items of one page at a time (a slice)."""

    def __init__(self, state: str) -> None:
        parts = []
        for kind, model in (("project", Project), ("method", Method)):
            condition = _in_state(state, kind)
            if condition is not None:
                # (Method has a field named kind.)
                matching = model.objects.filter(condition).annotate(queue_kind=Value(kind))
                parts.append(
                    matching.order_by().values_list("pk", "key", "updated_at", "queue_kind")
                )
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        # A project before a method changed at the same moment ("project" > "method").
        self._rows = rows.order_by("-updated_at", "-queue_kind", "key")

    @cached_property
    def _count(self) -> int:
        return self._rows.count()

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> QueueItem: ...

    @overload
    def __getitem__(self, index: slice) -> list[QueueItem]: ...

    def __getitem__(self, index: int | slice) -> QueueItem | list[QueueItem]:
        if isinstance(index, slice):
            return _queue_items(list(self._rows[index]))
        if index < 0:
            index += len(self)
        found = _queue_items(list(self._rows[index : index + 1])) if index >= 0 else []
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[QueueItem]:
        return iter(self[:])


def _queue_items(rows: list[tuple[int, str, Any, str]]) -> list[QueueItem]:
    """The projects and methods of these rows of the queue, in their order, projects with
    their open problem reports."""
    wanted: dict[str, list[int]] = {"project": [], "method": []}
    for pk, _key, _updated, kind in rows:
        wanted[kind].append(pk)
    found: dict[str, dict[int, Any]] = {
        "project": Project.objects.select_related(*QUEUE_RELATED).in_bulk(wanted["project"]),
        "method": Method.objects.select_related(*QUEUE_RELATED).in_bulk(wanted["method"]),
    }
    reports: dict[int, list[ProblemReport]] = {}
    for report in ProblemReport.objects.filter(
        project_id__in=wanted["project"], resolved_at__isnull=True
    ).select_related("reporter"):
        reports.setdefault(report.project_id, []).append(report)
    items = []
    for pk, _key, _updated, kind in rows:
        item = found[kind].get(pk)
        if item is not None:  # None: deleted since the rows were read
            items.append(QueueItem(kind, item, reports.get(pk, []) if kind == "project" else []))
    return items


def moderation_queue(user: Any, state: str = "all") -> ModerationQueue:
    """Projects and methods in one state, most recently created, edited or published first;
    projects carry their open problem reports. An unknown state is "all"."""
    if not user.has_perm("projects.moderate_project"):
        raise Http404("moderation")
    return ModerationQueue(state if state in QUEUE_STATES else "all")


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
