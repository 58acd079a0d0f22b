"""A district's public pages."""
from __future__ import annotations

from flask import g, render_template

from codesign.districts import bp
from codesign.districts.service import load_district_or_404


@bp.url_value_preprocessor
def pull_district(endpoint, values):
    """Every page under /d/<slug>/ knows its district before anything (locale included) runs."""
    load_district_or_404(values.pop("district_slug"))


@bp.url_defaults
def add_district(endpoint, values):
    if "district_slug" not in values and getattr(g, "district", None) is not None:
        values["district_slug"] = g.district.slug


@bp.route("/")
def show():
    """The district's home page."""
    return render_template("districts/show.html", district=g.district)


@bp.route("/privacy")
def privacy():
    """What this district's use of Codesign collects, and whom to ask about it."""
    return render_template("districts/privacy.html", district=g.district)
