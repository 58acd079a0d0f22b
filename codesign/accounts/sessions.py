"""Signed-in sessions end after a while without use, and after an absolute lifetime; both are
shorter for staff, board members, facilitators and admins, whose accounts can do more.

The times live in the (signed) session cookie, so checking them costs no query; the "last
seen" time is written at most once a minute, so most responses do not rewrite the cookie.
"""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
PRIVILEGED = "_privileged"
SEEN_EVERY = 60  # seconds between rewrites of the last-seen time


def now() -> int:
    return int(time.time())


def start(user) -> None:
    """Call right after signing someone in."""
    from codesign.authz import has_any_role_anywhere

    moment = now()
    session[SIGNED_IN_AT] = moment
    session[SEEN_AT] = moment
    session[PRIVILEGED] = bool(user.is_admin or has_any_role_anywhere(user))


def limits(privileged: bool) -> tuple[int, int]:
    """(idle seconds, lifetime seconds) for this kind of account."""
    config = current_app.config
    if privileged:
        return int(config["SESSION_IDLE_MINUTES_STAFF"]) * 60, int(config["SESSION_LIFETIME_HOURS_STAFF"]) * 3600
    return int(config["SESSION_IDLE_MINUTES"]) * 60, int(config["SESSION_LIFETIME_HOURS"]) * 3600


def enforce():
    """before_request: sign out a session that has been idle or alive too long."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    moment = now()
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):  # a session from before these limits
        session[SIGNED_IN_AT] = session[SEEN_AT] = moment
        return None
    idle, lifetime = limits(bool(session.get(PRIVILEGED)))
    if moment - seen > idle or moment - signed_in > lifetime:
        logout_user()
        session.clear()
        if moment - signed_in > lifetime:
            flash(_("For your safety, please sign in again."), "info")
        else:
            flash(_("You were signed out because the site was not used for a while. Please sign in again."), "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.login", next=target), code=303)
    if moment - seen >= SEEN_EVERY:
        session[SEEN_AT] = moment
    return None
