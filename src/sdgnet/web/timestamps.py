"""A moment as the JSON twins and the API write it (Django's encoder: milliseconds, `Z`)."""

from __future__ import annotations

from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder

_encoder = DjangoJSONEncoder()


def json_time(moment: datetime | None) -> str | None:
    return None if moment is None else str(_encoder.default(moment))
