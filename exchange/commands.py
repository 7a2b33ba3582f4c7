"""``flask import <kind> <file> [--dry-run]`` and ``flask export <kind> <file>``."""

import getpass
import sys
from pathlib import Path

import click

from exchange.exporter import column_kinds, export_rows
from exchange.importer import run_import
from exchange.kinds import KIND_NAMES
from exchange.table_download import write_csv, write_xlsx


def _actor():
    """Who ran the command, for the audit log (there is no signed-in user)."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


@click.command("import")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what would change; write nothing.")
def import_command(kind, file, dry_run):
    """Import FILE (CSV or XLSX) as KIND, all or nothing.

    Kinds, in the order a full load goes: regions, users, factories, stages,
    memberships, sales, complaints, visits. Any bad row: nothing is written,
    every bad row is listed, and the exit status is 1."""
    show_bar = sys.stdout.isatty()
    bar = click.progressbar(length=1000, label=f"Checking {file.name}",
                            show_percent=True, show_eta=True) if show_bar else None
    done = [0]

    def progress(fraction, rows):
        if bar is not None:
            step = int(fraction * 1000) - done[0]
            if step > 0:
                bar.update(step)
                done[0] += step

    def on_writing():
        if bar is not None:
            bar.render_finish()
        click.echo("Checked; " + ("counting changes…" if dry_run else "writing…"))

    if bar is None:
        click.echo(f"Checking {file.name}…")
    result = run_import(kind, file, filename=file.name, dry_run=dry_run, actor=_actor(),
                        progress=progress, on_writing=on_writing)
    if bar is not None and not result.ok:
        bar.render_finish()
    for problem in result.problems:
        click.echo(str(problem), err=True)
    hidden = result.problem_count - len(result.problems)
    if hidden:
        click.echo(f"… and {hidden} more problem(s)", err=True)
    click.echo(result.summary() + (" (dry run: nothing written)" if dry_run and result.ok else ""))
    if not result.ok:
        sys.exit(1)


@click.command("export")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(kind, file):
    """Export every row of KIND to FILE (.csv or .xlsx), in the import's
    columns, so the file re-imports unchanged."""
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise click.ClickException("The file name must end in .csv or .xlsx.")
    header, rows = export_rows(kind)
    counted = _Counter(rows)
    with open(file, "wb") as handle:
        (write_csv if suffix == ".csv" else write_xlsx)(header, counted, handle,
                                                          kinds=column_kinds(kind))
    click.echo(f"Exported {counted.count} {kind} row(s) to {file}.")


class _Counter:
    """Counts the rows flowing through."""

    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


COMMANDS = (import_command, export_command)
