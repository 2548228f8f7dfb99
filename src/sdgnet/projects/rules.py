"""Named permissions of the library.

Until the accounts app lands these rest on Django's own user flags: a signed-in user is a
network member, a staff user is a network administrator, and an editor edits the
projects they created. `sdgnet.accounts.rules` replaces them with the network's roles.
"""

from __future__ import annotations

from typing import Any

import rules


@rules.predicate
def is_network_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_network_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


@rules.predicate
def is_editor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def edits_for_owner(user: Any, item: Any) -> bool:
    """The user created this project or method (their municipality's, once roles exist)."""
    return (
        item is not None
        and getattr(user, "is_authenticated", False)
        and getattr(item, "created_by_id", None) == user.pk
    )


@rules.predicate
def is_published(_user: Any, item: Any) -> bool:
    return bool(item is not None and item.published)


@rules.predicate
def is_public(_user: Any, item: Any) -> bool:
    return bool(item is not None and item.visibility == "public")


can_view = (is_published & (is_public | is_network_member)) | edits_for_owner | is_network_admin
can_change = edits_for_owner | is_network_admin

rules.add_perm("projects.view_project", can_view)
rules.add_perm("projects.add_project", is_editor | is_network_admin)
rules.add_perm("projects.change_project", can_change)
rules.add_perm("projects.delete_project", can_change)
rules.add_perm("projects.moderate_project", is_network_admin)
rules.add_perm("projects.view_method", can_view)
rules.add_perm("projects.add_method", is_editor | is_network_admin)
rules.add_perm("projects.change_method", can_change)
rules.add_perm("projects.import_projects", is_network_admin)
