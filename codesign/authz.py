"""The one place that answers "may this person do this here?"."""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user

from codesign.districts.models import District, Membership, Role
from codesign.extensions import db, login_manager


def roles_in(user, district: District) -> frozenset[Role]:
    """The roles a person holds in a district (cached for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = g.setdefault("_roles_cache", {})
    key = (user.id, district.id)
    if key not in cache:
        rows = db.session.scalars(
            db.select(Membership.role).where(
                Membership.user_id == user.id, Membership.district_id == district.id
            )
        )
        cache[key] = frozenset(rows)
    return cache[key]


def has_role(user, district: District | None, *roles: Role) -> bool:
    """True if the person is a platform admin or holds any of roles in the district."""
    if user is None or not user.is_authenticated:
        return False
    if district is not None and district.require_two_factor and not user.two_factor:
        # The district requires two-step sign-in of staff and board members: without it, those
        # roles (even an admin's) do not count here.
        roles = tuple(role for role in roles if role not in (Role.STAFF, Role.BOARD))
        if not roles:
            return False
    if user.is_admin:
        return True
    if district is None:
        return False
    return bool(roles_in(user, district) & set(roles))


def has_any_role_anywhere(user, roles=(Role.STAFF, Role.BOARD, Role.FACILITATOR)) -> bool:
    """True if the person holds any of roles in some district (one query)."""
    return db.session.scalar(db.select(Membership.id).where(
        Membership.user_id == user.id, Membership.role.in_(roles)).limit(1)) is not None


def require(allowed: bool) -> None:
    """Stop the request: guests are sent to sign in, signed-in people get a 403."""
    if allowed:
        return
    if not current_user.is_authenticated:
        # Flask-Login redirects to the sign-in page and back again afterwards.
        abort(login_manager.unauthorized())
    abort(403)


def require_role(district: District | None, *roles: Role) -> None:
    """Abort unless the current person holds one of roles in district (admins always may)."""
    require(has_role(current_user, district, *roles))


def admin_required(view):
    """Decorator for platform-admin pages."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        require(current_user.is_authenticated and current_user.is_admin)
        return view(*args, **kwargs)

    return wrapped
