"""Open data: the read-only JSON API under /api/v1/ and a proposal's public record as files."""
from flask import Blueprint

from codesign.districts import district_scoped

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
export_bp = district_scoped(Blueprint("export", __name__, template_folder="templates", url_prefix="/d/<district_slug>"))
