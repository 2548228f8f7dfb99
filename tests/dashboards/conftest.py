"""Dashboards tests start with an empty page cache, so each request is really built."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest


class _Checker(HTMLParser):
    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "wbr"}
    # SVG elements vl-convert writes self-closed (<path .../>) are reported by
    # handle_startendtag and never pushed.

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value or "" for name, value in attrs if name == "id"]
        self.h1 += tag == "h1"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-5:]}"
        self.stack.pop()


def check_html(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    assert checker.stack == [], checker.stack[-5:]
    assert len(checker.ids) == len(set(checker.ids)), "duplicate id"
    return checker


@pytest.fixture
def well_formed() -> Callable[[str], _Checker]:
    return check_html


@pytest.fixture(autouse=True)
def with_stored_scores(stored_scores: None) -> None:
    """Pages only read stored runs: every test here has the default data's scores, and
    starts with an empty page cache (after the first test's scoring too)."""
    from django.core.cache import cache

    cache.clear()
