"""Log lines as an operator's log store receives them: JSON objects, or timestamped text."""
import io
import json
import logging
import re

from tasks import logs
from workers.console import LogConsole, console


def emit(fmt: str, **extra) -> str:
    stream = io.StringIO()
    logs.setup(fmt, logging.INFO, stream=stream)
    try:
        logging.getLogger("tasks.pipeline").info("dump %s done", "abc", extra=extra)
    finally:
        logs.setup("text", logging.WARNING)
    return stream.getvalue()


def test_json_lines_carry_time_level_process_and_the_dump_fields():
    line = emit("json", dump_id="abc", outcome="done", stages={"clean": 0.1})
    doc = json.loads(line)
    assert doc["message"] == "dump abc done" and doc["level"] == "info" and doc["logger"] == "tasks.pipeline"
    assert doc["dump_id"] == "abc" and doc["outcome"] == "done" and doc["stages"] == {"clean": 0.1}
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", doc["time"])
    assert re.match(r"MainProcess\[\d+\]$", doc["process"]) and line.count("\n") == 1


def test_text_lines_start_with_a_timestamp():
    line = emit("text")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 INFO MainProcess\[\d+\] tasks.pipeline: dump abc done\n$",
                    line)


def test_the_watcher_console_turns_prints_into_log_records(caplog):
    with caplog.at_level(logging.INFO):
        LogConsole("workers.watcher").print("[bold]a.txt[/] -> dump 1 (enqueued)")
        LogConsole("workers.watcher").print("odd [/name] stays")
    assert [r.getMessage() for r in caplog.records] == ["a.txt -> dump 1 (enqueued)", "odd [/name] stays"]


def test_a_console_that_is_not_a_terminal_does_not_wrap(capsys):
    out = console()
    out.print("x" * 300)
    assert capsys.readouterr().out == "x" * 300 + "\n"
