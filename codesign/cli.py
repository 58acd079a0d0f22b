"""flask --app codesign <command>: init, demo, translations, create-admin."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(translations)


@click.command("init")
@with_appcontext
def init_command():
    """Compile translations and bring the database schema up to date."""
    from codesign.translations_tool import compile_all

    compile_all()
    upgrade()
    click.echo("Database is up to date.")


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the fictional Riverside Unified demo (once; running it again changes nothing)."""
    from codesign.demo import load_demo

    if load_demo():
        click.echo("Demo loaded. Sign-ins are listed in the README.")
    else:
        click.echo("Demo already loaded.")


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--email", default=None)
@click.password_option()
def create_admin_command(username: str, email: str | None, password: str):
    """Create a platform admin account."""
    from codesign.accounts.models import StakeholderGroup
    from codesign.accounts.service import AccountError, register_user
    from codesign.extensions import db

    try:
        user = register_user(
            username=username, email=email, password=password,
            stakeholder_group=StakeholderGroup.COMMUNITY_MEMBER, preferred_locale="en",
        )
    except AccountError as error:
        raise click.ClickException(error.code) from error
    user.is_admin = True
    db.session.commit()
    click.echo(f"Admin {user.username} created.")


translations = AppGroup("translations", help="Extract, update and compile interface catalogs.")


@translations.command("extract")
def translations_extract():
    """Collect strings into codesign/translations/messages.pot and merge them into catalogs."""
    from codesign import translations_tool

    translations_tool.extract()
    translations_tool.update()
    click.echo("Catalogs updated; translate the new entries, then run 'translations compile'.")


@translations.command("compile")
def translations_compile():
    """Compile every catalog to .mo (init and app start-up also do this)."""
    from codesign.translations_tool import compile_all

    for path in compile_all():
        click.echo(str(path))


@translations.command("add")
@click.argument("locale")
def translations_add(locale: str):
    """Start a catalog for a new locale."""
    from codesign import translations_tool

    translations_tool.init_locale(locale)
