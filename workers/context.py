"""What every `ingest` command is given: the settings, and the store opened on first use."""
from __future__ import annotations

from config import load
from tasks.store import Store
from workers.console import console


class Context:
    """Settings and the store, made once per command and only when needed."""

    def __init__(self):
        self.settings = load()
        self._store = None
        self.console = console(stderr=True)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.store_url_or_default())
        return self._store

    def close(self) -> None:
        """Close the store's connections, if it was opened (the command is done)."""
        if self._store is not None:
            self._store.close()
