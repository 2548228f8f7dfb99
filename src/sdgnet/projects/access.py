"""Reads of the library, scoped to the user: what a user may not see answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sdgnet.accounts.rules import place_of
from sdgnet.projects import rules as project_rules
from sdgnet.projects.models import Method, Project, Visibility


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
