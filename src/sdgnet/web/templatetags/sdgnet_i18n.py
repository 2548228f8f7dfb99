"""`{% path_in_language code %}`: this page's address in another language.

The language form posts it as `next`. Django's set_language cannot translate an
`/en/...` address back to bokmål by itself: the form is posted to an unprefixed URL, so
bokmål is active there and `/en/...` does not resolve; it would redirect back to the
English page. Here, while the page renders, its own language is active and it resolves.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def path_in_language(context: dict[str, Any], code: str) -> str:
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), code)
