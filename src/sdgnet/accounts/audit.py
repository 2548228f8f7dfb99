"""The audit log: every action that writes calls `record` inside its own transaction,
so an event exists exactly when the write committed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from sdgnet.accounts.models import AuditEvent
from sdgnet.observations.exports import neutralise

AUDIT_COLUMNS = [
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "place",
    "before",
    "after",
]


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    object_type: str = "",
    object_id: str = "",
    place: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one write by `actor` (a user, or None for the system and operators)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    authenticated = getattr(actor, "is_authenticated", False)
    place_code = place if isinstance(place, str) or place is None else place.pk
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=actor.get_username() if authenticated else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        place_id=place_code,
        before=before,
        after=after,
    )


def audit_rows(events: Iterable[AuditEvent]) -> Iterator[list[object]]:
    import json

    for event in events:
        yield [
            event.at.isoformat(),
            neutralise(event.actor_label),
            event.action,
            event.object_type,
            neutralise(event.object_id),
            event.place_id or "",
            neutralise(json.dumps(event.before, ensure_ascii=False, default=str))
            if event.before is not None
            else "",
            neutralise(json.dumps(event.after, ensure_ascii=False, default=str))
            if event.after is not None
            else "",
        ]


def audit_csv(events: QuerySet[AuditEvent]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    writer.writerows(audit_rows(events.iterator(chunk_size=2000)))
    return buffer.getvalue()
