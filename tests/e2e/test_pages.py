"""Every page type in both languages, in a real Chromium against a real server:
it renders, has no console or CSP errors, passes axe-core's WCAG 2.1 AA rules (tags
wcag2a, wcag2aa, wcag21a, wcag21aa), fits a phone's width, and leaves a screenshot in
test-artifacts/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import Server, describe_violations, run_axe, screenshot_name

# (name, path without the language prefix, text the first heading must contain)
PAGES = [
    ("home", "/", None),
    ("place", "/places/3201/", "Bærum"),
    ("place-goal", "/places/3201/goals/3/", "Bærum"),
    ("goal", "/goals/3/", None),
    ("indicator", "/indicators/population-share-80plus/", None),
    ("compare", "/compare/?places=3201,3203", None),
    ("network", "/network/", None),
    ("search", "/search/?q=B%C3%A6rum", None),
]
LANGUAGES = [("nb", ""), ("en", "/en")]


@dataclass(frozen=True)
class Case:
    name: str
    lang: str
    path: str
    heading: str | None


CASES = [
    pytest.param(Case(f"{name}-{lang}", lang, prefix + path, heading), id=f"{name}-{lang}")
    for name, path, heading in PAGES
    for lang, prefix in LANGUAGES
]

# The innermost elements sticking out to the right: named in a failure, to find the culprit.
WIDER_THAN_VIEWPORT = """() => {
  const limit = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > limit + 1)
    .filter(el => ![...el.children].some(child => child.getBoundingClientRect().right > limit + 1))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
               + ' right=' + Math.round(el.getBoundingClientRect().right));
}"""


@pytest.mark.parametrize("case", CASES)
def test_page_renders_and_passes_axe(
    server: Server, page: Any, console_errors: list[str], axe_source: str, case: Case
) -> None:
    response = page.goto(server(case.path))
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == case.lang
    h1 = page.locator("h1")
    assert h1.count() == 1
    assert h1.inner_text().strip()
    if case.heading:
        assert case.heading in h1.inner_text()
    page.screenshot(path=screenshot_name(case.name), full_page=True)
    violations = run_axe(page, axe_source)
    assert violations == [], describe_violations(violations)
    assert console_errors == []


@pytest.mark.parametrize("case", CASES)
def test_phone_width_has_no_horizontal_scroll(server: Server, browser: Any, case: Case) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(server(case.path))
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
            " viewport: document.documentElement.clientWidth})"
        )
        wide = page.evaluate(WIDER_THAN_VIEWPORT)
        # A mobile browser widens its layout viewport to fit content that overflows.
        assert widths == {"page": 360, "body": 360, "viewport": 360}, (widths, wide)
        page.screenshot(path=screenshot_name("phone-" + case.name))
    finally:
        context.close()
