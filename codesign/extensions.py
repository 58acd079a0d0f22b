"""Flask extensions, created unbound and initialised in create_app."""
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from codesign.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def account_or_address() -> str:
    """Rate-limit key for one person: their account when signed in, else their address."""
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"account:{current_user.get_id()}"
    return "address:" + (get_remote_address() or "")


def per_person(limit: str, **options):
    """The limit counted per address and, separately, per account (people share addresses;
    one account should not hop between them)."""
    by_address = limiter.limit(limit, **options)
    by_account = limiter.limit(limit, key_func=account_or_address, **options)
    return lambda view: by_address(by_account(view))
