"""Rate limits kept in Redis hold across workers (runs when CODESIGN_TEST_REDIS_URL is set)."""
import os

import pytest

from codesign.extensions import limiter
from tests.conftest import RUN_ID, Browser

REDIS_URL = os.environ.get("CODESIGN_TEST_REDIS_URL", "").strip()

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="set CODESIGN_TEST_REDIS_URL=redis://127.0.0.1:6379/0 to test Redis storage"
)


@pytest.fixture
def redis_app(app, other_app):
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    pattern = f"*codesign-test-{RUN_ID}*"
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {error}")
    redis_app = other_app(REDIS_URL=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute")
    yield redis_app, connection, pattern
    # Remove only this run's keys (other runs may share the server), then go back to memory.
    for key in connection.scan_iter(pattern):
        connection.delete(key)
    connection.close()
    limiter.init_app(app)


def test_sign_in_limit_is_shared_through_redis(redis_app, make_user):
    app, connection, pattern = redis_app
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    make_user("maria")
    # Two clients stand for two workers: the count lives in Redis, not in either of them.
    first, second = Browser(app.test_client()), Browser(app.test_client())
    for browser in (first, second, first):
        assert browser.post("/login", {"login": "maria", "password": "bad password"}).status_code == 422
    assert second.post("/login", {"login": "maria", "password": "password123"}).status_code == 429
    assert list(connection.scan_iter(pattern)), "no rate-limit keys under this run's prefix"
