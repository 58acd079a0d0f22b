"""Platform administration: create districts and change their settings."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from codesign.admin import bp
from codesign.admin.forms import DistrictForm
from codesign.authz import admin_required
from codesign.districts import service

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
        student_id_formats=form.student_id_formats.data or "",
        require_two_factor=bool(form.require_two_factor.data),
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
            return redirect(url_for("districts.roles", district_slug=district.slug), code=303)
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
