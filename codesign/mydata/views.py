"""My data: a readable page and a JSON file of everything the person contributed."""
from __future__ import annotations

import json

from flask import render_template
from flask_login import current_user, login_required

from codesign.downloads import download
from codesign.mydata import bp, service


def _labels() -> dict:
    from codesign.accounts.models import STAKEHOLDER_LABELS
    from codesign.comments.models import DISPOSITION_LABELS, KIND_LABELS
    from codesign.districts.models import ROLE_LABELS
    from codesign.votes.models import STANCE_LABELS

    def by_value(labels):
        return {key.value: label for key, label in labels.items()}

    return {"group_labels": by_value(STAKEHOLDER_LABELS), "kind_labels": by_value(KIND_LABELS),
            "disposition_labels": by_value(DISPOSITION_LABELS), "stance_labels": by_value(STANCE_LABELS),
            "role_labels": by_value(ROLE_LABELS)}


@bp.route("/")
@login_required
def page():
    """Everything the person contributed, to read."""
    return render_template("mydata/page.html", data=service.collect(current_user), **_labels())


@bp.route("/data.json")
@login_required
def export():
    """The same, as a file to keep or take elsewhere."""
    data = service.collect(current_user).as_dict()
    return download(json.dumps(data, ensure_ascii=False, indent=1), "application/json",
                    f"codesign-{current_user.username}.json")
