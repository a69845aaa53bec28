"""The stages are pure: no Celery, Redis, broker, watcher or store import anywhere in tasks/stages."""
import ast
from pathlib import Path

import pytest

STAGES = Path(__file__).resolve().parents[2] / "tasks" / "stages"
FORBIDDEN = ("celery", "kombu", "redis", "sqlalchemy", "psycopg", "watchdog", "tasks.store",
             "tasks.app", "tasks.jobs", "tasks.pipeline", "workers", "config")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(STAGES.rglob("*.py")), ids=lambda p: p.name)
def test_stage_module_imports_nothing_impure(module):
    bad = {m for m in imported_modules(module) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{module.name} imports {bad}"


def test_the_check_itself_catches_an_impure_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from celery import Celery\nimport sqlalchemy.orm\n")
    assert {"celery", "sqlalchemy.orm"} <= imported_modules(sample)
