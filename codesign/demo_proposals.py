"""Demo proposals for Riverside Unified: open, revised and draft, so every state shows."""
from __future__ import annotations

from datetime import timedelta

from codesign.db import utcnow
from codesign.extensions import db
from codesign.proposals import service
from codesign.proposals.models import Proposal

ATTENDANCE_V1 = {
    "title": "Attendance early-warning dashboard",
    "summary": (
        "A dashboard that flags students who are starting to miss school, so counselors can "
        "reach their families in the first weeks instead of at the end of the term."
    ),
    "body": (
        "## Why we are proposing this\n\n"
        "Last year one in six Riverside students missed more than 18 days of school. Most of "
        "them started missing days in the fall, and we noticed too late.\n\n"
        "## What would change\n\n"
        "- Counselors would see a weekly list of students with three or more absences in a month.\n"
        "- Families would get a phone call or a text in their language, never a letter alone.\n"
        "- No student would be disciplined because of the dashboard.\n"
    ),
    "data_collected": "Daily attendance marks, the reason for each absence when the family gives one, and the student's school and grade.",
    "purpose": "To notice early when a student is missing school and offer help (transport, health, family support) before they fall behind.",
    "access": "The student's counselor and principal, and two attendance staff at the district office. Teachers see only their own class.",
    "retention": "Three school years after the student leaves the district, then deleted.",
    "sharing": "The dashboard software company stores the data on the district's behalf and may not use it for anything else.",
    "opt_out": "Attendance records are required by state law, but a family can ask that their student not appear on the early-warning list by writing to the school office.",
}

ATTENDANCE_V2_CHANGES = {
    "retention": "One school year after the student leaves the district, then deleted.",
    "access": "The student's counselor and principal only. District office staff see totals per school, never names.",
}
ATTENDANCE_WHAT_CHANGED = (
    "Families asked why the data had to be kept so long and who at the district office could "
    "see names. Version 2 keeps the data for one year instead of three, and district office "
    "staff now see only totals per school."
)

CLIMATE = {
    "title": "Student survey on school climate",
    "summary": "A short yearly survey asking students in grades 6 to 12 whether they feel safe and welcome at school.",
    "body": "The survey takes ten minutes in class. Results are reported only for groups of 10 or more students.",
    "data_collected": "Answers to 20 questions about safety, belonging and adult support, with grade and school. No names or student ID numbers.",
    "purpose": "To see which schools need more support, and whether changes made last year helped.",
    "access": "The research office sees the answers; principals see their school's results for groups of 10 or more.",
    "retention": "Answers are kept for five years to compare over time, then deleted.",
    "sharing": "Nobody outside the district.",
    "opt_out": "Students may skip any question or the whole survey; families can opt out with a note to the teacher.",
}

BUS_TRACKING = {
    "title": "Phone location sharing for school bus tracking",
    "summary": "An app that would use students' phone locations to tell families when the bus is near.",
    "body": "The district asked families in the spring whether students' phones should share their location on the way to school.",
    "data_collected": "Each rider's phone location every minute between 6 and 9 a.m. and 2 and 5 p.m.",
    "purpose": "To tell families when the bus is five minutes away.",
    "access": "Transportation staff and the app company.",
    "retention": "Thirty days.",
    "sharing": "The app company, which hosts the data.",
    "opt_out": "Families could turn location sharing off in the app.",
}
BUS_DECISION = (
    "Families and students told us that tracking students' phones went too far. The board did "
    "not adopt this proposal. Buses will get their own GPS units instead, which track the bus, "
    "not the children."
)

TUTORING_DRAFT = {
    "title": "Data-sharing agreement with an after-school tutoring provider",
    "summary": "Sharing reading and math scores with a nonprofit tutoring program so tutors can plan lessons.",
    "body": "",
    "data_collected": "Reading and math test scores and the student's grade.",
    "purpose": "",
    "access": "",
    "retention": "",
    "sharing": "Riverside Learning Partners, a nonprofit.",
    "opt_out": "",
}


def load_demo_proposals(district, staff) -> bool:
    """Create the demo proposals once; False if the district already has proposals."""
    if db.session.scalar(db.select(Proposal.id).where(Proposal.district_id == district.id).limit(1)):
        return False
    now = utcnow()
    attendance = service.create_proposal(district, staff, ATTENDANCE_V1)
    service.publish_version(attendance, opens_at=now - timedelta(days=40),
                            closes_at=now + timedelta(days=21), now=now - timedelta(days=40))
    service.start_revision(attendance, staff)
    draft = service.draft_of(attendance)
    service.update_draft(draft, ATTENDANCE_V2_CHANGES)
    service.publish_version(attendance, opens_at=now - timedelta(days=40),
                            closes_at=now + timedelta(days=21), what_changed=ATTENDANCE_WHAT_CHANGED,
                            now=now - timedelta(days=5))
    climate = service.create_proposal(district, staff, CLIMATE)
    service.publish_version(climate, opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=4))
    bus = service.create_proposal(district, staff, BUS_TRACKING)
    service.publish_version(bus, opens_at=now - timedelta(days=200), closes_at=now - timedelta(days=150),
                            now=now - timedelta(days=200))
    from codesign.proposals.models import Decision

    service.record_decision(bus, Decision.NOT_ADOPTED, note=BUS_DECISION,
                            board_meeting_on=(now - timedelta(days=120)).date(),
                            now=now - timedelta(days=120))
    service.create_proposal(district, staff, TUTORING_DRAFT)
    voters = load_demo_votes(district)
    from codesign.demo_comments import load_demo_comments

    load_demo_comments(voters, {ATTENDANCE_V1["title"]: attendance, CLIMATE["title"]: climate})
    from codesign.demo_log import load_demo_log

    load_demo_log(attendance, staff)
    return True


DEMO_VOTERS = 70


def load_demo_votes(district) -> list:
    """Fictional participants' votes on the demo proposals, so tallies show real numbers.

    The voters cannot sign in (their password hash matches nothing); they exist only so that
    the tallies and breakdowns have enough people to show past the suppression threshold.
    """
    import random

    from codesign.accounts.models import StakeholderGroup, User
    from codesign.districts.models import Membership, Role
    from codesign.proposals.models import ProposalVersion
    from codesign.votes.models import Stance, Vote

    rng = random.Random(2026)
    groups = [StakeholderGroup.FAMILY] * 5 + [StakeholderGroup.STUDENT] * 3 + [
        StakeholderGroup.EDUCATOR, StakeholderGroup.COMMUNITY_MEMBER]
    # Few of the online participants read Vietnamese: the board review shows that gap.
    locales = ["en", "en", "en", "es", "es", "zh", "ar"]
    voters = []
    for n in range(DEMO_VOTERS):
        user = User(username=f"demo-voter-{n:03d}", password_hash="!demo-no-sign-in",
                    stakeholder_group=rng.choice(groups), preferred_locale=rng.choice(locales))
        voters.append(user)
        db.session.add(user)
        db.session.add(Membership(user=user, district=district, role=Role.PARTICIPANT))
    db.session.flush()
    versions = db.session.scalars(
        db.select(ProposalVersion)
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.district_id == district.id, ProposalVersion.number.is_not(None))
        .order_by(ProposalVersion.id)
    ).all()
    # Version 1 of the dashboard divided people; version 2 won many of them over.
    leanings = {0: (0.3, 0.2, 0.5), 1: (0.55, 0.2, 0.25), 2: (0.5, 0.3, 0.2)}
    for index, version in enumerate(versions):
        weights = leanings.get(index, (0.4, 0.3, 0.3))
        for user in rng.sample(voters, k=rng.randint(40, DEMO_VOTERS)):
            stance = rng.choices(list(Stance), weights=weights)[0]
            db.session.add(Vote(version_id=version.id, user_id=user.id, stance=stance,
                                stakeholder_group=user.stakeholder_group))
    db.session.commit()
    return voters
