"""Heartbeat files: each long-running process (the watcher, every Celery worker) rewrites its
own file under `$INGEST_DATA_DIR/heartbeats/` every INGEST_HEARTBEAT_SECONDS, from its main
loop; `ingest health` reads their age. A process that stops cleanly removes its file; one that
starts removes the files of its own kind left on this host by processes that no longer run."""
from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".beat"


@dataclass(frozen=True)
class Beat:
    name: str          # e.g. "watcher", "worker-worker-123@host"
    path: Path
    age: float         # seconds since the last beat
    pid: int | None
    host: str | None


def file_for(folder: Path, name: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in name)
    return folder / f"{safe}{SUFFIX}"


def beat(folder: Path, name: str) -> None:
    """Write the heartbeat atomically (temp file, then rename): a reader never sees half of it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = file_for(folder, name)
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"name": name, "pid": os.getpid(), "host": socket.gethostname(), "time": time.time()}))
    os.replace(tmp, target)


def remove(folder: Path, name: str) -> None:
    file_for(folder, name).unlink(missing_ok=True)


def read_all(folder: Path, now: float | None = None) -> list[Beat]:
    now = time.time() if now is None else now
    beats = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            doc = json.loads(path.read_text())
            stamp = float(doc["time"])
        except (OSError, ValueError, KeyError, TypeError):
            continue   # being replaced right now, or not ours
        beats.append(Beat(doc.get("name", path.stem), path, max(0.0, now - stamp), doc.get("pid"), doc.get("host")))
    return beats


def forget_dead(folder: Path, prefix: str) -> None:
    """Remove files of `prefix` kind written on this host by processes that are gone."""
    host = socket.gethostname()
    for b in read_all(folder):
        if b.name.startswith(prefix) and b.host == host and b.pid and not _alive(b.pid):
            b.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Pacer:
    """Beats at most every `seconds`, however often `maybe_beat` is called (a main loop's step)."""

    def __init__(self, folder: Path, name: str, seconds: float):
        self.folder, self.name, self.seconds = folder, name, seconds
        self.last = 0.0

    def maybe_beat(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.seconds:
            beat(self.folder, self.name)
            self.last = now
