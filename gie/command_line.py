"""Each command is one transaction: it commits when it ends normally, and when a service
refuses it says why, changes nothing and exits 1. Commands never commit or roll back.

A batch command whose work is done but some of whose items were refused (and stay as they
were) returns its exit status: what it did is committed, and scripts still see the refusals.
"""

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo

from gie import db
from gie.errors import DomainError, ImportFailed


class CommandGroup(AppGroup):
    """A group of `flask` commands run as one transaction each."""

    def invoke(self, ctx: click.Context):
        # The application context (and with it the session) must outlive the command, so
        # that the commit below sees its work: hold it at this group's level.
        if not current_app:
            ctx.with_resource(ctx.ensure_object(ScriptInfo).load_app().app_context())
        try:
            result = super().invoke(ctx)
        except DomainError as error:
            db.session.rollback()
            report(error)
            ctx.exit(1)
        except click.exceptions.Exit as stop:
            if stop.exit_code == 0:
                db.session.commit()
            else:
                db.session.rollback()
            raise
        except BaseException:
            # An exit with a status, an interruption, a crash: nothing of it is kept.
            db.session.rollback()
            raise
        db.session.commit()
        if isinstance(result, int) and result:
            ctx.exit(result)
        return result


def report(error: DomainError) -> None:
    """The refusal on the standard error, reasons one a line."""
    click.echo(str(error.message), err=True)
    if isinstance(error, ImportFailed):
        for line, message in error.line_errors:
            click.echo(f"  line {line}: {message}", err=True)
    for field, messages in error.field_errors.items():
        click.echo(f"  {field}: {'; '.join(str(m) for m in messages)}", err=True)
