"""Which files in a folder are dumps, and how a dump enters the system (register, then submit)."""
from __future__ import annotations

from pathlib import Path

# Names a writer uses while a file is still being written, or that are not dumps at all.
TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", ".lock", "~")


def is_candidate(path: Path) -> bool:
    """A regular, visible, non-temporary file."""
    name = path.name
    return not name.startswith((".", "~$")) and not name.endswith(TEMPORARY_SUFFIXES) and path.is_file()


def scan(folder: Path) -> list[Path]:
    """Every dump file under a folder (recursively), in a stable order."""
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if is_candidate(p)
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts[:-1]))
