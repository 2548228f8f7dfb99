"""Every page type in both languages, in a real Chromium against a real server:
it renders, has no console or CSP errors, passes axe-core's WCAG 2.1 AA rules (tags
wcag2a, wcag2aa, wcag21a, wcag21aa), fits a phone's width, and leaves a screenshot in
test-artifacts/."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import Server, _sdgnet, describe_violations, run_axe, screenshot_name

# (name, path without the language prefix, text the first heading must contain)
PAGES = [
    ("home", "/", None),
    ("place", "/places/3201/", "Bærum"),
    ("place-goal", "/places/3201/goals/3/", "Bærum"),
    ("council-report", "/places/3201/report/", "Bærum"),
    ("goal", "/goals/3/", None),
    ("indicator", "/indicators/population-share-80plus/", None),
    ("compare", "/compare/?places=3201,3203", None),
    ("network", "/network/", None),
    ("framework", "/frameworks/kommunale-baerekraftsindikatorer/", None),
    ("search", "/search/?q=B%C3%A6rum", None),
    ("proposals", "/proposals/", None),
    ("place-proposals", "/places/3201/proposals/", "Bærum"),
    ("place-priorities", "/places/3201/priorities/", "Bærum"),
    ("pledges", "/pledges/", None),
    ("place-pledges", "/places/3201/pledges/", "Bærum"),
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


# Pages behind a login, seen by a network admin (who sees the most on them); {person} is
# an editor's page. Made with the CLI in the served database, then logged in by the form.
SIGNED_IN_PAGES = [
    ("people", "/accounts/people/"),
    ("person", "{person}"),
    ("password-change", "/accounts/password/"),
    ("enter-value", "/data/enter/"),
    ("upload", "/data/upload/"),
    ("local-targets", "/network/targets/3201/"),
    ("new-learning-group", "/network/groups/new/"),
    ("new-proposal", "/places/3201/proposals/new/"),
    (
        "framework-entry",
        "/frameworks/kommunale-baerekraftsindikatorer/voter-turnout-storting/edit/",
    ),
]
ADMIN_EMAIL = "e2e-admin@example.no"
ADMIN_PASSWORD = "kvitveis-Ugle-2030"


@pytest.fixture(scope="module")
def signed_in_accounts(server: Server) -> None:
    env = {**os.environ, "SDGNET_DATA_DIR": str(server.data_dir)}
    env.pop("DATABASE_URL", None)
    for args, password in (
        (["--email", ADMIN_EMAIL, "--role", "network-admin", "--password-stdin"], ADMIN_PASSWORD),
        (["--email", "e2e-editor@example.no", "--role", "editor", "--place", "3201"], ""),
    ):
        created = subprocess.run(
            [_sdgnet(), "users", "create", *args],
            input=password + "\n",
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert created.returncode == 0, created.stderr


@pytest.mark.usefixtures("signed_in_accounts")
@pytest.mark.parametrize(
    "case",
    [
        pytest.param((name, path, prefix), id=f"{name}-{lang}")
        for name, path in SIGNED_IN_PAGES
        for lang, prefix in LANGUAGES
    ],
)
def test_signed_in_page_renders_and_passes_axe(
    server: Server,
    page: Any,
    console_errors: list[str],
    axe_source: str,
    case: tuple[str, str, str],
) -> None:
    name, path, prefix = case
    page.goto(server("/accounts/login/"))
    page.fill("#id_username", ADMIN_EMAIL)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    if path == "{person}":
        page.goto(server(prefix + "/accounts/people/?q=e2e-editor"))
        path = page.locator("main table a").first.get_attribute("href").removeprefix(prefix)
    response = page.goto(server(prefix + path))
    assert response is not None and response.status == 200
    assert page.locator("h1").count() == 1
    page.screenshot(path=screenshot_name(f"{name}{prefix.replace('/', '-')}"), full_page=True)
    violations = run_axe(page, axe_source)
    assert violations == [], describe_violations(violations)
    assert console_errors == []


# Chart text drawn outside its SVG's box: the server measures text with Liberation Sans's
# metrics (vl-convert), so a browser drawing it in a wider font cuts labels at the edge.
TEXT_OUTSIDE_CHARTS = """() => [...document.querySelectorAll('.chart svg')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')]
    .filter(text => text.textContent.trim())
    .filter(text => {
      const r = text.getBoundingClientRect();
      return r.left < box.left - 1 || r.right > box.right + 1;
    })
    .map(text => text.textContent.trim());
})"""


@pytest.mark.parametrize("case", CASES)
def test_chart_text_stays_inside_its_chart(server: Server, page: Any, case: Case) -> None:
    page.goto(server(case.path))
    assert page.evaluate(TEXT_OUTSIDE_CHARTS) == []


def test_printed_page_has_its_content_in_full_without_navigation(server: Server, page: Any) -> None:
    page.goto(server("/network/"))
    assert page.locator(".heatmap-wrap").evaluate("el => getComputedStyle(el).maxHeight") != "none"
    page.emulate_media(media="print")
    for chrome in (".site-nav", ".site-search", ".language"):
        assert page.locator(chrome).first.is_hidden(), chrome
    assert page.locator(".heatmap-wrap").evaluate("el => getComputedStyle(el).maxHeight") == "none"
    assert page.locator("h1").is_visible()
