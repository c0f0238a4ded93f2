"""What every command does when a service refuses: say why, change nothing, exit 1."""

import sys

import click

from gie import db
from gie.errors import DomainError, ImportFailed


def fail(error: DomainError):
    db.session.rollback()
    click.echo(str(error.message), err=True)
    if isinstance(error, ImportFailed):
        for line, message in error.line_errors:
            click.echo(f"  line {line}: {message}", err=True)
    for field, messages in error.field_errors.items():
        click.echo(f"  {field}: {'; '.join(str(m) for m in messages)}", err=True)
    sys.exit(1)
