"""schemathesis against /api/v1/openapi.json, in-process through the WSGI app: no
request the schema allows (or nearly allows) makes the API answer 5xx, and every error
has the one error format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Django closes a connection inside a transaction at each request's start and end;
    the test client turns that off, and so must this in-process WSGI transport, or the
    test's transaction (and on PostgreSQL the connection) is gone after one request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: Any, people: dict[str, Any]) -> None:
    # Writes are tried as an editor of Bærum, so they reach validation, not just 401.
    # identity: the in-process WSGI transport does not undo the site's gzip compression.
    case.headers = {
        **(case.headers or {}),
        "Authorization": f"Bearer {people['editor'].token}",
        "Accept-Encoding": "identity",
    }
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, case.query, response.text[:200])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert isinstance(body["error"]["code"], str)
