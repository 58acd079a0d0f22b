"""Admins read and export the audit log; the export is itself recorded."""
from __future__ import annotations

from flask import render_template, request

from codesign.audit import bp, service
from codesign.authz import admin_required
from codesign.districts.service import list_districts
from codesign.downloads import csv_download
from codesign.extensions import db

COLUMNS = ["id", "at", "actor_id", "actor", "district_id", "action", "subject", "before", "after"]


def _filters() -> tuple[int | None, str | None]:
    district = request.args.get("district", type=int)
    action = (request.args.get("action") or "").strip()[:64] or None
    return district, action


@bp.route("/")
@admin_required
def index():
    """Who did what, newest first, by district and by kind of action."""
    district_id, action = _filters()
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = service.events(district_id=district_id, action=action, page=page)
    return render_template(
        "audit/index.html", pagination=pagination, people=service.people_named(pagination.items),
        district_choices=[(d.id, d.name, d.default_locale) for d in list_districts()],
        action_choices=service.actions(), district_id=district_id, action=action,
    )


@bp.route("/audit.csv")
@admin_required
def export():
    """The whole log (or the filtered part) as CSV."""
    district_id, action = _filters()
    service.record("audit.export", after={"district": district_id, "action": action})
    db.session.commit()
    rows = ([getattr(event, column) for column in COLUMNS]
            for event in service.all_events(district_id=district_id, action=action))
    return csv_download(COLUMNS, rows, "audit.csv")
