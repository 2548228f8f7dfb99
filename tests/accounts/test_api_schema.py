"""schemathesis against /api/v1/openapi.json, in-process through the WSGI app: no
request the schema allows (or nearly allows) makes the API answer 5xx, and every error
has the one error format."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db(transaction=False)

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
