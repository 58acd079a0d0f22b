"""Time-based one-time passwords (RFC 6238, via pyotp): set up, check (each code once), switch off."""
from __future__ import annotations

import hmac
import time

import pyotp

from codesign.accounts.models import User
from codesign.audit.service import record as audit
from codesign.districts.models import District, Membership, Role
from codesign.extensions import db

ISSUER = "Codesign"
STEP = 30  # seconds per code
DRIFT = 1  # codes one step early or late still count (a phone's clock is rarely exact)
SECURED_ROLES = (Role.STAFF, Role.BOARD)


class TwoFactorError(Exception):
    def __init__(self, code: str, field: str = "code"):
        super().__init__(code)
        self.code = code
        self.field = field


def eligible(user) -> bool:
    """Staff, board members and admins can turn it on (one query)."""
    return bool(user.is_admin) or db.session.scalar(db.select(Membership.id).where(
        Membership.user_id == user.id, Membership.role.in_(SECURED_ROLES)).limit(1)) is not None


def requiring_districts(user) -> list[District]:
    """Districts where this person is staff or board and which require two-step sign-in."""
    return list(db.session.scalars(
        db.select(District).join(Membership, Membership.district_id == District.id)
        .where(Membership.user_id == user.id, Membership.role.in_(SECURED_ROLES),
               District.require_two_factor.is_(True)).distinct().order_by(District.name)))


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(user, secret: str) -> str:
    """What the authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.username, issuer_name=ISSUER)


def clean_code(code: str) -> str:
    return "".join((code or "").split())


def _step_of(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (within the allowed drift), or None."""
    code = clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int((time.time() if now is None else now) // STEP)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def check(user: User, code: str, now: float | None = None) -> bool:
    """True once per code: the step is claimed in one UPDATE, so a code (or an older one) used
    again, even by two requests at the same moment, is refused."""
    if user.totp_secret is None:
        return False
    step = _step_of(user.totp_secret, code, now)
    if step is None:
        return False
    claimed = db.session.execute(
        db.update(User).where(User.id == user.id,
                              db.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount == 1
    db.session.commit()
    db.session.refresh(user)
    return claimed


def enable(user: User, secret: str, code: str, now: float | None = None) -> None:
    """Turn two-step sign-in on once the app shows a right code for the new secret."""
    step = _step_of(secret, code, now)
    if step is None:
        raise TwoFactorError("wrong_code")
    user.totp_secret = secret
    user.totp_last_step = step
    audit("account.two_factor_on", f"user:{user.id}", actor=user)
    db.session.commit()


def disable(user: User, code: str, now: float | None = None) -> None:
    if not check(user, code, now):
        raise TwoFactorError("wrong_code")
    user.totp_secret = None
    user.totp_last_step = None
    audit("account.two_factor_off", f"user:{user.id}", actor=user)
    db.session.commit()
