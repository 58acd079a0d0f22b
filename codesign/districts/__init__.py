from flask import Blueprint, g

bp = Blueprint("districts", __name__, template_folder="templates", url_prefix="/d/<district_slug>")


def district_scoped(blueprint: Blueprint) -> Blueprint:
    """Pages under /d/<slug>/ load their district before anything (locale included) runs."""

    @blueprint.url_value_preprocessor
    def pull_district(endpoint, values):
        from codesign.districts.service import load_district_or_404

        load_district_or_404(values.pop("district_slug"))

    @blueprint.url_defaults
    def add_district(endpoint, values):
        if "district_slug" not in values and g.get("district_slug") is not None:
            values["district_slug"] = g.district_slug  # (no query: g.district may be expired)

    return blueprint


district_scoped(bp)
