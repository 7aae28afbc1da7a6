"""`hotline suggest import | evaluate | train`."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from workorders.errors import DomainError
from workorders.suggest.evaluation import evaluate, read_labelled
from workorders.suggest.history import import_rows, read_rows

from ..cli import fail, main, unit_of_work
from ..jobs import process_name
from ..runtime import clock
from .retraining import train_now


@main.group("suggest")
def suggest_group() -> None:
    """Learned category and department suggestions (智能分类派单)."""


@suggest_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_history(file: Path) -> None:
    """Import past messages (CSV: title,body,label[,department,type]) to learn from.

    A bad row is named and nothing is imported. The next training (nightly, or `hotline suggest
    train`) learns from them."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8 text (byte {exc.start})") from exc
    try:
        with unit_of_work() as session:
            rows = read_rows(session, text)
            count = import_rows(session, rows, file.name, clock().now())
    except DomainError as exc:
        fail(exc)
    click.echo(f"imported {count} rows from {file.name}; `hotline suggest train` learns from them now")


@suggest_group.command("train")
def train() -> None:
    """Train a new model version now, from the settled orders and the imported history."""
    trained = train_now(current_app._get_current_object(), process_name("cli"))
    if trained.version is None:
        raise click.ClickException(trained.note)
    click.echo(trained.note)


@suggest_group.command("evaluate")
@click.option("--train", "train_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--test", "test_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--titles-only", is_flag=True, help="Learn and judge on the titles alone.")
def evaluate_command(train_file: Path, test_file: Path, titles_only: bool) -> None:
    """Train the product's learner on TRAIN only and judge it on TEST's `label` column (no database).

    Prints one JSON object: macro_f1, accuracy, ms_per_suggestion_p95, train_seconds."""
    try:
        figures = evaluate(read_labelled(train_file), read_labelled(test_file), titles_only=titles_only)
    except DomainError as exc:
        fail(exc)
    click.echo(json.dumps(figures))
