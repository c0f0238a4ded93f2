"""`flask --app gie cooperatives ...`"""

from pathlib import Path

import click

from gie import db
from gie.command_line import CommandGroup
from gie.cooperatives.importers import import_cooperatives
from gie.csvfiles import ENCODINGS

cooperatives_cli = CommandGroup("cooperatives", help="Member cooperatives.")


@cooperatives_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    help="The file's encoding; auto tells UTF-8 from Windows-1252.",
)
def cooperatives_import(path: Path, encoding: str):
    """Import cooperatives from a CSV file: every row, or none when one is wrong."""
    created, updated = import_cooperatives(db.session, path.read_bytes(), encoding=encoding)
    click.echo(f"{created} created, {updated} updated.")
