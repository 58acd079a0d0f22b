"""The main navigation, built from the person's roles in one place."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from codesign.authz import has_role
from codesign.districts.models import Role


@dataclass(frozen=True)
class NavItem:
    url: str
    label: object
    endpoint: str


def nav_items(user, district) -> list[NavItem]:
    """Links for the header: the district for everyone, then what each role works on."""
    items: list[NavItem] = []
    if district is not None:
        items.append(NavItem(url_for("districts.show", district_slug=district.slug),
                             _l("Proposals"), "districts.show"))
        items.append(NavItem(url_for("surveys.index", district_slug=district.slug), _l("Surveys"), "surveys.index"))
        items.append(NavItem(url_for("community.sessions", district_slug=district.slug), _l("Sessions"),
                             "community.sessions"))
        if has_role(user, district, Role.STAFF):
            items.append(NavItem(url_for("staffhome.home", district_slug=district.slug), _l("What needs you"),
                                 "staffhome.home"))
            items.append(NavItem(url_for("districts.roles", district_slug=district.slug),
                                 _l("People and roles"), "districts.roles"))
            items.append(NavItem(url_for("content_translations.dashboard", district_slug=district.slug),
                                 _l("Translations"), "content_translations.dashboard"))
            items.append(NavItem(url_for("moderation.queue", district_slug=district.slug),
                                 _l("Moderation"), "moderation.queue"))
    else:
        items.append(NavItem(url_for("main.home"), _l("Districts"), "main.home"))
    if user.is_authenticated:
        from flask_babel import ngettext

        from codesign.notifications.service import unread_count

        unread = unread_count(user)
        items.append(NavItem(url_for("notifications.index"),
                             ngettext("Notifications (%(num)s new)", "Notifications (%(num)s new)", unread)
                             if unread else _l("Notifications"), "notifications.index"))
        items.append(NavItem(url_for("accounts.account"), _l("My account"), "accounts.account"))
        if user.is_admin:
            items.append(NavItem(url_for("admin.index"), _l("Administration"), "admin.index"))
    return items
