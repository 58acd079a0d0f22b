"""The staff home page: what needs district staff, each item linking to where it is handled."""
from __future__ import annotations

from flask import g, render_template

from codesign.authz import require_role
from codesign.districts.models import Role
from codesign.staffhome import bp, service


@bp.route("/")
def home():
    require_role(g.district, Role.STAFF)
    return render_template("staffhome/home.html", home=service.staff_home(g.district))
