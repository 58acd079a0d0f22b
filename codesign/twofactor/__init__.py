"""Two-step sign-in with an authenticator app (time-based one-time codes) for staff, board
members and admins; a district can require it of its staff and board."""
from flask import Blueprint

bp = Blueprint("twofactor", __name__, template_folder="templates")
