"""Hiding a contribution (a proposal, a pledge) with a reason, and showing it again: the
row is locked, both fields change together, and the audit log records it."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from sdgnet.accounts import audit

Hideable = TypeVar("Hideable", bound=models.Model)


def set_hidden(user: Any, item: Hideable, *, hidden: bool, reason: str, app: str) -> Hideable:
    """`item` (with `hidden`, `hidden_reason` and `place`) hidden or shown; audited as
    `<app>.hide` or `<app>.restore`."""
    with transaction.atomic():
        locked = type(item)._default_manager.select_for_update().get(pk=item.pk)
        before = {"hidden": locked.hidden, "reason": locked.hidden_reason}  # type: ignore[attr-defined]
        locked.hidden = hidden  # type: ignore[attr-defined]
        locked.hidden_reason = reason  # type: ignore[attr-defined]
        locked.save(update_fields=["hidden", "hidden_reason", "updated_at"])
        audit.record(
            user,
            f"{app}.hide" if hidden else f"{app}.restore",
            locked,
            place=locked.place_id,  # type: ignore[attr-defined]
            before=before,
            after={"hidden": hidden, "reason": reason},
        )
    return locked
