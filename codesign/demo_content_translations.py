"""Demo translations of proposals in every state: Spanish and Vietnamese complete, Arabic
made from an earlier version (outdated) for one proposal and missing, with requests, for
another."""
from __future__ import annotations

from codesign.content_translations.models import (
    Origin,
    ProposalTranslation,
    TranslationRequest,
)
from codesign.content_translations.service import source_hash
from codesign.extensions import db
from codesign.proposals.models import Proposal, ProposalVersion


def load_demo_translations(district, staff, proposals: dict[str, Proposal]) -> bool:
    """proposals: {"attendance": ..., "climate": ..., "bus": ...}. False if already loaded."""
    from codesign.demo_translations import TEXTS

    ids = [p.id for p in proposals.values() if p is not None]
    if not ids or db.session.scalar(db.select(ProposalTranslation.id).where(ProposalTranslation.proposal_id.in_(ids))
                                    .limit(1)):
        return False
    if "vi" not in district.language_codes:
        district.language_codes = [*district.language_codes, "vi"]
    for key, proposal in proposals.items():
        version = proposal.current_version
        for locale, origin in (("es", Origin.DISTRICT), ("vi", Origin.COMMUNITY_REVIEWED)):
            _add(proposal, version, locale, TEXTS[key][locale], origin, staff)
    attendance = proposals["attendance"]
    first = db.session.scalar(db.select(ProposalVersion).where(ProposalVersion.proposal_id == attendance.id,
                                                               ProposalVersion.number == 1))
    _add(attendance, first, "ar", TEXTS["attendance_v1_ar"], Origin.DISTRICT, staff)  # outdated since version 2
    climate = proposals["climate"]
    db.session.add_all(TranslationRequest(proposal_id=climate.id, locale="ar", requester=f"browser:demo{n:027d}")
                       for n in range(7))
    db.session.commit()
    return True


def _add(proposal, version, locale, texts: dict[str, str], origin, staff) -> None:
    for field, text in texts.items():
        db.session.add(ProposalTranslation(
            proposal_id=proposal.id, locale=locale, field=field, text=text,
            source_hash=source_hash(getattr(version, field)), source_version=version.number, origin=origin,
            translator_id=staff.id))
