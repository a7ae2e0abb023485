"""Fixtures of the seastreamer tests: one cluster URI per backend (the file backend in a temp
dir, and the Redis server and Kafka mock that scripts/test starts: SEA_TEST_REDIS,
SEA_TEST_KAFKA). A backend whose server is not given fails its tests; it never skips them."""
import os
import uuid

import pytest


def pytest_addoption(parser):
    parser.addoption("--backends", default="file,redis,kafka", help="comma-separated backends to test")


def pytest_generate_tests(metafunc):
    if "uri" in metafunc.fixturenames:
        metafunc.parametrize("uri", metafunc.config.getoption("backends").split(","), indirect=True)


@pytest.fixture
def uri(request, tmp_path):
    backend = request.param
    if backend == "file":
        return f"file://{tmp_path}/streams"
    var = {"redis": "SEA_TEST_REDIS", "kafka": "SEA_TEST_KAFKA"}[backend]
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} must name the test {backend} server (scripts/test starts it)")
    return value


@pytest.fixture
def stream():
    return "py" + uuid.uuid4().hex[:12]


@pytest.fixture
def props(uri):
    """Consumer properties: Kafka's mock keeps a member that left until its session times out
    (45 s by default), so the next member of the group would wait that long."""
    return {"session.timeout.ms": "6000"} if uri.startswith("kafka://") else {}
