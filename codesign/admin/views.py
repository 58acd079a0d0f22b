"""Platform administration: create districts, grant and revoke roles."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from codesign.accounts.service import find_user_by_login
from codesign.admin import bp
from codesign.admin.forms import DistrictForm, GrantRoleForm
from codesign.authz import admin_required
from codesign.districts import service
from codesign.districts.models import Membership, Role
from codesign.extensions import db
from codesign.forms import Form

DISTRICT_ERRORS = {
    "slug_taken": _l("Another district already uses this web address name."),
    "default_not_offered": _l("The default language must be one of the languages offered."),
}


def _district_or_404(slug: str):
    district = service.get_district(slug)
    if district is None:
        abort(404)
    return district


def _district_fields(form: DistrictForm) -> dict:
    return dict(
        name=form.name.data,
        language_codes=form.languages.data,
        default_locale=form.default_locale.data,
        timezone=form.timezone.data,
        suppression_threshold=form.suppression_threshold.data,
        privacy_contact=form.privacy_contact.data or "",
    )


@bp.route("/")
@admin_required
def index():
    """Every district on this platform."""
    return render_template("admin/index.html", districts=service.list_districts())


@bp.route("/districts/new", methods=["GET", "POST"])
@admin_required
def new_district():
    """Create a district."""
    form = DistrictForm()
    if form.validate_on_submit():
        try:
            district = service.create_district(slug=form.slug.data, **_district_fields(form))
        except service.DistrictError as error:
            getattr(form, error.field).errors.append(DISTRICT_ERRORS[error.code])
        else:
            flash(_("The district is created."), "success")
            return redirect(url_for("admin.roles", slug=district.slug), code=303)
    return render_template("admin/district_form.html", form=form, district=None), (
        422 if form.errors else 200
    )


@bp.route("/districts/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit_district(slug: str):
    """Change a district's settings."""
    district = _district_or_404(slug)
    form = DistrictForm(obj=district)
    del form.slug  # the address stays stable: links to it live in letters and flyers
    if not form.is_submitted():
        form.languages.data = district.language_codes
    if form.validate_on_submit():
        try:
            service.update_district(district, **_district_fields(form))
        except service.DistrictError as error:
            getattr(form, error.field).errors.append(DISTRICT_ERRORS[error.code])
        else:
            flash(_("The district's settings are saved."), "success")
            return redirect(url_for("admin.index"), code=303)
    return render_template("admin/district_form.html", form=form, district=district), (
        422 if form.errors else 200
    )


@bp.route("/districts/<slug>/roles", methods=["GET", "POST"])
@admin_required
def roles(slug: str):
    """Who holds which role in a district; grant a role."""
    district = _district_or_404(slug)
    form = GrantRoleForm()
    if form.validate_on_submit():
        user = find_user_by_login(form.login.data)
        if user is None:
            form.login.errors.append(_("No account has that username or email."))
        else:
            service.grant_role(district, user, Role(form.role.data))
            flash(_("The role is granted."), "success")
            return redirect(url_for("admin.roles", slug=district.slug), code=303)
    return render_template(
        "admin/roles.html",
        district=district,
        form=form,
        memberships=service.memberships_of(district),
        revoke_form=Form(),
    ), (422 if form.errors else 200)


@bp.route("/districts/<slug>/roles/<int:membership_id>/revoke", methods=["POST"])
@admin_required
def revoke(slug: str, membership_id: int):
    """Take a role away."""
    district = _district_or_404(slug)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.district_id != district.id:
        abort(404)
    if Form().validate_on_submit():
        service.revoke_role(membership)
        flash(_("The role is removed."), "success")
    return redirect(url_for("admin.roles", slug=district.slug), code=303)
