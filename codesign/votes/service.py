"""Recording votes and counting them without exposing small groups."""
from __future__ import annotations

from codesign.accounts.models import StakeholderGroup
from codesign.db import built_once, dialect_insert, utcnow
from codesign.extensions import db
from codesign.proposals.models import Proposal, ProposalVersion
from codesign.suppression import SuppressedTable, suppress_table
from codesign.votes.models import Stance, Vote, VoteCount


class VoteError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def record_vote(proposal: Proposal, user, stance: Stance) -> None:
    """Set the person's stance on the current version; a second vote changes the first.

    One statement (INSERT ... ON CONFLICT DO UPDATE) so that two requests at once still
    leave exactly one vote. (Nothing is read back: after the commit that would reload the
    proposal, the person and the vote; `vote_of` gives it to whoever needs it.)
    """
    if not proposal.is_open_for_input() or proposal.current_version_id is None:
        raise VoteError("closed")
    now = utcnow()
    db.session.execute(_vote_upsert(), dict(
        version_id=proposal.current_version_id, user_id=user.id, stance=stance,
        stakeholder_group=user.stakeholder_group, created_at=now, updated_at=now))
    from codesign.notifications.service import follow

    follow(user, proposal.id)  # voting follows the proposal
    db.session.commit()


@built_once
def _vote_upsert():
    statement = dialect_insert(Vote.__table__)
    return statement.on_conflict_do_update(
        index_elements=[Vote.version_id, Vote.user_id],
        set_={"stance": statement.excluded.stance, "updated_at": statement.excluded.updated_at})


def vote_of(version_id: int | None, user) -> Vote | None:
    """The person's vote on a version, if any."""
    if version_id is None or user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        db.select(Vote).where(Vote.version_id == version_id, Vote.user_id == user.id)
    )


def tally(version: ProposalVersion, threshold: int) -> SuppressedTable:
    """Votes on a version by stakeholder group and stance, from the vote counters.

    The column totals are the overall tally by stance; every figure is suppressed together.
    """
    return tallies([version.id], threshold)[version.id]


def tallies(version_ids: list[int], threshold: int) -> dict[int, SuppressedTable]:
    """The suppressed tally of each version, from one query for all of them."""
    tables = {vid: {group: {stance: 0 for stance in Stance} for group in StakeholderGroup} for vid in version_ids}
    if version_ids:
        for version_id, stance, group, count in db.session.execute(  # kept by triggers: votes/counters.py
            db.select(VoteCount.version_id, VoteCount.stance, VoteCount.stakeholder_group, VoteCount.votes)
            .where(VoteCount.version_id.in_(version_ids))
        ):
            tables[version_id][group][stance] = count
    return {vid: suppress_table(table, threshold) for vid, table in tables.items()}


def earlier_vote(proposal: Proposal, user) -> Vote | None:
    """The person's vote on the version before the current one, if they have not voted since."""
    current = proposal.current_version
    if current is None or not current.number or current.number < 2 or not user.is_authenticated:
        return None
    return db.session.scalar(
        db.select(Vote)
        .join(ProposalVersion, ProposalVersion.id == Vote.version_id)
        .where(ProposalVersion.proposal_id == proposal.id,
               ProposalVersion.number == current.number - 1,
               Vote.user_id == user.id)
    )
