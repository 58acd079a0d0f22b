"""Codesign: co-design public data initiatives with the people they affect."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, flash, g, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
)
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from codesign.config import load_config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, request hooks."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(STATIC_DIR),
        instance_path=os.environ.get("CODESIGN_INSTANCE_PATH") or None,
    )
    app.config.from_mapping(load_config(Path(app.instance_path), test_config))
    if app.config["ENV"] == "production" and app.debug:
        raise RuntimeError(
            "Refusing to start: debug mode is on in production. "
            "Unset FLASK_DEBUG, or set CODESIGN_ENV=development on your own machine."
        )
    from codesign.translations_tool import ensure_compiled

    ensure_compiled(app.logger)
    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)

    from codesign import assets, fragments, pagecache

    fragments.init_app(app)
    pagecache.init_app(app)  # its front answers before Flask, so it goes inside ProxyFix:
    if app.config["TRUSTED_PROXIES"]:  # it needs the scheme the visitor used
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    assets.init_app(app, STATIC_DIR)

    from codesign.cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from codesign import models  # noqa: F401  (every model is known to SQLAlchemy and Alembic)
    from codesign.extensions import (
        babel,
        csrf,
        db,
        htmx,
        limiter,
        login_manager,
        migrate,
    )
    from codesign.i18n import select_locale
    from codesign.search.outbox import install as record_search_changes
    from codesign.security import TamperEvidentSessionInterface

    app.session_interface = TamperEvidentSessionInterface()
    db.init_app(app)
    record_search_changes()
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True,
                     compare_type=True)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=_select_timezone)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from codesign.accounts.models import User

    @login_manager.unauthorized_handler
    def send_guest_to_sign_in():
        """Guests go to sign in and come back to the page they were on.

        A guest's POST (a vote, a comment) cannot be replayed, so they return to the page
        the form was on rather than to the form's address.
        """
        from flask import redirect, url_for

        from codesign.urls import same_site_path

        if request.method == "GET":
            target = request.full_path.rstrip("?")
        else:
            target = same_site_path(request.referrer) or url_for("main.home")
        flash(_("Please sign in to continue."), "info")
        return redirect(url_for("accounts.login", next=target))

    @login_manager.user_loader
    def load_user(user_id: str):
        """Accept the session only while its token is the account's current one."""
        ident, _sep, token = user_id.partition(":")
        if not ident.isdigit() or not token:
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_token != token or user.erased_at is not None:
            return None
        return user


def _select_timezone() -> str:
    district = getattr(g, "district", None)
    if district is not None:
        return district.timezone
    from flask import current_app

    return current_app.config["DEFAULT_TIMEZONE"]


def _register_blueprints(app: Flask) -> None:
    # Importing each feature's views attaches its routes to its blueprint.
    from codesign.accounts.views import bp as accounts_bp
    from codesign.admin.views import bp as admin_bp
    from codesign.audit.views import bp as audit_bp
    from codesign.comments.views import bp as comments_bp
    from codesign.community.views import bp as community_bp
    from codesign.content_translations.views import bp as content_translations_bp
    from codesign.districts.views import bp as districts_bp
    from codesign.errors import register_error_handlers
    from codesign.main.views import bp as main_bp
    from codesign.moderation.views import bp as moderation_bp
    from codesign.mydata.views import bp as mydata_bp
    from codesign.notifications.views import bp as notifications_bp
    from codesign.notifications.views import follow_bp
    from codesign.opendata.export_views import bp as export_bp
    from codesign.opendata.views import bp as api_bp
    from codesign.proposals.views import bp as proposals_bp
    from codesign.recovery.views import bp as recovery_bp
    from codesign.recovery.views import staff_bp as recovery_staff_bp
    from codesign.responselog.views import bp as responselog_bp
    from codesign.review.views import bp as review_bp
    from codesign.search.views import bp as search_bp
    from codesign.search.views import district_bp as district_search_bp
    from codesign.staffhome.views import bp as staffhome_bp
    from codesign.surveys.views import bp as surveys_bp
    from codesign.twofactor.views import bp as twofactor_bp
    from codesign.votes.views import bp as votes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(mydata_bp)
    app.register_blueprint(twofactor_bp)
    app.register_blueprint(districts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(votes_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(staffhome_bp)
    app.register_blueprint(recovery_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(follow_bp)
    app.register_blueprint(recovery_staff_bp)
    app.register_blueprint(responselog_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(content_translations_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(district_search_bp)
    register_error_handlers(app)


def _register_request_hooks(app: Flask) -> None:
    from flask_login import current_user
    from markupsafe import Markup

    from codesign.i18n import (
        current_locale_code,
        locale_name,
        offered_locales,
        text_direction,
    )
    from codesign.security import (
        conditional_get,
        inline_stylesheet,
        set_security_headers,
    )

    @app.before_request
    def choose_language_before_writing():
        """A signed-in person's form post commits, then says how it went: choosing the language
        now (the district and the person are loaded already) spares reloading both after the
        commit expired them. (Not before signing in or registering: the person's own language
        applies from then on.)"""
        if request.method == "POST" and current_user.is_authenticated:
            from flask_babel import get_locale

            get_locale()

    @app.before_request
    def notice_tampered_session():
        if request.environ.get("codesign.session_tampered"):
            flash(_("Your sign-in could not be checked, so you were signed out. Please sign in again."),
                  "error")

    app.after_request(set_security_headers)
    app.after_request(conditional_get)
    from codesign.mail import deliver_after_response

    app.after_request(deliver_after_response)

    from codesign.accounts.sessions import enforce as end_expired_sessions

    app.before_request(end_expired_sessions)

    if app.config["SEARCH_BACKGROUND"]:
        from codesign.search.service import start_worker

        @app.before_request
        def keep_search_current():
            start_worker(app)

    @app.context_processor
    def translations_of_this_request():
        """Templates translate and format dates and numbers with this request's catalog and
        locale, found once per render: Flask-Babel's own callables look them up again for every
        string and value (a page has hundreds)."""
        from flask_babel import get_translations
        from jinja2.ext import (
            _make_new_gettext,
            _make_new_ngettext,
            _make_new_npgettext,
            _make_new_pgettext,
        )

        from codesign.i18n import bound_formatters

        catalog = get_translations()
        return {"gettext": _make_new_gettext(catalog.ugettext), "ngettext": _make_new_ngettext(catalog.ungettext),
                "pgettext": _make_new_pgettext(catalog.upgettext),
                "npgettext": _make_new_npgettext(catalog.unpgettext), **bound_formatters()}

    @app.context_processor
    def layout_context():
        from codesign.navigation import nav_items

        district = getattr(g, "district", None)
        code = current_locale_code()
        return {
            # Built when the layout asks for it: a fragment (a vote widget, "show more") has no
            # header, so it spares the role and notification queries.
            "nav_items": lambda: nav_items(current_user, district),
            "current_district": district,
            "locale_code": code,
            "text_direction": text_direction(code),
            "switcher_locales": offered_locales(district),
            # A browser without our cookie is on its first view: the stylesheet comes inline.
            "inline_stylesheet": (None if app.config["SESSION_COOKIE_NAME"] in request.cookies
                                  else Markup(inline_stylesheet()[0])),
        }

    from codesign.db import utcnow
    from codesign.forms import csrf_input, error_anchor, error_focus
    from codesign.i18n import content_span, language_label, moment_text
    from codesign.richtext import render_markdown
    from codesign.text import isolated, machine_time

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["content"] = content_span
    app.jinja_env.filters["isolated"] = isolated
    # <time datetime>: HTML allows at most three digits of a second; whole seconds are enough.
    app.jinja_env.filters["machine_time"] = machine_time
    app.jinja_env.globals["language_label"] = language_label
    app.jinja_env.globals["error_focus"] = error_focus
    app.jinja_env.globals["error_anchor"] = error_anchor
    app.jinja_env.globals["csrf_input"] = csrf_input
    from codesign.suppression import shown_text

    app.jinja_env.globals["shown_count"] = shown_text
    app.jinja_env.globals.update(
        current_path=lambda: request.full_path.rstrip("?"),
        locale_name=locale_name,
        now=utcnow,
        format_moment=lambda moment: moment_text(moment, format_date, format_time),
        format_date=format_date, format_time=format_time,
        format_percent=format_percent, format_datetime=format_datetime, format_decimal=format_decimal
    )
