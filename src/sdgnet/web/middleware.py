"""The visitor's language choice, remembered across visits.

Bokmål pages have no prefix (`/places/3201/`) and English ones do (`/en/places/3201/`).
Django's LocaleMiddleware always shows an unprefixed address in bokmål, so without this a
visitor who chose English would get bokmål again on the next visit to `/`. Once the
language button has set the language cookie to a language other than the default, a
GET of an unprefixed page that exists in that language is redirected to it. Bokmål
links still work for everyone who has not chosen otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


class RememberedLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.other_languages = {code for code, _name in settings.LANGUAGES} - {
            settings.LANGUAGE_CODE
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if (
            request.method in ("GET", "HEAD")
            and chosen in self.other_languages
            and translation.get_language_from_path(request.path_info) is None
        ):
            target = f"/{chosen}{request.path_info}"
            urlconf = getattr(request, "urlconf", None)
            with translation.override(chosen):
                exists = is_valid_path(target, urlconf)
            if exists:
                script_name = request.path[: len(request.path) - len(request.path_info)]
                query = request.META.get("QUERY_STRING", "")
                location = script_name + target + (f"?{query}" if query else "")
                response: HttpResponse = HttpResponseRedirect(location)
                patch_vary_headers(response, ("Cookie",))
                return response
        return self.get_response(request)
