"""Translated error pages."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

ERROR_TEXT = {
    400: (_l("Something in that request was not right"),
          _l("Please go back, check what you entered and try again.")),
    403: (_l("You do not have access to this page"),
          _l("Your account does not have the role this page needs. If you think it should, ask your district's staff.")),
    404: (_l("We could not find that page"),
          _l("The link may be old or mistyped. Try the home page.")),
    405: (_l("That action is not possible here"),
          _l("Please go back and use the buttons on the page.")),
    413: (_l("That was too much to send at once"),
          _l("Please shorten what you entered and try again.")),
    429: (_l("Too many tries"),
          _l("For your safety we paused this for a little while. Please wait a minute and try again.")),
    503: (_l("This is not available right now"),
          _l("This part of the site cannot work on this server at the moment. The rest of the site still works; please tell the district's staff.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you did caused this. Please try again in a few minutes.")),
}
CSRF_TEXT = (
    _l("This form has expired"),
    _l("For your security, forms expire. Please go back, reload the page and send the form again. What you typed was not saved."),
)


def render_error(status: int, title, message):
    return render_template("error.html", status=status, title=title, message=message), status


def handle_http_error(error: HTTPException):
    if error.response is not None:  # e.g. a redirect to sign in, made with abort(response)
        return error.response
    if request.path.startswith("/api/"):
        from codesign.opendata.views import http_error_response

        return http_error_response(error)
    status = error.code or 500
    title, message = ERROR_TEXT.get(status, ERROR_TEXT[400] if status < 500 else ERROR_TEXT[500])
    return render_error(status, title, message)


def handle_csrf_error(error: CSRFError):
    return render_error(400, *CSRF_TEXT)


def handle_unexpected_error(error: Exception):
    """Anything unhandled: log it (Flask does) and show a calm, generic page."""
    if request.path.startswith("/api/"):
        from codesign.opendata.views import http_error_response

        return http_error_response(InternalServerError())
    return render_error(500, *ERROR_TEXT[500])


def register_error_handlers(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
