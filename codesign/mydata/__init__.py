"""People own their data: everything a person contributed, as a page and as a file."""
from flask import Blueprint

bp = Blueprint("mydata", __name__, template_folder="templates", url_prefix="/account/data")
