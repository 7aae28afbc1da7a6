"""`hotline survey call NUMBER`: an on-demand satisfaction callback of one order."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from hotline.db import database
from hotline.runtime import domain_context
from workorders.actions import get_order
from workorders.errors import DomainError

from .outbound import OutboundError
from .survey import survey_now


@click.group("survey", cls=AppGroup)
def survey_group() -> None:
    """The satisfaction callback survey (回访)."""


@survey_group.command("call")
@click.argument("number")
def survey_call(number: str) -> None:
    """Start the survey of an answered or replied order now (a call, or SMS if the policy says so)."""
    placer = current_app.extensions["hotline.callback_placer"]
    try:
        with database().transaction() as session:
            order = get_order(session, number)
            channel = survey_now(domain_context(session), "the command line", order, placer)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    except OutboundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"survey of order {number} started by {channel}")
