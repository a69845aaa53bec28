"""`ingest run` embedded: the stages loaded ahead, in threads, while the run does its own start-up.

The language-ID model is the longest part of that loading (numpy's import, then ~70 MB
inflated by lzma, which leaves the interpreter free, then its arrays read), and nothing
before the pool's first dump needs it. It is started first, as soon as the folders are walked,
when the work is certain: some file was found and the store is a SQLite file that does not
exist yet (it holds no dump, so every file is new). Otherwise it starts, as the rest of the
loading does, once the known files are looked up (`Loading.start`).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from config.settings import Settings
from workers.intake import Found, Skipped

log = logging.getLogger(__name__)
FINAL = ("done", "failed")


def store_absent(settings: Settings) -> bool:
    """True when the store is a SQLite file not created yet (a URL with options: False)."""
    url = settings.store_url_or_default()
    if not url.startswith("sqlite:///") or "?" in url:
        return False
    path = url[len("sqlite:///"):]
    return path not in ("", ":memory:") and not Path(path).exists()


def early_language(settings: Settings, opened: bool, items: list[Found | Skipped]) -> threading.Thread | None:
    """The language model's loading, started now when the work is certain (see above); None
    otherwise. `opened`: whether the run was handed a store already open (then it is not new)."""
    if not settings.embedded or opened or not any(isinstance(i, Found) for i in items):
        return None
    if not store_absent(settings):
        return None
    from tasks.warmup import load_language_model
    return load_language_model()


def work_likely(items: list[Found | Skipped], known: dict[str, tuple[str, str]]) -> bool:
    """Whether a file is new or not finished: the stages will be needed."""
    return any(isinstance(i, Found) and known.get(i.where, (None, None))[1] not in FINAL for i in items)


class Loading:
    """The stages loaded (imports, models, the warm-up a pool's children share) in a thread
    while the run registers the files: the registration's reading, hashing and compressing
    leave the interpreter free most of the time. `language`: the model's loading, if started
    already (`early_language`)."""

    def __init__(self, settings: Settings, store, language: threading.Thread | None = None):
        self.settings, self.store, self.language = settings, store, language
        self.pipeline = None
        self.thread = threading.Thread(target=self._load, name="ingest-load", daemon=True)

    @classmethod
    def start(cls, settings: Settings, store, language: threading.Thread | None = None) -> "Loading":
        loading = cls(settings, store, language)
        loading.thread.start()
        return loading

    def _load(self) -> None:
        from tasks.warmup import load_language_model, warm_up
        language = self.language or load_language_model()   # its decompression runs beside the imports below
        try:
            from tasks.pipeline import Pipeline
            pipeline = Pipeline(self.settings, self.store)
            pipeline.classifier(), pipeline.story_rules()
            language.join()
            if self.settings.processes > 1:
                warm_up(pipeline)
            self.pipeline = pipeline
        except Exception:  # noqa: BLE001 - loaded again where it is needed, and failing there says why
            log.debug("loading the stages ahead failed", exc_info=True)
        finally:
            language.join()                 # no thread left once the pool forks

    def join(self):
        self.thread.join()
        return self.pipeline
