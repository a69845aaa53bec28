"""What the CLI prints: rich tables for `run`, `status`, `stories` and `show`."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from workers.safe import json_text, plain, shown

if TYPE_CHECKING:   # the runner pulls in the whole pipeline; `status` and `show` need none of it
    from workers.runner import RunReport


def run_summary(console: Console, r: "RunReport") -> None:
    table = Table(title="ingest run", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("dump files found", str(r.seen))
    if r.distinct != r.seen:
        table.add_row("distinct dumps", str(r.distinct))
    table.add_row("already stored (skipped)", str(r.already_done))
    table.add_row("processed", str(r.processed))
    table.add_row("articles stored", str(r.articles))
    table.add_row("  of which duplicates", str(r.duplicates))
    table.add_row("failed", f"[red]{len(r.failed)}[/]" if r.failed else "0")
    if r.timed_out:
        table.add_row("still pending (timed out)", f"[yellow]{r.timed_out}[/]")
    if r.skipped:
        table.add_row("skipped (not read)", f"[yellow]{len(r.skipped)}[/]")
    for label, n in sorted(r.topics.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(f"topic: {label}", str(n))
    table.add_row("seconds", f"{r.seconds:.2f}")
    console.print(table)
    if r.topics_adapted:
        console.print(r.topics_adapted)
    if r.seen and not r.processed and not r.failed and not r.timed_out:
        console.print("Nothing new: every dump here was stored before (a dump is known by its file name and content).")
    if r.skipped:
        skipped(console, r.skipped)
    if r.failed:
        failures(console, r.failed, title="failed dumps")
        console.print("Fix the cause, then `ingest requeue --failed`.")


def skipped(console: Console, rows: list[dict]) -> None:
    table = Table(title="files skipped", title_justify="left")
    for col in ("file", "reason"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(shown(row["file"]), shown(row["reason"]))
    console.print(table)


def failures(console: Console, rows: list[dict], title: str = "recent failures", what: str = "error") -> None:
    table = Table(title=title, title_justify="left")
    for col in ("dump id", "file", "attempts", what):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(shown(row["id"]), shown(row["source_file"]), str(row.get("attempts", "")),
                      shown(row.get("error") or ""))
    console.print(table)


def status(console: Console, counts: dict, totals: dict, depth: dict | str, store_url: str, broker: str) -> None:
    table = Table(title="ingest status", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("store", shown(store_url))
    table.add_row("broker", shown(broker) if broker else "none (embedded)")
    for state, n in counts.items():
        table.add_row(f"dumps {state}", f"[red]{n}[/]" if state == "failed" and n else str(n))
    table.add_row("articles original", str(totals["original"]))
    table.add_row("articles duplicate", str(totals["duplicate"]))
    if isinstance(depth, dict):
        table.add_row("queue waiting", str(depth["waiting"]))
        table.add_row("queue unacked (in flight)", str(depth["unacked"]))
    else:
        table.add_row("queue", shown(depth))
    console.print(table)


def show(console: Console, kind: str, doc: dict) -> None:
    console.print_json(json_text(json.dumps({"kind": kind, **doc}, default=str, ensure_ascii=False)))


def stories(console: Console, rows: list[dict]) -> None:
    """One story a line: id, size, dates, first and last article, title, tab-separated (plain
    text, so that `cut -f` and `awk -F'\\t'` take it apart)."""
    if not rows:
        console.print("no stories yet: `ingest run` stores articles and groups them into stories")
        return
    lines = ["story id\tsize\tdates\tfirst article\tlast article\ttitle"]
    for r in rows:
        dates = r["first_date"] if r["first_date"] == r["last_date"] else f"{r['first_date']}..{r['last_date']}"
        lines.append(f"{r['id']}\t{r['size']}\t{dates or '-'}\t{r['first_article']}\t{r['last_article']}\t"
                     f"{plain(r['title'] or '')}")
    console.file.write("\n".join(lines) + "\n")
