"""Property-based API tests with schemathesis against ``/api/v1/openapi.json``: every platform
operation, fed generated and mutated input with an admin's API token, never answers with a
server error, and its JSON matches the declared response schema. (SQLite; ~20 s.)"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from sdgmap.platform import accounts, prizes  # noqa: E402
from sdgmap.platform import submissions as subs  # noqa: E402
from sdgmap.store import Store  # noqa: E402
from sdgmap.store.models import utcnow  # noqa: E402
from sdgmap.web import create_app  # noqa: E402

os.environ["SDGMAP_ARGON2_PROFILE"] = "test"
accounts.configure_hashing("test")


def _site() -> tuple[object, str]:
    """An app over a small database, and an admin token with every scope."""
    store = Store(os.path.join(tempfile.mkdtemp(prefix="sdgmap-schemathesis-"), "api.db"))
    with store.transaction() as s:
        admin = accounts.create_user(s, "admin", password="correct horse battery", role="admin", verified=True)
        owner = accounts.create_user(s, "owner", role="contributor")  # nobody approves their own entry
        sub = subs.create_draft(s, owner, {"title": "Entry", "organisation": "Org", "description": "d",
                                           "sdgs": {"4": "why"}, "action_lines": ["C2"]})
        subs.submit(s, sub, owner, use_classifier=False)
        subs.decide(s, sub, admin, "approve")
        now = utcnow()
        cycle = prizes.create_cycle(s, admin, "Cycle", now + timedelta(hours=1), now + timedelta(hours=2),
                                    categories=["Only"])
        prizes.nominate(s, admin, cycle.categories[0].id, sub.id)
        token, _ = accounts.issue_token(s, admin, "schemathesis", list(accounts.SCOPES), "admin")
    app = create_app(store)
    app.state.classify_semantic = False
    app.state.submission_classifier = False
    return app, token


APP, TOKEN = _site()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP).include(tag="platform")


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_platform_api(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                           checks=[not_a_server_error, response_schema_conformance, content_type_conformance])
