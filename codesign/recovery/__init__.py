from flask import Blueprint

from codesign.districts import district_scoped

bp = Blueprint("recovery", __name__, template_folder="templates")
# District staff give a one-time reset code to someone who asks in person or by phone.
staff_bp = district_scoped(Blueprint("recovery_staff", __name__, template_folder="templates",
                                     url_prefix="/d/<district_slug>"))
