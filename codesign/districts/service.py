"""District state changes: create, configure, grant and revoke roles."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, g

from codesign.accounts.models import User
from codesign.audit.service import record as audit
from codesign.districts.models import District, Membership, Role
from codesign.extensions import db
from codesign.moderation.pii import parse_formats


class DistrictError(Exception):
    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field = field
        self.code = code


def list_districts() -> list[District]:
    return list(db.session.scalars(db.select(District).order_by(District.name)))


def get_district(slug: str) -> District | None:
    return db.session.scalar(db.select(District).where(District.slug == slug))


def load_district_or_404(slug: str) -> District:
    """Find the district for this URL and remember it for the request (locale, navigation)."""
    district = get_district(slug)
    if district is None:
        abort(404)
    g.district = district
    g.district_slug = district.slug  # for links made after a commit has expired the district
    return district


def local_to_utc(district: District, local: datetime) -> datetime:
    """A wall-clock time typed in the district's time zone, as UTC."""
    return local.replace(tzinfo=ZoneInfo(district.timezone)).astimezone(ZoneInfo("UTC"))


def utc_to_local(district: District, moment: datetime) -> datetime:
    """A stored moment as the district's wall-clock time, for a datetime-local field."""
    return moment.astimezone(ZoneInfo(district.timezone)).replace(tzinfo=None, second=0, microsecond=0)


def district_for_registration(slug: str | None) -> District | None:
    """The district a new participant joins: the one they came from, or the only one there is."""
    if slug:
        district = get_district(slug)
        if district is not None:
            return district
    districts = db.session.scalars(db.select(District).limit(2)).all()
    return districts[0] if len(districts) == 1 else None


def create_district(
    *,
    slug: str,
    name: str,
    language_codes: list[str],
    default_locale: str,
    timezone: str,
    suppression_threshold: int = 10,
    privacy_contact: str = "",
    student_id_formats: str = "",
    require_two_factor: bool = False,
) -> District:
    """Create a district; its default language is always among those it offers."""
    slug = slug.strip().lower()
    if get_district(slug) is not None:
        raise DistrictError("slug", "slug_taken")
    district = District(slug=slug)
    _apply(district, name, language_codes, default_locale, timezone, suppression_threshold,
           privacy_contact, student_id_formats, require_two_factor)
    db.session.add(district)
    db.session.flush()
    audit("district.create", f"district:{district.id}", district_id=district.id, after=_settings(district))
    db.session.commit()
    return district


def update_district(
    district: District,
    *,
    name: str,
    language_codes: list[str],
    default_locale: str,
    timezone: str,
    suppression_threshold: int,
    privacy_contact: str,
    student_id_formats: str = "",
    require_two_factor: bool = False,
) -> District:
    """Change a district's settings."""
    before = _settings(district)
    _apply(district, name, language_codes, default_locale, timezone, suppression_threshold,
           privacy_contact, student_id_formats, require_two_factor)
    audit("district.update", f"district:{district.id}", district_id=district.id, before=before,
          after=_settings(district))
    db.session.commit()
    return district


def _settings(district) -> dict:
    return {"name": district.name, "languages": district.language_codes, "default": district.default_locale, "timezone": district.timezone, "threshold": district.suppression_threshold, "contact": district.privacy_contact,
            "student_id_formats": district.student_id_formats, "require_two_factor": district.require_two_factor}


def _apply(district, name, language_codes, default_locale, timezone, threshold, contact, student_id_formats,
           require_two_factor):
    if default_locale not in language_codes:
        raise DistrictError("default_locale", "default_not_offered")
    district.name = name.strip()
    district.language_codes = language_codes
    district.default_locale = default_locale
    district.timezone = timezone
    district.suppression_threshold = threshold
    district.privacy_contact = contact.strip()
    district.student_id_formats = ", ".join(parse_formats(student_id_formats))
    district.require_two_factor = require_two_factor


def grant_role(district: District, user: User, role: Role) -> Membership:
    """Give user role in district; granting a role someone already holds changes nothing."""
    existing = db.session.scalar(
        db.select(Membership).where(
            Membership.district_id == district.id,
            Membership.user_id == user.id,
            Membership.role == role,
        )
    )
    if existing is not None:
        return existing
    membership = Membership(district=district, user=user, role=role)
    db.session.add(membership)
    audit("role.grant", f"user:{user.id}", district_id=district.id, after={"role": role})
    db.session.commit()
    return membership


def revoke_role(membership: Membership) -> None:
    """Take a role away."""
    audit("role.revoke", f"user:{membership.user_id}", district_id=membership.district_id,
          before={"role": membership.role})
    db.session.delete(membership)
    db.session.commit()


def memberships_of(district: District) -> list[Membership]:
    """Everyone holding a role in district, with their accounts, in one query."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            db.select(Membership)
            .options(joinedload(Membership.user))
            .where(Membership.district_id == district.id)
            .order_by(Membership.role, Membership.id)
        )
    )


def districts_with_roles(user: User) -> list[tuple[District, Role]]:
    """The districts where the person holds a role, for navigation and the account page."""
    rows = db.session.execute(
        db.select(District, Membership.role)
        .join(Membership, Membership.district_id == District.id)
        .where(Membership.user_id == user.id)
        .order_by(District.name, Membership.role)
    )
    return [(district, role) for district, role in rows]
