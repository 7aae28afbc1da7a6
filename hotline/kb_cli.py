"""`hotline kb …`: import and export standard answers, rebuild the search index.

Each command is one unit of work: an import that meets a bad row writes nothing.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from knowledge_base import index, transfer
from knowledge_base.models import Article, ArticleStatus
from workorders.context import Actor
from workorders.errors import DomainError

from .cli import fail, main, unit_of_work
from .runtime import clock

FORMATS = click.Choice(["csv", "json"])


@main.group("kb")
def kb_group() -> None:
    """The knowledge base (知识库)."""


def _format(file: Path | None, given: str | None) -> str:
    if given:
        return given
    if file is not None and file.suffix.lower() == ".json":
        return "json"
    return "csv"


@kb_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default=None, help="default: from the file name (.json, else CSV)")
def kb_import(file: Path, fmt: str | None) -> None:
    """Import articles (published) from CSV with the header title,question,answer,category,keywords or JSON."""
    fmt = _format(file, fmt)
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(transfer.read_rows(stream, fmt))
        with unit_of_work() as session, click.progressbar(length=len(rows), label="importing",
                                                          file=sys.stderr) as bar:
            result = transfer.import_articles(session, rows, Actor.system("import"), clock().now(), bar.update)
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text") from None
    except DomainError as exc:
        fail(exc)
    click.echo(f"imported {file.name}: {result.added} added, {result.updated} updated, "
               f"{result.unchanged} unchanged")


@kb_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=False)
@click.option("--format", "fmt", type=FORMATS, default=None, help="default: from the file name (.json, else CSV)")
@click.option("--status", type=click.Choice([*ArticleStatus.ALL, "all"]), default=ArticleStatus.published,
              show_default=True, help="which articles")
def kb_export(file: Path | None, fmt: str | None, status: str) -> None:
    """Export articles to FILE, or to standard output."""
    fmt = _format(file, fmt)
    statuses = ArticleStatus.ALL if status == "all" else (status,)
    with unit_of_work() as session:
        total = session.scalar(select(func.count(Article.id)).where(Article.status.in_(statuses)))
        out = file.open("w", encoding="utf-8", newline="") if file else sys.stdout
        try:
            writer = transfer.write_csv if fmt == "csv" else transfer.write_json
            with click.progressbar(writer(transfer.export_rows(session, statuses), out), length=total,
                                   label="exporting", file=sys.stderr) as steps:
                for _ in steps:
                    pass
        finally:
            if file:
                out.close()
    if file:
        click.echo(f"exported {total} articles to {file}")


@kb_group.command("reindex")
def kb_reindex() -> None:
    """Rebuild every article's postings (after the text analysis changed)."""
    with unit_of_work() as session:
        total = session.scalar(select(func.count(Article.id)))
        with click.progressbar(length=total, label="indexing", file=sys.stderr) as bar:
            done = index.reindex_all(session, clock().now(), bar.update)
    click.echo(f"reindexed {done} articles")


@kb_group.command("calibrate")
@click.option("--queries", "queries_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="past queries, one a line (default: past searches and orders' requests)")
def kb_calibrate(queries_file: Path | None) -> None:
    """Measure each article's pull over past queries, so that search discounts it."""
    from knowledge_base.calibration import calibrate, distinct_queries, past_queries

    try:
        with unit_of_work() as session:
            if queries_file is None:
                queries = past_queries(session)
            else:
                queries = distinct_queries(queries_file.read_text(encoding="utf-8-sig").splitlines())
            with click.progressbar(length=len(queries), label="calibrating", file=sys.stderr) as bar:
                done = calibrate(session, queries, clock().now(), bar.update)
    except UnicodeDecodeError:
        raise click.ClickException(f"{queries_file} is not UTF-8 text") from None
    except DomainError as exc:
        fail(exc)
    click.echo(f"calibrated {done.articles} articles on {done.queries} past queries")
