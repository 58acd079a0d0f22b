"""Configuration needs nothing by default and takes CODESIGN_* overrides."""
import os
import stat

import pytest

from codesign import create_app
from codesign.config import load_config, normalize_database_url


def test_defaults_need_nothing(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("CODESIGN_"):
            monkeypatch.delenv(key)
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "codesign.sqlite3")
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["ENV"] == "production"
    key_file = tmp_path / "secret_key"
    assert config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_config(tmp_path)["SECRET_KEY"] == config["SECRET_KEY"]  # kept across restarts


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("CODESIGN_DATABASE_URL", "postgresql://postgres@db.example/codesign")
    monkeypatch.setenv("CODESIGN_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("CODESIGN_HTTPS", "true")
    monkeypatch.setenv("CODESIGN_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("CODESIGN_SECRET_KEY", "from-the-environment")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@db.example/codesign"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["TRUSTED_PROXIES"] == 1
    assert config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("url,expected", [
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_postgres_urls_use_psycopg3(url, expected):
    assert normalize_database_url(url) == expected


def test_production_refuses_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug mode is on in production"):
        create_app({"ENV": "production", "SECRET_KEY": "x"})
    app = create_app({"ENV": "development", "SECRET_KEY": "x"})
    assert app.debug
