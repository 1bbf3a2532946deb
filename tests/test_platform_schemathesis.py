"""Property-based API tests with schemathesis against ``/api/v1/openapi.json``, on SQLite and
PostgreSQL, with an admin's API token and anonymously: every operation (the platform's and
the core register's), fed generated and mutated input and undeclared methods, never answers
with a server error, answers only the statuses its description declares (errors with the
declared error body), and an undeclared method gets 405 with an ``Allow`` header.

Budget: 100 examples per operation on SQLite with the token, 30 for the other three
combinations (about 35, 15, 20 and 15 s on a 2-core machine)."""

from __future__ import annotations

import atexit
import os
import tempfile
import uuid
from datetime import timedelta

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from conftest import PG_OK, _admin, _drop_quietly, _pg_url  # noqa: E402
from sdgmap.frameworks.builtin import open_store  # noqa: E402
from sdgmap.platform import accounts, prizes  # noqa: E402
from sdgmap.platform import submissions as subs  # noqa: E402
from sdgmap.store import Store  # noqa: E402
from sdgmap.store.models import utcnow  # noqa: E402
from sdgmap.web import create_app  # noqa: E402
from webdata import build  # noqa: E402

accounts.configure_hashing("test")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          status_code_conformance, unsupported_method, allow_header_conformance]
EXAMPLES = {("sqlite", "token"): 100}  # every other combination: DEFAULT_EXAMPLES
DEFAULT_EXAMPLES = 30


def _seed(store: Store) -> str:
    """The register of ``webdata`` plus an approved entry nominated in a prize cycle; returns
    an admin token with every scope."""
    build(store)
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
    return token


class LazySite:
    """An ASGI app over its own seeded database, built at the first request: collecting the
    tests (or running only some of them) creates no database that is not used."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.app = None
        self.token = ""

    def build(self) -> None:
        if self.app is not None:
            return
        if self.backend == "sqlite":
            store = open_store(os.path.join(tempfile.mkdtemp(prefix="sdgmap-schemathesis-"), "api.db"))
        else:
            name = f"sdgmap_fuzz_{uuid.uuid4().hex[:10]}"
            _admin(f'CREATE DATABASE "{name}"')
            atexit.register(_drop_quietly, name)  # WITH (FORCE): the app's connections go too
            store = open_store(_pg_url(name))
        self.token = _seed(store)
        self.app = create_app(store)
        self.app.state.classify_semantic = False
        self.app.state.submission_classifier = False

    async def __call__(self, scope, receive, send) -> None:
        self.build()
        await self.app(scope, receive, send)


SITES = {"sqlite": LazySite("sqlite"), "postgresql": LazySite("postgresql")}
# The description does not depend on the data: read it once from an empty database.
SPEC_APP = create_app(open_store(os.path.join(tempfile.mkdtemp(prefix="sdgmap-schemathesis-"), "spec.db")))


def _fuzz(backend: str, mode: str):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", SPEC_APP)
    schema.app = SITES[backend]
    schema.config.generation.update(max_examples=EXAMPLES.get((backend, mode), DEFAULT_EXAMPLES))

    @schema.parametrize()
    @settings(deadline=None, suppress_health_check=list(HealthCheck))
    def test(case):
        site = SITES[backend]
        if backend == "postgresql" and not PG_OK:
            pytest.skip("PostgreSQL not configured (set SDGMAP_TEST_PG_URL)")
        site.build()
        case.call_and_validate(headers={"Authorization": f"Bearer {site.token}"} if mode == "token" else {},
                               checks=CHECKS)
    return pytest.mark.postgres(test) if backend == "postgresql" else test


test_sqlite_with_token = _fuzz("sqlite", "token")
test_sqlite_anonymous = _fuzz("sqlite", "anonymous")
test_postgresql_with_token = _fuzz("postgresql", "token")
test_postgresql_anonymous = _fuzz("postgresql", "anonymous")


@pytest.mark.parametrize("path", ["/api/v1/submissions", "/api/v1/frameworks", "/api/v1/documents",
                                  "/", "/login", "/prizes/1/vote", "/static/app.css"])
@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_unsupported_methods_answer_405_with_allow(method, path):
    """API and page paths alike; ``Allow`` names the methods of every route at the path."""
    from fastapi.testclient import TestClient

    r = TestClient(SPEC_APP).request(method, path)
    assert r.status_code == 405, (method, path, r.status_code)
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    expected = {"/api/v1/submissions": {"GET", "POST"}, "/api/v1/documents": {"GET", "POST"},
                "/login": {"GET", "POST"}, "/prizes/1/vote": {"POST"}}
    assert allowed == expected.get(path, {"GET", "HEAD"} if path.startswith("/static") else {"GET"})
    if path.startswith("/api/"):
        assert r.json() == {"error": {"status": 405, "message": "Method Not Allowed"}}


def test_every_operation_declares_its_errors_with_the_error_body():
    spec = SPEC_APP.openapi()
    body = spec["components"]["schemas"]["ErrorBody"]
    assert body["required"] == ["error"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # 422 is our error body too
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code in ("400", "401", "403", "422"):
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorBody", (method, path, code)
            if "{" in path:
                assert "404" in op["responses"], (method, path)
