"""`{% load library %}{% who_to_learn_from place as learning %}` for other apps' pages
(the municipality dashboard), followed by `{% include "projects/_who_to_learn_from.html" %}`."""

from __future__ import annotations

from typing import Any

from django import template

from sdgnet.projects.learning import WeakIndicator
from sdgnet.projects.learning import who_to_learn_from as _who_to_learn_from

register = template.Library()


@register.simple_tag(takes_context=True)
def who_to_learn_from(context: Any, place: Any) -> list[WeakIndicator]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return _who_to_learn_from(user, place)
