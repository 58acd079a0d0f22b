"""An append-only record of what staff, board members, facilitators and admins did."""
from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/admin/audit")
