"""A fictional district with people in every role, so a newcomer sees every feature."""
from __future__ import annotations

from codesign.accounts.models import StakeholderGroup
from codesign.accounts.service import register_user
from codesign.districts.models import Role
from codesign.districts.service import create_district, get_district, grant_role
from codesign.extensions import db

DEMO_SLUG = "riverside"
DEMO_PASSWORD = "codesign-demo"

# username, stakeholder group, language, email, roles in the demo district, platform admin
DEMO_PEOPLE = [
    ("admin", StakeholderGroup.COMMUNITY_MEMBER, "en", "admin@example.org", [], True),
    ("staff", StakeholderGroup.EDUCATOR, "en", "data.office@example.org", [Role.STAFF], False),
    ("board", StakeholderGroup.COMMUNITY_MEMBER, "en", None, [Role.BOARD], False),
    ("facilitator", StakeholderGroup.COMMUNITY_ORGANIZATION, "es", None, [Role.FACILITATOR], False),
    ("lucia", StakeholderGroup.FAMILY, "es", None, [Role.PARTICIPANT], False),
    ("amal", StakeholderGroup.FAMILY, "ar", None, [Role.PARTICIPANT], False),
    ("jordan", StakeholderGroup.STUDENT, "en", None, [Role.PARTICIPANT], False),
]


def load_demo() -> bool:
    """Create the Riverside Unified demo once; False (and no change) if it is all there.

    Each part checks for itself, so a demo loaded by an older version gains the new parts.
    """
    from codesign.accounts.service import find_user_by_login
    from codesign.demo_community import load_demo_community
    from codesign.demo_content_translations import (
        load_demo_text_translations,
        load_demo_translations,
    )
    from codesign.demo_notifications import load_demo_follows
    from codesign.demo_proposals import load_demo_proposals
    from codesign.demo_review import load_demo_reference_shares
    from codesign.demo_surveys import load_demo_surveys

    district = get_district(DEMO_SLUG)
    added = False
    if district is None:
        district = _load_district_and_people()
        added = True
    staff = find_user_by_login("staff")
    if staff is not None and load_demo_proposals(district, staff):
        added = True
    if staff is not None and load_demo_surveys(district, staff, _attendance_proposal(district)):
        added = True
    if staff is not None and load_demo_community(district, staff, find_user_by_login("facilitator"),
                                                 _demo_proposals_for_sessions(district)):
        added = True
    if load_demo_reference_shares(district):
        added = True
    if staff is not None and load_demo_translations(district, staff, _demo_proposals_by_key(district)):
        added = True
    if staff is not None and load_demo_text_translations(district, staff):
        added = True
    people = [find_user_by_login(name) for name in ("lucia", "amal")]
    if load_demo_follows(district, people, _demo_proposals_by_key(district)):
        added = True
    return added


def _demo_proposals_by_key(district) -> dict:
    from codesign.demo_proposals import ATTENDANCE_V1, BUS_TRACKING, CLIMATE
    from codesign.proposals.models import Proposal, ProposalVersion

    found = {}
    for key, source in (("attendance", ATTENDANCE_V1), ("climate", CLIMATE), ("bus", BUS_TRACKING)):
        found[key] = db.session.scalar(
            db.select(Proposal).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
            .where(Proposal.district_id == district.id, ProposalVersion.title == source["title"]).limit(1))
    return {key: proposal for key, proposal in found.items() if proposal is not None}


def _demo_proposals_for_sessions(district):
    """The attendance dashboard and the school climate survey proposals."""
    from codesign.demo_proposals import CLIMATE
    from codesign.proposals.models import Proposal, ProposalVersion

    climate = db.session.scalar(
        db.select(Proposal).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.district_id == district.id, ProposalVersion.title == CLIMATE["title"]).limit(1))
    return _attendance_proposal(district), climate


def _attendance_proposal(district):
    """The demo proposal the open survey is about (found by its title)."""
    from codesign.demo_proposals import ATTENDANCE_V1
    from codesign.proposals.models import Proposal, ProposalVersion

    return db.session.scalar(
        db.select(Proposal).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.district_id == district.id, ProposalVersion.title == ATTENDANCE_V1["title"]).limit(1))


def _load_district_and_people():
    district = create_district(
        slug=DEMO_SLUG,
        name="Riverside Unified School District",
        language_codes=["en", "es", "ar"],
        default_locale="en",
        timezone="America/Los_Angeles",
        suppression_threshold=10,
        privacy_contact="Office of Student Data Privacy, privacy@riverside.example.org, (555) 010-2040",
    )
    for username, group, locale, email, roles, is_admin in DEMO_PEOPLE:
        user = register_user(
            username=username, password=DEMO_PASSWORD, stakeholder_group=group,
            preferred_locale=locale, email=email,
        )
        user.is_admin = is_admin
        for role in roles:
            grant_role(district, user, role)
    db.session.commit()
    return district
