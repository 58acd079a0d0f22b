"""Configuration: safe defaults that need nothing, overridden by CODESIGN_* variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_PREFIX = "CODESIGN_"


class DefaultConfig:
    """Defaults; every name can be overridden by an environment variable CODESIGN_<NAME>."""

    # production | development | testing. Production refuses to run with debug on.
    ENV = "production"
    # Filled in by load_config when not given: sqlite file in the instance folder.
    DATABASE_URL: str | None = None
    # Rate-limit storage; set CODESIGN_REDIS_URL to share limits across workers and machines.
    REDIS_URL: str | None = None
    RATELIMIT_KEY_PREFIX = "codesign"
    # Off only for load benchmarks (benchmarks/run.py), which post many times from one account.
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    REGISTER_RATE_LIMIT = "5 per minute;30 per hour"
    # Each address's share of the read-only open data API (/api/v1/).
    API_RATE_LIMIT = "120 per minute;3000 per hour"
    # Email: "smtp" sends through MAIL_SERVER; "log" (the default) writes each message to the
    # log instead, for development; "memory" keeps them for tests.
    MAIL_BACKEND = "log"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_TIMEOUT = 10
    MAIL_FROM = "codesign@localhost"
    MAIL_FROM_NAME = "Codesign"
    # Notification emails are sent just after the response of the request that made them (and
    # every minute by `flask send-email`, which retries failures and sends the weekly summaries,
    # on DIGEST_WEEKDAY, 0 = Monday, at DIGEST_HOUR UTC).
    MAIL_SEND_AFTER_RESPONSE = True
    DIGEST_WEEKDAY = 0
    DIGEST_HOUR = 16
    # Served over HTTPS: Secure cookies and HSTS.
    HTTPS = False
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
    TRUSTED_PROXIES = 0
    # Locale used when neither the person nor their browser nor the district says otherwise.
    DEFAULT_LOCALE = "en"
    DEFAULT_TIMEZONE = "America/Los_Angeles"
    DEFAULT_SUPPRESSION_THRESHOLD = 10
    # Search engine: "whoosh" (an index in the instance folder; one machine) or "postgres"
    # (PostgreSQL full-text search, shared by every app server; needs a PostgreSQL database).
    SEARCH = "whoosh"
    SEARCH_INDEX_DIR = ""  # default: <instance>/search
    # Each app process applies new changes to the index this often (seconds), in the background.
    SEARCH_BACKGROUND = True
    SEARCH_INTERVAL = "1.0"
    # Pages for people who are not signed in are kept this many seconds by each worker and
    # served again without running the view (codesign/pagecache.py); "0" turns it off.
    PAGE_CACHE_SECONDS = "5"
    # Parts of pages that every reader sees alike (two per comment row) are kept by what they
    # show, this many per worker (codesign/fragments.py); "0" turns it off.
    FRAGMENT_CACHE_SIZE = "2000"
    FRAGMENT_KEY_CHECKS = False  # the test suite checks every key's values (costs a little)
    # Signed-in sessions end after this long unused, and this long after signing in; shorter
    # for staff, board members, facilitators and admins.
    SESSION_IDLE_MINUTES = 1440
    SESSION_LIFETIME_HOURS = 720
    SESSION_IDLE_MINUTES_STAFF = 60
    SESSION_LIFETIME_HOURS_STAFF = 12
    # Accounts nobody has signed in to for this many months are anonymized by
    # `flask anonymize-inactive` (run it daily from a scheduler); people with an email are told a
    # month before.
    INACTIVE_ACCOUNT_MONTHS = 24
    # Where people reach this site, for links in emails sent outside a request (the CLI jobs).
    PUBLIC_URL = "http://localhost:5000"
    # A board packet's PDF is laid out by a process of its own (codesign/review/pdf.py). A request
    # waits this many seconds for it, then says "come back shortly" while it goes on; keep this
    # well under gunicorn's --timeout. The layout stops past this many seconds or this many MB of
    # memory (0: no limit), with a clear answer, so a packet too big for the server cannot take
    # the machine's memory; `flask packet` has no limits.
    PACKET_PDF_WAIT = 20
    PACKET_PDF_SECONDS = 900
    PACKET_PDF_MEMORY_MB = 2048
    # Password hashing cost: "default" (argon2id, RFC 9106 low-memory) or "cheapest" (tests only).
    PASSWORD_HASH_PROFILE = "default"


_BOOL_TRUE = {"1", "true", "yes", "on"}


def _coerce(current: object, raw: str) -> object:
    """Turn an environment string into the type of the default it overrides."""
    if isinstance(current, bool):
        return raw.strip().lower() in _BOOL_TRUE
    if isinstance(current, int):
        return int(raw)
    return raw


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from defaults, the environment and test overrides."""
    values = {
        name: getattr(DefaultConfig, name)
        for name in dir(DefaultConfig)
        if name.isupper()
    }
    for name, current in list(values.items()):
        raw = os.environ.get(ENV_PREFIX + name)
        if raw is not None and raw != "":
            values[name] = _coerce(current, raw)
    secret = os.environ.get(ENV_PREFIX + "SECRET_KEY")
    if overrides:
        values.update(overrides)
        secret = overrides.get("SECRET_KEY", secret)
    values["SECRET_KEY"] = secret or instance_secret_key(instance_path)
    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = "sqlite:///" + str(instance_path / "codesign.sqlite3")
    values["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(values["DATABASE_URL"])
    values["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    values["RATELIMIT_STORAGE_URI"] = values["REDIS_URL"] or "memory://"
    values["RATELIMIT_HEADERS_ENABLED"] = False
    values["BABEL_DEFAULT_LOCALE"] = values["DEFAULT_LOCALE"]
    values["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    # Tests may add a directory (e.g. a pseudo-locale), separated by ";".
    values["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        [str(Path(__file__).parent / "translations"), *filter(None, [values.get("EXTRA_TRANSLATIONS")])])
    https = bool(values["HTTPS"])
    values.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PREFERRED_URL_SCHEME="https" if https else "http",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    if values["ENV"] == "testing":
        values["TESTING"] = True
    return values


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first run."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()
