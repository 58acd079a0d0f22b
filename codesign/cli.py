"""flask --app codesign <command>: init, demo, translations, create-admin, reindex, ..."""
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
    app.cli.add_command(verify_log_command)
    app.cli.add_command(packet_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(search_worker_command)
    app.cli.add_command(anonymize_inactive_command)
    app.cli.add_command(notify_closing_command)
    app.cli.add_command(send_email_command)
    app.cli.add_command(two_factor_off_command)
    app.cli.add_command(move_to_postgres_command)
    app.cli.add_command(backup_drill_command)
    app.cli.add_command(recount_command)


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
    from codesign.search.service import rebuild

    if load_demo():
        rebuild()  # so that search finds the demo from the first moment
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


@click.command("verify-log")
@click.option("--district", "district_slug", default=None, help="Verify this district's log in the database.")
@click.option("--file", "path", type=click.Path(dir_okay=False), default=None,
              help="Verify an exported JSON file instead (a list of entries, or {\"entries\": [...]}).")
@with_appcontext
def verify_log_command(district_slug: str | None, path: str | None):
    """Verify the response log's hash chain; name the first entry that does not match."""
    import json

    from codesign.districts.service import get_district, list_districts
    from codesign.responselog.service import verify_district, verify_records

    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            records = data["entries"] if isinstance(data, dict) else data
            if not isinstance(records, list) or not all(isinstance(r, dict) and "sequence" in r for r in records):
                raise ValueError("expected a list of entries, each with a sequence")
            results = {path: verify_records(records)}
        except (OSError, ValueError, KeyError, TypeError) as error:
            click.echo(f"Cannot read {path} as an exported log: {error}", err=True)
            raise SystemExit(2) from error
    else:
        districts = [get_district(district_slug)] if district_slug else list_districts()
        if district_slug and districts[0] is None:
            click.echo(f"No district {district_slug!r}.", err=True)
            raise SystemExit(2)
        results = {district.slug: verify_district(district.id) for district in districts}
    failed = False
    for name, result in results.items():
        if result.ok:
            click.echo(f"{name}: {result.entries} entries verified; chain head {result.head or '-'}")
        else:
            failed = True
            click.echo(f"{name}: entry {result.first_bad_sequence} does not match its hash or chain")
    raise SystemExit(1 if failed else 0)


@click.command("packet")
@click.argument("proposal_id", type=int)
@click.option("--lang", "locale", default=None, help="A language the district offers (default: its own).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the PDF to this file.")
@with_appcontext
def packet_command(proposal_id: int, locale: str | None, output: str | None):
    """Make a proposal's board packet PDF ahead of the meeting (it is then served from the cache)."""
    from flask import current_app

    from codesign.districts.service import load_district_or_404
    from codesign.extensions import db
    from codesign.proposals.models import Proposal

    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.current_version_id is None:
        raise click.ClickException(f"No published proposal {proposal_id}.")
    slug = proposal.district.slug
    locale = locale or proposal.district.default_locale
    path = f"/d/{slug}/proposals/{proposal_id}/review/packet.pdf?lang={locale}"
    with current_app.test_request_context(path):
        from codesign.review.pdf import PacketTooBig, packet_pdf
        from codesign.review.views import packet_cache, packet_pieces

        load_district_or_404(slug)
        try:  # (no limits of time or memory here, and one that failed on the site is tried again)
            body = packet_pdf(packet_pieces(db.session.get(Proposal, proposal_id), pdf=True),
                              base_url="http://localhost/", cache_dir=packet_cache(), wait=None, retry=True)
        except PacketTooBig as failure:
            raise click.ClickException(f"The PDF could not be made ({failure.reason}); see the log.") from None
    if output:
        with open(output, "wb") as handle:
            handle.write(body)
    click.echo(f"Board packet ready: {len(body) // 1024} KB, {locale}.")


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the search index from the database (whoosh or PostgreSQL, as configured)."""
    import time

    from codesign.search import service

    started = time.perf_counter()
    count = service.rebuild()
    applied = service.catch_up()
    click.echo(f"Search index rebuilt ({service.engine().name}): {count} documents in "
               f"{time.perf_counter() - started:.1f} s; {applied} later changes applied.")


@click.command("recount")
@click.option("--check", is_flag=True, help="Only compare the counters with a recount; exit 1 if they differ.")
@with_appcontext
def recount_command(check: bool):
    """Compare the counters the database keeps (comments, participants, votes) with a recount of the
    input, or rebuild them (after loading rows with their triggers switched off)."""
    from codesign.comments import counters
    from codesign.extensions import db
    from codesign.review import participants
    from codesign.votes import counters as vote_counters

    with db.engine.begin() as connection:
        found = {**counters.differences(connection), **participants.differences(connection),
                 **vote_counters.differences(connection)}
        for table, (extra, missing) in found.items():
            click.echo(f"{table}: {len(extra)} rows differ from a recount, {len(missing)} missing")
        if check:
            click.echo("The counters equal a recount." if not found else "The counters differ from a recount.")
            if found:
                raise SystemExit(1)
            return
        counters.recount(connection)
        participants.recount(connection)
        vote_counters.recount(connection)
    click.echo("Counters rebuilt from the input.")


@click.command("search-worker")
@with_appcontext
def search_worker_command():
    """Keep applying changes to the search index (instead of, or beside, the app's own threads)."""
    from flask import current_app

    from codesign.search import service

    click.echo(f"Applying search changes every {current_app.config['SEARCH_INTERVAL']} s; Ctrl-C stops.")
    service.run_worker(current_app._get_current_object())


@click.command("anonymize-inactive")
@click.option("--months", type=int, default=None, help="Inactive for this long (default: INACTIVE_ACCOUNT_MONTHS).")
@with_appcontext
def anonymize_inactive_command(months: int | None):
    """Warn people a month ahead, then anonymize accounts unused for INACTIVE_ACCOUNT_MONTHS (run
    it daily from a scheduler; running it twice the same day changes nothing more)."""
    from datetime import timedelta

    from flask import current_app

    from codesign.db import utcnow
    from codesign.mydata import service
    from codesign.mydata.emails import send_inactivity_notice

    months = months or current_app.config["INACTIVE_ACCOUNT_MONTHS"]
    if months < 2:
        raise click.BadParameter("must be at least 2 (people are told a month ahead)", param_hint="--months")
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        erased = service.anonymize_inactive(months)
        warned = service.notify_inactive(
            months, lambda user: send_inactivity_notice(user, utcnow() + timedelta(days=31)))
    click.echo(f"{erased} inactive accounts anonymized; {warned} people told a month ahead.")


@click.command("notify-closing")
@with_appcontext
def notify_closing_command():
    """Tell followers of proposals whose comment period ends within three days (run it daily;
    each period is told once, so running it twice changes nothing more)."""
    from codesign.notifications.service import tell_closing_soon

    click.echo(f"{tell_closing_soon()} proposals closing soon; their followers are told.")


@click.command("send-email")
@with_appcontext
def send_email_command():
    """Send the notification emails that are due: ones a request could not send, retries, and
    the weekly summaries (run it every minute; two at once never send the same email)."""
    from flask import current_app

    from codesign.notifications.emails import send_all_due

    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        counts = send_all_due()
    click.echo(f"{counts['sent']} notification emails sent, {counts['failed']} failed and "
               f"{counts['later']} not tried after that (both tried again later), {counts['skipped']} no longer wanted.")


@click.command("two-factor-off")
@click.argument("username")
@with_appcontext
def two_factor_off_command(username: str):
    """Switch two-step sign-in off for someone who lost their phone (after checking who they are)."""
    from codesign.accounts.service import find_user_by_login
    from codesign.audit.service import record
    from codesign.extensions import db

    user = find_user_by_login(username)
    if user is None or not user.two_factor:
        raise click.ClickException(f"No account {username!r} with two-step sign-in on.")
    user.totp_secret = None
    user.totp_last_step = None
    record("account.two_factor_off", f"user:{user.id}", after={"by": "command line"})
    db.session.commit()
    click.echo(f"Two-step sign-in is off for {user.username}; they can set it up again after signing in.")


@click.command("move-to-postgres")
@click.argument("target_url")
@with_appcontext
def move_to_postgres_command(target_url: str):
    """Copy everything from this database (the embedded SQLite file) into an empty PostgreSQL
    database, then compare every table; point CODESIGN_DATABASE_URL at it afterwards."""
    from codesign.config import normalize_database_url
    from codesign.operations.move import MoveError, move

    try:
        copied = move(normalize_database_url(target_url), report=click.echo)
    except MoveError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Moved {sum(copied.values()):,} rows in {len(copied)} tables; every table compared equal.")
    click.echo("Now set CODESIGN_DATABASE_URL to the new database and run `flask --app codesign reindex`.")


@click.command("backup-drill")
@click.option("--dump", "dump_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Test this pg_dump file (custom format) instead of making a new dump.")
@click.option("--keep", type=click.Path(file_okay=False), default=None,
              help="Keep the new dump in this folder (by default it is deleted after the drill).")
@with_appcontext
def backup_drill_command(dump_path: str | None, keep: str | None):
    """Prove a backup restores: pg_dump the database (or take --dump), restore it into a scratch
    database, compare every table with the live one, drop the scratch database."""
    import tempfile
    from pathlib import Path

    from codesign.extensions import db
    from codesign.operations.backup import DrillError, drill

    with tempfile.TemporaryDirectory() as scratch_folder:
        folder = Path(keep) if keep else Path(scratch_folder)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            drill(db.engine, folder, Path(dump_path) if dump_path else None, report=click.echo)
        except DrillError as error:
            raise click.ClickException(str(error)) from None
    click.echo("Restore drill passed.")
