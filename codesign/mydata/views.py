"""My data: a readable page and a JSON file of everything the person contributed."""
from __future__ import annotations

import json

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from codesign.accounts.service import check_password
from codesign.downloads import download
from codesign.mydata import bp, service
from codesign.mydata.forms import DeleteAccountForm


def _labels() -> dict:
    from codesign.accounts.models import STAKEHOLDER_LABELS
    from codesign.comments.models import (
        DISPOSITION_LABELS,
        HIDE_CATEGORY_LABELS,
        KIND_LABELS,
    )
    from codesign.districts.models import ROLE_LABELS
    from codesign.votes.models import STANCE_LABELS

    def by_value(labels):
        return {key.value: label for key, label in labels.items()}

    return {"group_labels": by_value(STAKEHOLDER_LABELS), "kind_labels": by_value(KIND_LABELS),
            "disposition_labels": by_value(DISPOSITION_LABELS), "stance_labels": by_value(STANCE_LABELS),
            "role_labels": by_value(ROLE_LABELS), "hide_labels": by_value(HIDE_CATEGORY_LABELS)}


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


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Delete the account: personal data goes, contributions stay in the counts tied to nobody."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not check_password(user, form.password.data):
            form.password.errors = [*form.password.errors, _("That is not your password.")]
        else:
            logout_user()
            service.erase_account(user, withdraw_comments=form.comments.data == "withdraw")
            session.clear()
            flash(_("Your account is deleted. Thank you for taking part."), "success")
            return redirect(url_for("main.home"), code=303)
    data = service.collect(current_user)
    return render_template("mydata/delete.html", form=form, data=data), 422 if form.errors else 200
