from flask import Blueprint

from codesign.districts import district_scoped

bp = district_scoped(Blueprint("staffhome", __name__, template_folder="templates",
                               url_prefix="/d/<district_slug>/staff"))
