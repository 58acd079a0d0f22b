from flask_babel import lazy_gettext as _l
from wtforms import RadioField

from codesign.forms import Form, choice_required, options
from codesign.votes.models import STANCE_LABELS


class VoteForm(Form):
    stance = RadioField(_l("Your vote"), choices=options(STANCE_LABELS.items()),
                        validators=[choice_required()])
