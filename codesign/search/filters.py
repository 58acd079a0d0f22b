"""The search filters: read from the address, checked against what exists; unknown values are
ignored (and the reader told), never an error."""
from __future__ import annotations

from codesign.search.documents import TYPES
from codesign.search.engines import Filters


def _options():
    from codesign.accounts.models import STAKEHOLDER_LABELS
    from codesign.comments.models import KIND_LABELS, SECTION_LABELS
    from codesign.i18n import CONTENT_LANGUAGES

    return {
        "kind": {kind.value: label for kind, label in KIND_LABELS.items()},
        "section": dict(SECTION_LABELS),
        "group": {group.value: label for group, label in STAKEHOLDER_LABELS.items()},
        "language": {code: loc.native_name for code, loc in CONTENT_LANGUAGES.items()},
    }


def _proposals(district) -> list[tuple[int, str]]:
    from codesign.extensions import db
    from codesign.proposals.models import Proposal, ProposalVersion

    if district is None:
        return []
    return list(db.session.execute(
        db.select(Proposal.id, ProposalVersion.title).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Proposal.district_id == district.id).order_by(Proposal.id.desc())).all())


def choices(district) -> dict:
    """What the filter menus offer."""
    options = _options()
    return {"kind_choices": options["kind"], "section_choices": options["section"],
            "group_choices": options["group"], "language_choices": options["language"],
            "proposal_choices": _proposals(district)}


def filters_from(args, district) -> tuple[Filters, list[str]]:
    """Filters from the query string, and the names of those whose value we did not know."""
    filters = Filters(district_id=district.id if district is not None else None)
    ignored = []
    options = _options()
    for name in ("type", "kind", "section", "group", "language"):
        value = (args.get(name) or "").strip()
        if not value:
            continue
        known = TYPES if name == "type" else options[name]
        if value in known:
            setattr(filters, name, value)
        else:
            ignored.append(name)
    proposal = (args.get("proposal") or "").strip()
    if proposal:
        if proposal.isdigit() and len(proposal) < 10:
            filters.proposal_id = int(proposal)
        else:
            ignored.append("proposal")
    return filters, ignored
