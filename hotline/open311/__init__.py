"""Open311 GeoReport v2 at /open311/v2/ (SPEC §8), so existing 311 apps can file and follow
requests; and `hotline open311 key create`, which issues the api_keys filing needs."""
from __future__ import annotations

import click
from flask import Blueprint, Flask

from workorders.citizen.open311 import issue_key
from workorders.errors import DomainError

from .. import db
from ..cli import main
from ..runtime import clock

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")


@main.group("open311")
def open311_group() -> None:
    """Open311 GeoReport v2 clients."""


@open311_group.group("key")
def key_group() -> None:
    """api_keys of Open311 clients."""


@key_group.command("create")
@click.option("--name", required=True, help="who uses the key (an app, a partner)")
def key_create(name: str) -> None:
    """Issue an api_key; it is printed alone on the last line and never shown again."""
    try:
        with db.database().transaction() as session:
            key = issue_key(session, name, clock().now())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Open311 api_key for {name} (shown once):")
    click.echo(key)


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (routes register on bp)

    app.register_blueprint(bp)
    if "open311" not in app.cli.commands:
        app.cli.add_command(open311_group, "open311")
