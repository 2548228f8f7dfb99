"""Named permissions of the library, built from the accounts app's role predicates.

Network members (network admins, municipality admins, editors and partners) see
network-only projects; municipality admins and editors create and edit their own
municipality's projects; network admins moderate everything (hide with a reason,
restore, mark reviewed), and a hidden item may be published again only by them. Anyone
logged in may report a problem with a published project they can read. Anonymous visitors
and citizens see published public projects only.
"""

from __future__ import annotations

from typing import Any

import rules

from sdgnet.accounts.rules import (
    is_editor,
    is_municipality_admin,
    is_network_admin,
    is_partner,
    place_of,
)

__all__ = [
    "can_change", "can_publish", "can_report", "can_view", "edits_for_owner", "is_author",
    "is_hidden", "is_network_admin", "is_network_member",
]  # fmt: skip

is_network_member = is_network_admin | is_municipality_admin | is_editor | is_partner
is_author = is_municipality_admin | is_editor


@rules.predicate
def edits_for_owner(user: Any, item: Any) -> bool:
    """The item belongs to the user's municipality, or the user created it."""
    if item is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(item, "created_by_id", None) == user.pk:
        return True
    municipality = getattr(item, "municipality_id", None)
    return municipality is not None and is_author(user) and place_of(user) == municipality


@rules.predicate
def is_published(_user: Any, item: Any) -> bool:
    return bool(item is not None and item.published)


@rules.predicate
def is_public(_user: Any, item: Any) -> bool:
    return bool(item is not None and item.visibility == "public")


@rules.predicate
def is_hidden(_user: Any, item: Any) -> bool:
    """Hidden by a network admin: only a network admin may publish it again."""
    return bool(item is not None and getattr(item, "hidden", False))


can_view = (is_published & (is_public | is_network_member)) | edits_for_owner | is_network_admin
can_change = edits_for_owner | is_network_admin
can_publish = (edits_for_owner & ~is_hidden) | is_network_admin
# Anyone logged in who can read a published project may report a problem with it.
can_report = rules.is_authenticated & is_published & can_view

rules.add_perm("projects.view_project", can_view)
rules.add_perm("projects.add_project", is_author | is_network_admin)
rules.add_perm("projects.change_project", can_change)
rules.add_perm("projects.delete_project", can_change)
rules.add_perm("projects.publish_project", can_publish)
rules.add_perm("projects.moderate_project", is_network_admin)
rules.add_perm("projects.report_project", can_report)
rules.add_perm("projects.view_problemreport", is_network_admin)
rules.add_perm("projects.view_method", can_view)
rules.add_perm("projects.add_method", is_author | is_network_admin)
rules.add_perm("projects.change_method", can_change)
rules.add_perm("projects.moderate_method", is_network_admin)
rules.add_perm("projects.import_projects", is_network_admin)
