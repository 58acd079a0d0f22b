from flask import Blueprint

bp = Blueprint("districts", __name__, template_folder="templates", url_prefix="/d/<district_slug>")
