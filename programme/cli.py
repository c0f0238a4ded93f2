"""`flask --app gie programme ...`"""

import json
from datetime import date
from pathlib import Path

import click

from gie import db
from gie.command_line import CommandGroup
from gie.tabular import DIALECT_HELP, DIALECTS
from programme import indicators, services

programme_cli = CommandGroup("programme", help="Programme actors and the observatory feed.")


@programme_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(path: Path):
    """Load (or refresh) the programme's actors and projects from a TOML file; the file is
    checked whole first, and nothing changes when it has a problem."""
    summary = services.load_actors(db.session, path)
    click.echo(
        f"{summary.actors} actors, {summary.relations} relations, {summary.projects} projects "
        f"({summary.cooperatives} cooperative places) loaded from {path}."
    )


@programme_cli.command("indicators")
@click.option("--year", type=click.IntRange(2000, 2100), default=lambda: date.today().year)
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv")
@click.option(
    "--by",
    type=click.Choice(list(indicators.GROUPINGS)),
    default=indicators.DEFAULT_GROUPING,
    show_default=True,
    help="One cell per filière and province, per filière, or per province.",
)
@click.option("--dialect", type=click.Choice(sorted(DIALECTS)), default="intl", help=DIALECT_HELP)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def indicators_command(year: int, output_format: str, by: str, dialect: str, output: Path | None):
    """The observatory feed of a year: anonymised indicators by filière and province (or by
    filière or province only), cells of fewer than 3 cooperatives suppressed."""
    feed = indicators.observatory_indicators(db.session, year, by)
    if output_format == "json":
        text = json.dumps(indicators.as_dict(feed), ensure_ascii=False, indent=2) + "\n"
    else:
        text = indicators.to_csv(feed, DIALECTS[dialect])
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(feed.cells)} cells ({feed.suppressed} suppressed) written to {output}.")
