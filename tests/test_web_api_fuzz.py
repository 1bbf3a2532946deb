"""Property-based tests of the activity/analytics JSON API with schemathesis: generated and
mutated parameters (ids, filters, pages, strings with NUL or markup) never cause a server
error. (SQLite, the small known register of ``webdata``.)"""

from __future__ import annotations

import os
import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from sdgmap.frameworks.builtin import open_store  # noqa: E402
from sdgmap.web import create_app  # noqa: E402
from webdata import build  # noqa: E402


def _app():
    store = open_store(os.path.join(tempfile.mkdtemp(prefix="sdgmap-webfuzz-"), "api.db"))
    build(store)
    app = create_app(store)
    app.state.classify_semantic = False
    return app


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app()).include(tag="sdgmap")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_web_api_never_errors(case):
    case.call_and_validate(checks=[not_a_server_error])
