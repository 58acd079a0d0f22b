"""Search across proposals, comments, the response log, surveys and sessions, in every language."""
from flask import Blueprint

from codesign.districts import district_scoped

bp = Blueprint("search", __name__, template_folder="templates")
district_bp = district_scoped(Blueprint("district_search", __name__, url_prefix="/d/<district_slug>"))
