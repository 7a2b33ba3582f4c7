"""The command line of SPEC section 8 (``flask --app app <command>``)."""

import sys

import click

import audit
import database
import demo_data
from access import MIN_PASSWORD_LENGTH
from actions.sla_sweep import sla_sweep_command
from exchange.commands import COMMANDS as exchange_commands
from models import LoginSession, User, db, utcnow


@click.command("init-db")
def init_db_command():
    """Create or upgrade the schema in the configured database (safe to rerun)."""
    applied = database.migrate_schema()
    if applied:
        click.echo(f"Applied migrations: {', '.join(applied)}")
    else:
        click.echo("Schema is up to date.")


@click.command("seed-demo")
@click.option("--scale", type=click.Choice(["demo", "programme"]), default="demo",
              show_default=True, help="demo: seconds; programme: the real programme's size.")
@click.option("--seed", type=int, default=2021, show_default=True,
              help="Random seed: the same seed gives the same data.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (but print the demo logins) when there is data already.")
def seed_demo_command(scale, seed, if_empty):
    """Fill an empty database with realistic, deterministic demo data."""
    database.migrate_schema()
    if User.select().exists():
        if not if_empty:
            raise click.ClickException(
                "The database already has data; seed-demo fills an empty one only.")
    else:
        demo_data.seed_demo(scale=scale, seed=seed, progress=True)
    click.echo(demo_data.format_logins())


@click.command("set-password")
@click.argument("username")
def set_password_command(username):
    """Set USERNAME's password, from a prompt or from standard input."""
    user = User.get_or_none(User.username == username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    if sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    user.set_password(password)
    with db.atomic():
        user.save()
        # A new password ends every session signed in with the old one.
        LoginSession.update(revoked_at=utcnow()).where(
            LoginSession.user == user.id, LoginSession.revoked_at.is_null()).execute()
        audit.record("user.password_reset", user=None, username="(command line)",
                     object_type="user", object_id=user.id, detail="flask set-password")
    click.echo(f"Password set for {username}.")


def register(app):
    """Add the commands to ``app.cli``."""
    for command in (init_db_command, seed_demo_command, set_password_command):
        app.cli.add_command(command)
    for command in exchange_commands:
        app.cli.add_command(command)
    app.cli.add_command(sla_sweep_command)
