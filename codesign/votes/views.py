"""The vote widget: a plain form that htmx upgrades in place."""
from __future__ import annotations

from flask import flash, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from codesign.extensions import htmx, per_person
from codesign.proposals.service import published_proposal_or_404
from codesign.votes import bp, service
from codesign.votes.forms import VoteForm
from codesign.votes.models import Stance

VOTE_ERRORS = {
    "closed": _l("Voting is closed for this proposal, so your vote was not recorded."),
    "invalid": _l("Please choose support, neutral or oppose."),
}


def vote_context(proposal) -> dict:
    """What the vote widget shows: the tally, the person's vote and the form."""
    from codesign.community.service import session_tally

    my_vote = service.vote_of(proposal.current_version_id, current_user)
    return {
        "tally": service.tally(proposal.current_version, g.district.suppression_threshold),
        "session_tally": session_tally(proposal.current_version_id, g.district.suppression_threshold),
        "my_vote": my_vote,
        # Voted on the last version but not this one: show what changed and ask again.
        "earlier_vote": None if my_vote else service.earlier_vote(proposal, current_user),
        "vote_form": VoteForm(),
    }


@bp.route("/<int:proposal_id>/vote", methods=["POST"])
@login_required
@per_person("30 per minute")
def vote(proposal_id: int):
    """Record or change the person's vote on the current version."""
    proposal = published_proposal_or_404(g.district, proposal_id, with_version=bool(htmx))  # (htmx: the widget shows it)
    form = VoteForm()
    error = None
    if not form.validate_on_submit():
        error = "invalid"
    else:
        try:
            service.record_vote(proposal, current_user, Stance(form.stance.data))
        except service.VoteError as failure:
            error = failure.code
    if htmx:
        context = vote_context(proposal)
        context["vote_error"] = VOTE_ERRORS[error] if error else None
        context["vote_saved"] = error is None
        response = make_response(
            render_template("votes/_vote.html", proposal=proposal, **context), 422 if error else 200
        )
        response.vary.add("HX-Request")
        return response
    if error:
        flash(VOTE_ERRORS[error], "error")
    else:
        flash(_("Your vote is saved. You can change it while the proposal is open."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal_id) + "#vote", code=303)
