"""The `ingest` command: a thin layer over the runner, the store, the queue and the watcher."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from config.settings import PIPELINE_VERSION
from tasks import logs
from tasks.errors import IngestError, NotFound
from workers import collector, report
from workers.console import LogConsole, console
from workers.safe import json_text, plain, shown
from workers.context import Context
from workers.ops_cli import health, serve
from workers.topics_cli import topics

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class IngestGroup(click.Group):
    """Turns every IngestError into a one-line message and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IngestError as exc:
            raise click.ClickException(plain(str(exc))) from exc


@click.group(cls=IngestGroup, context_settings=CONTEXT)
@click.version_option(package_name="news-ingest", prog_name="ingest",
                      message="%(prog)s %(version)s (pipeline " + PIPELINE_VERSION + ")")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, to stderr.")
@click.pass_context
def cli(ctx, verbose):
    """Turn raw news dumps (text, HTML, scraper JSON, gzip) into clean, deduplicated,
    topic-labelled articles.

    Configuration comes from INGEST_* environment variables: INGEST_STORE_URL (default: a
    SQLite file in INGEST_DATA_DIR, ./data), INGEST_BROKER_URL (unset: everything runs in
    this process), INGEST_INBOX (./inbox), INGEST_DATA_DIR (./data).
    """
    ctx.obj = Context()
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand != "run":   # `ingest run` turns it on once its stages are loaded
        collector.started()
    long_running = ctx.invoked_subcommand in ("watch", "serve")
    logs.setup(ctx.obj.settings.log_format, logging.INFO if verbose or long_running else logging.WARNING)


@cli.command()
@click.argument("folders", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symlinks that lead out of the folders given (by default they are skipped).")
@click.pass_obj
def run(obj: Context, folders, follow_symlinks):
    """Ingest every dump in FOLDERS (default: the inbox) and print a summary.

    Without INGEST_BROKER_URL the dumps are processed here; with it they go to the workers and
    this waits until each is done or failed. Dumps already stored are skipped (by content), so
    a second run stores nothing new. One bad file never stops the run: an unreadable file or a
    fifo/socket/device is kept as a failed dump, a vanished one or a symlink out of the folder
    is listed as skipped. Exits 1 if any dump failed.
    """
    from workers.runner import run as run_folders
    folders = list(folders) or [obj.settings.inbox]
    for folder in folders:
        if not folder.exists():
            raise click.ClickException(f"{plain(folder)} does not exist: give a folder of dumps, or create the inbox")
    # the runner opens the store itself: an embedded run's caches are a batch job's (EMBEDDED_STORY_CACHE)
    result = run_folders(obj.settings, folders, obj.console, follow_symlinks=follow_symlinks)
    report.run_summary(console(), result)
    sys.exit(1 if result.failed or result.timed_out else 0)


@cli.command()
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Move each file whose dump is done or failed here, keeping its path under the inbox "
                   "(default: INGEST_ARCHIVE_DIR; unset: files stay in the inbox).")
@click.pass_obj
def watch(obj: Context, archive):
    """Watch the inbox (INGEST_INBOX) and ingest each new dump once.

    On start, and every INGEST_RESCAN_SECONDS, it rescans the inbox, so files that arrived
    while it was down (or whose events were lost) are not missed, and it sends again dumps left
    queued with nothing on the queue. A file is taken once its writer closed it and its size
    has been stable for INGEST_SETTLE_SECONDS; temporary names (.tmp, .part, .filepart,
    .crdownload, .!sync, rsync's .name.XXXXXX, dot-files) are ignored. A store or broker outage
    keeps files pending, retried with backoff. Stop it with Ctrl-C or SIGTERM.
    """
    from dataclasses import replace
    from workers.watch_loop import watch_forever
    settings = replace(obj.settings, archive_dir=archive) if archive else obj.settings
    watch_forever(settings, obj.store, LogConsole("workers.watcher"))


@cli.command()
@click.pass_obj
def migrate(obj: Context):
    """Upgrade the store's schema in place to this release (the Procfile's release step).

    Safe to run on every deploy: a store already at this release is left as it is. Workers and
    commands refuse a store that is behind, so run this before starting the new release.
    """
    from tasks.store import Store
    store = Store(obj.settings.store_url_or_default(), check_schema=False)
    try:
        step = store.migrate()
    finally:
        store.close()
    if step.before == step.after:
        click.echo(f"store {store.safe_url} is at revision {step.after} (up to date)")
    else:
        click.echo(f"store {store.safe_url} upgraded from revision {step.before or '(empty)'} to {step.after}")


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--failed", "only_failed", is_flag=True, help="Every dump in the failed state.")
@click.option("--all", "everything", is_flag=True, help="Every dump (e.g. after a pipeline upgrade).")
@click.option("--stuck", is_flag=True, help="Dumps whose worker died (expired lease) and queued dumps on no "
                                            "queue: what the workers' reaper does on its own.")
@click.option("--classify", is_flag=True, help="Re-classify only (after training a new topic model): the "
                                               "articles keep their text and duplicate links.")
@click.pass_obj
def requeue(obj: Context, ids, only_failed, everything, stuck, classify):
    """Put dumps back on the queue: the given dump IDS, --failed, --all or --stuck.

    With a broker they are sent to the workers; embedded, they are processed here now. A dump
    being processed right now (its worker's lease is fresh) is left alone. With --classify
    (and IDS or --all), only the topics of the stored articles are computed again.
    """
    if bool(ids) + only_failed + everything + stuck != 1:
        raise click.UsageError("give dump IDS, or --failed, or --all, or --stuck (one of them)")
    if classify and not (ids or everything):
        raise click.UsageError("--classify goes with dump IDS or --all")
    from tasks.policy import Policy
    from workers.runner import dispatch
    policy = Policy.from_settings(obj.settings)
    if stuck:
        todo, busy = _stuck(obj, policy), []
    else:
        result = obj.store.requeue(list(ids) or None, only_failed=only_failed, policy=policy,
                                   mode="classify" if classify else None)
        todo, busy = result.ids, result.busy
    if busy:
        click.echo(f"{len(busy)} dump(s) being processed right now, left alone: {', '.join(busy[:5])}"
                   + (" …" if len(busy) > 5 else ""))
    if not todo:
        click.echo("nothing to requeue")
        return
    failed = dispatch(obj.settings, obj.store, todo, obj.console)
    click.echo(f"requeued {len(todo)} dump(s)" + (f"; {failed} failed again" if failed else ""))
    sys.exit(1 if failed else 0)


def _stuck(obj: Context, policy) -> list[str]:
    """One reaper pass (workers/reaper.py); returns the dumps to send or process here."""
    from dataclasses import replace
    from workers.reaper import reap_once
    policy = replace(policy, resend_grace=0)
    if obj.settings.embedded:
        report = reap_once(obj.store, policy)
    else:
        from workers.queue import Queue
        report = reap_once(obj.store, policy, Queue(obj.settings), send=False)
    if report.crashed:
        click.echo(f"{len(report.crashed)} dump(s) failed: they crashed their worker {policy.max_attempts} times")
    return report.to_send


@cli.command()
@click.option("--failures", default=10, show_default=True, help="How many recent failures to list.")
@click.pass_obj
def status(obj: Context, failures):
    """Counts of dumps by state, articles, the queue depth and the recent failures."""
    depth = "embedded (no queue)"
    if not obj.settings.embedded:   # read from Redis directly: no Celery app to build for a number
        from workers.probes import broker_check, queue_depth
        depth = queue_depth(obj.settings) or f"unreachable: {broker_check(obj.settings).detail}"
    from workers.probes import safe_broker_url
    out = console()
    report.status(out, obj.store.counts(), obj.store.totals(), depth, obj.store.safe_url,
                  safe_broker_url(obj.settings) if obj.settings.broker_url else "")
    recent = obj.store.recent_failures(failures)
    if recent:
        report.failures(out, recent)
    warned = obj.store.recent_warnings(failures)
    if warned:
        report.failures(out, warned, title="done, with records skipped", what="skipped")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="One JSON object per line.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--status", type=click.Choice(["original", "duplicate"]), help="Only articles with this status.")
@click.pass_obj
def export(obj: Context, fmt, out, status):
    """Write every stored article, one JSON object a line, in arrival order."""
    count = 0
    try:
        stream = out.open("w", encoding="utf8") if out else sys.stdout
        try:
            for doc in obj.store.export(status):
                stream.write(json.dumps(doc, ensure_ascii=False) + "\n")
                count += 1
            stream.flush()
        finally:
            if out:
                stream.close()
    except OSError as exc:
        where = plain(out) if out else "standard output"
        raise click.ClickException(f"cannot write the export to {where}: {exc.strerror or exc} "
                                   f"(after {count} article(s)); check the folder exists, is writable and "
                                   f"has free space, then run it again") from None
    obj.console.print(f"exported {count} article(s)" + (f" to {shown(out)}" if out else ""))


@cli.command()
@click.argument("item_id")
@click.pass_obj
def show(obj: Context, item_id):
    """Print one article, story or dump, with its lineage.

    ITEM_ID is an article id (`<dump id>-<record>`, as in `ingest export`), which prints the
    article with its dump (file, state, attempts, pipeline version); a story id (`story_id`
    in `ingest export`, as in `ingest stories`), which prints the story with its articles; or
    a dump id (as in `ingest status`), which prints the dump with its state, error and
    article ids.
    """
    article = obj.store.article(item_id)
    if not article:
        story = obj.store.story(item_id)
        if story:
            report.show(console(), "story", story)
            return
    if article:
        dump = obj.store.dump(article["dump_id"])
        report.show(console(), "article", {**article, "dump": dump})
        return
    dump = obj.store.dump(item_id)
    if not dump:
        raise NotFound(f"no article, story or dump with id {item_id!r}: ids are in `ingest export`, "
                       f"`ingest stories` and `ingest status`")
    report.show(console(), "dump", {**dump, "articles": [a["id"] for a in obj.store.articles_of(item_id)]})


@cli.command("stories")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only stories with an article published on or after this date (YYYY-MM-DD).")
@click.option("--limit", type=int, help="At most this many stories.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line instead of a table.")
@click.pass_obj
def stories_(obj: Context, since, limit, as_json):
    """List stories (the events articles report): size, first and last article, title.

    Newest first (by the last article's publication date). `ingest show STORY_ID` prints one
    story with its articles.
    """
    rows = obj.store.stories(since.date().isoformat() if since else None, limit)
    if as_json:
        for row in rows:
            click.echo(json_text(json.dumps(row, ensure_ascii=False)))
        return
    report.stories(console(), rows)


for command in (serve, health, topics):
    cli.add_command(command)


def main() -> None:
    """The console script: the garbage collector is kept out of start-up and exit (workers/collector.py)."""
    collector.starting()
    try:
        cli(prog_name="ingest")
    finally:
        collector.exiting()
