"""Reads of the catalog shared by pages and the API."""

from __future__ import annotations

from sdgnet.catalog.models import Framework


def default_framework() -> Framework | None:
    return (
        Framework.objects.filter(is_default=True).first()
        or Framework.objects.filter(scored=True).first()
    )
