"""A district's public pages."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from codesign.accounts.service import find_user_by_login
from codesign.authz import has_role, require_role
from codesign.districts import bp, service
from codesign.districts.forms import GrantRoleForm
from codesign.districts.models import Membership, Role
from codesign.extensions import db
from codesign.forms import Form


@bp.route("/")
def show():
    """The district's home page: open proposals first, then all of them."""
    from codesign.proposals.models import STATUS_LABELS, ProposalStatus
    from codesign.proposals.service import SORTS, drafts_for, list_proposals

    is_staff = has_role(current_user, g.district, Role.STAFF)
    try:
        status = ProposalStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "newest"
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = list_proposals(g.district, include_drafts=is_staff, status=status, sort=sort, page=page)
    proposals = list(pagination.items)
    return render_template(
        "districts/show.html", district=g.district, proposals=proposals, pagination=pagination,
        is_staff=is_staff, drafts=drafts_for(proposals) if is_staff else {},
        status=status, sort=sort,
        status_labels={key: label for key, label in STATUS_LABELS.items()
                       if is_staff or key != ProposalStatus.DRAFT},
    )


@bp.route("/privacy")
def privacy():
    """What this district's use of Codesign collects, and whom to ask about it."""
    return render_template("districts/privacy.html", district=g.district)


@bp.route("/roles", methods=["GET", "POST"])
def roles():
    """Who holds which role here; staff (and platform admins) grant roles."""
    district = g.district
    require_role(district, Role.STAFF)
    form = GrantRoleForm()
    if form.validate_on_submit():
        user = find_user_by_login(form.login.data)
        if user is None:
            form.login.errors.append(_("No account has that username or email."))
        else:
            service.grant_role(district, user, Role(form.role.data))
            flash(_("The role is granted."), "success")
            return redirect(url_for("districts.roles"), code=303)
    return render_template(
        "districts/roles.html",
        district=district,
        form=form,
        memberships=service.memberships_of(district),
        revoke_form=Form(),
    ), (422 if form.errors else 200)


@bp.route("/roles/<int:membership_id>/revoke", methods=["POST"])
def revoke_role(membership_id: int):
    """Take a role away."""
    district = g.district
    require_role(district, Role.STAFF)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.district_id != district.id:
        abort(404)
    if Form().validate_on_submit():
        service.revoke_role(membership)
        flash(_("The role is removed."), "success")
    return redirect(url_for("districts.roles"), code=303)
