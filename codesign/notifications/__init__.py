from flask import Blueprint

from codesign.districts import district_scoped

bp = Blueprint("notifications", __name__, template_folder="templates")
follow_bp = district_scoped(Blueprint("follow", __name__, template_folder="templates",
                                      url_prefix="/d/<district_slug>/proposals/<int:proposal_id>"))
