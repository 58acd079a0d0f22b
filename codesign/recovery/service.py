"""Getting back into an account without email: the person's own recovery code (shown once at
registration, replaced each time it is used), or a one-time code district staff give them.
Codes are stored hashed like passwords; wrong tries are counted per typed username in the rate
limiter's storage (shared by every app server), whether or not the account exists."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from limits import parse

from codesign.accounts.models import User, new_session_token
from codesign.accounts.service import find_user_by_login, hash_password, matches_hash
from codesign.audit.service import NOBODY
from codesign.audit.service import record as audit
from codesign.db import utcnow
from codesign.extensions import db, limiter
from codesign.security import read_signed_token, signed_token

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
STAFF_CODE_LIFETIME = timedelta(hours=24)
TRIES = "5 per 15 minutes"  # wrong codes for one username before it is locked for a while


class RecoveryError(Exception):
    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def _new_code(groups: int, size: int) -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def normalize(code: str) -> str:
    """What a person typed, as it was made: capitals, no spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _replace_recovery_code(user: User) -> str:
    """Give the person a new recovery code (the old one stops working); the caller commits.
    Returned to show once, stored only as a hash."""
    code = _new_code(4, 4)
    user.recovery_code_hash = hash_password(normalize(code))
    return code


def new_recovery_code(user: User) -> str:
    """Make the person a new recovery code, from their account or at registration."""
    code = _replace_recovery_code(user)
    audit("account.recovery_code", f"user:{user.id}", actor=NOBODY)
    db.session.commit()
    return code


def issue_staff_code(district, staff, user: User) -> str:
    """A one-time code for a participant who asked district staff; recorded in the audit log, and
    the person is told at their next sign-in. Never for someone with a role beyond participant,
    or an admin: their accounts open more than their own input."""
    from codesign.districts.models import Membership, Role

    if user.is_admin or db.session.scalar(db.select(Membership.id).where(
            Membership.user_id == user.id, Membership.role != Role.PARTICIPANT).limit(1)):
        raise RecoveryError("has_role", "login")
    code = _new_code(2, 5)
    now = utcnow()
    user.staff_code_hash = hash_password(normalize(code))
    user.staff_code_expires_at = now + STAFF_CODE_LIFETIME
    user.staff_code_issued_at = now
    audit("account.reset_code_issued", f"user:{user.id}", district_id=district.id, actor=staff,
          after={"username": user.username, "expires_at": user.staff_code_expires_at.isoformat()})
    db.session.commit()
    return code


def _tries_key(login: str) -> str:
    return "recover:" + (login or "").strip().lower()[:254]


def locked(login: str) -> bool:
    """Too many wrong codes for this username lately (the same answer for any username)."""
    return not limiter.limiter.test(parse(TRIES), _tries_key(login))


@dataclass(frozen=True)
class Recovered:
    user: User
    new_code: str  # their next recovery code, to show once
    by_staff_code: bool


def recover(login: str, code: str, new_password: str, now: datetime | None = None) -> Recovered:
    """Set a new password with a recovery code or a staff code; sign the account out
    everywhere and give the person a new recovery code. Refuses without saying whether the
    account exists."""
    if locked(login):
        raise RecoveryError("locked")
    user = find_user_by_login(login)
    typed = normalize(code)
    now = now or utcnow()
    staff_code_valid = user is not None and user.staff_code_expires_at is not None and user.staff_code_expires_at > now
    by_own = matches_hash(user.recovery_code_hash if user is not None else None, typed)
    by_staff = not by_own and matches_hash(user.staff_code_hash if staff_code_valid else None, typed)
    if not (by_own or by_staff):
        limiter.limiter.hit(parse(TRIES), _tries_key(login))
        raise RecoveryError("no_match", "code")
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    user.staff_code_hash = user.staff_code_expires_at = None
    if by_staff:
        user.staff_code_issued_at = None  # (they know: they have just used it)
    new_code = _replace_recovery_code(user)
    audit("account.recovered", f"user:{user.id}", actor=NOBODY,
          after={"with": "staff code" if by_staff else "recovery code"})
    db.session.commit()
    current_app.logger.info("account %s recovered with a %s", user.id, "staff code" if by_staff else "recovery code")
    return Recovered(user, new_code, by_staff)


def take_staff_code_notice(user: User) -> datetime | None:
    """When staff issued this person a reset code, once (at their next sign-in), then forgotten."""
    issued = user.staff_code_issued_at
    if issued is not None:
        user.staff_code_issued_at = None
        db.session.commit()
    return issued


# ---------------------------------------------------------------- by email

LINK_LIFETIME = timedelta(hours=1)
_LINK_SALT = "codesign.recovery.link"


def _password_mark(user: User) -> str:
    """A short fingerprint of the current password hash: the link stops working once the
    password has changed (so it works once)."""
    import hashlib

    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_link_token(user: User) -> str:
    return signed_token(_LINK_SALT, {"u": user.id, "p": _password_mark(user)})


def user_for_link(token: str) -> User | None:
    """The account a reset link is for, if the link is genuine, unexpired and unused."""
    data = read_signed_token(_LINK_SALT, token, LINK_LIFETIME)
    user = db.session.get(User, data.get("u")) if data is not None else None
    if user is None or user.erased_at is not None or data.get("p") != _password_mark(user):
        return None
    return user


def send_reset_link(email: str) -> None:
    """Email a reset link to the account with this address, in its person's language; nothing if
    there is none (the page says the same either way). Sending never fails the request."""
    from flask import render_template, url_for
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from codesign import mail

    user = find_user_by_login(email) if "@" in (email or "") else None
    if user is None or not user.email:
        return
    with force_locale(user.preferred_locale):
        subject = _("Choose a new Codesign password")
        context = dict(user=user, subject=subject, url=url_for("recovery.reset_by_link", token=reset_link_token(user),
                                                                _external=True),
                       minutes=int(LINK_LIFETIME.total_seconds() // 60))
        text = render_template("recovery/email/reset.txt", **context)
        html = render_template("recovery/email/reset.html", **context)
    audit("account.reset_link_sent", f"user:{user.id}", actor=NOBODY)
    db.session.commit()
    mail.send_after_response(mail.build_message(user.email, subject, text, html, language=user.preferred_locale))


def reset_with_link(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    audit("account.recovered", f"user:{user.id}", actor=NOBODY, after={"with": "email link"})
    db.session.commit()
