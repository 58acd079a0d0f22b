"""Account state changes: registration, authentication, passwords and sessions."""
from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy.exc import IntegrityError

from codesign.accounts.models import StakeholderGroup, User, new_session_token
from codesign.db import utcnow
from codesign.districts.models import District, Membership, Role
from codesign.extensions import db
from codesign.notifications.models import EmailHow

PASSWORD_MIN = 8
PASSWORD_MAX = 128


class AccountError(Exception):
    """A change to an account that could not be made; `field` names the form field to blame."""

    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field = field
        self.code = code


_hashers: dict[str, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    if profile not in _hashers:
        params = profiles.CHEAPEST if profile == "cheapest" else profiles.RFC_9106_LOW_MEMORY
        _hashers[profile] = PasswordHasher.from_parameters(params)
    return _hashers[profile]


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def _dummy_hash() -> str:
    key = "_dummy_" + current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    if key not in _hashers:
        _hashers[key] = hash_password("not a real password")  # type: ignore[assignment]
    return _hashers[key]  # type: ignore[return-value]


def matches_hash(stored: str | None, secret: str) -> bool:
    """True if secret hashes to stored (an argon2 hash, as for passwords). With no stored hash it
    still spends the time of a check, so a reply's speed says nothing about what exists."""
    try:
        _hasher().verify(stored or _dummy_hash(), secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return stored is not None


def check_password(user: User, password: str) -> bool:
    """True if password is the user's; upgrades the stored hash when its parameters are old."""
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return True


def normalize_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() or None


def find_user_by_login(login: str) -> User | None:
    """Find an account by username or email, ignoring case."""
    value = login.strip().lower()
    if not value:
        return None
    column = User.email if "@" in value else User.username
    return db.session.scalar(db.select(User).where(column == value, User.erased_at.is_(None)))


def register_user(
    *,
    username: str,
    password: str,
    stakeholder_group: StakeholderGroup,
    preferred_locale: str,
    email: str | None = None,
    display_name: str = "",
    district: District | None = None,
    email_when_answered: bool = False,
) -> User:
    """Create an account, as a participant of district when one is given."""
    username = username.strip().lower()
    email = normalize_email(email)
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise AccountError("username", "username_taken")
    if email and db.session.scalar(db.select(User.id).where(User.email == email)):
        raise AccountError("email", "email_taken")
    user = User(
        username=username,
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        stakeholder_group=stakeholder_group,
        preferred_locale=preferred_locale,
        email_answered=EmailHow.NOW if email and email_when_answered else EmailHow.OFF,
    )
    db.session.add(user)
    if district is not None:
        db.session.add(Membership(user=user, district=district, role=Role.PARTICIPANT))
    try:
        db.session.commit()
    except IntegrityError as exc:
        # Someone took the name between our check and the insert.
        db.session.rollback()
        raise AccountError("username", "username_taken") from exc
    return user


def authenticate(login: str, password: str) -> User | None:
    """The account these credentials open, or None; takes as long for unknown accounts."""
    user = find_user_by_login(login)
    if user is None:
        try:
            _hasher().verify(_dummy_hash(), password)
        except VerificationError:
            pass
        return None
    if not check_password(user, password):
        return None
    return user


def record_sign_in(user: User) -> None:
    """Remember when the person last signed in (inactive accounts are anonymized later)."""
    user.last_login_at = utcnow()
    user.inactivity_notice_at = None  # back in time: the account stays
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Sign the person out everywhere by changing their session token."""
    user.session_token = new_session_token()
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every other session; the caller re-signs this one in."""
    if not check_password(user, current_password):
        raise AccountError("current_password", "wrong_password")
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    db.session.commit()


def set_preferred_locale(user: User, code: str) -> None:
    """Remember a signed-in person's interface language."""
    if user.preferred_locale != code:
        user.preferred_locale = code
        db.session.commit()




# ---------------------------------------------------------------- the account's email address

EMAIL_LINK_LIFETIME = timedelta(hours=24)
_EMAIL_SALT = "codesign.confirm-email"


def email_confirmation_token(user: User, email: str) -> str:
    """A signed link token that sets this address on this account; it carries the address the
    account had, so it works once (and not after any other change of address)."""
    from codesign.security import signed_token

    return signed_token(_EMAIL_SALT, {"u": user.id, "e": email, "was": user.email or ""})


def email_change_of(token: str) -> tuple[User, str] | None:
    """(account, new address) of a genuine, unexpired, unused link; None otherwise."""
    from codesign.security import read_signed_token

    data = read_signed_token(_EMAIL_SALT, token, EMAIL_LINK_LIFETIME)
    if data is None or not isinstance(data.get("e"), str):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or user.erased_at is not None or (user.email or "") != data.get("was"):
        return None
    return user, data["e"]


def send_email_confirmation(user: User, email: str) -> None:
    """Email the new address a link that confirms it, in the person's language; sent after the
    response (nothing about other accounts is said or looked up here)."""
    from flask import render_template, url_for
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from codesign import mail

    email = normalize_email(email)
    with force_locale(user.preferred_locale):
        subject = _("Confirm your email for Codesign")
        context = dict(user=user, subject=subject, email=email,
                       url=url_for("accounts.confirm_email", token=email_confirmation_token(user, email),
                                   _external=True),
                       hours=int(EMAIL_LINK_LIFETIME.total_seconds() // 3600))
        text = render_template("accounts/email/confirm_email.txt", **context)
        html = render_template("accounts/email/confirm_email.html", **context)
    mail.send_after_response(mail.build_message(email, subject, text, html, language=user.preferred_locale))


def confirm_email(user: User, email: str) -> None:
    """Set the confirmed address (AccountError "email_taken" if another account has it since)."""
    from codesign.audit.service import record as audit

    email = normalize_email(email)
    if db.session.scalar(db.select(User.id).where(User.email == email, User.id != user.id)):
        raise AccountError("email", "email_taken")
    had = bool(user.email)
    user.email = email
    audit("account.email_confirmed", f"user:{user.id}", after={"replaced": had}, actor=user)  # by its link
    try:
        db.session.commit()
    except IntegrityError:  # another account took it at the same moment
        db.session.rollback()
        raise AccountError("email", "email_taken") from None


def remove_email(user: User) -> None:
    """No email any more: none is sent, so every email choice is off too."""
    from codesign.audit.service import record as audit
    from codesign.notifications.models import NotificationKind, email_choice_column

    user.email = None
    for kind in NotificationKind:
        setattr(user, email_choice_column(kind), EmailHow.OFF)
    audit("account.email_removed", f"user:{user.id}")
    db.session.commit()
