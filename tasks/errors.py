"""The one error hierarchy. Every message says what was wrong and what to do about it."""


class IngestError(Exception):
    """Base of every error this product raises on purpose."""


class ConfigError(IngestError):
    """A setting is missing or malformed."""


class DumpError(IngestError):
    """A dump cannot be turned into an article; the dump is kept as `failed` with this reason."""


class DumpFailed(DumpError):
    """Raised by the Celery task after a dump was recorded `failed`, so that Celery marks the
    task FAILURE (an expected error: logged in one line, no traceback)."""


class EmptyDump(DumpError):
    pass


class DumpTooLarge(DumpError):
    pass


class UndecodableDump(DumpError):
    pass


class NoArticleFound(DumpError):
    pass


class BrokenJson(DumpError):
    """A dump that is JSON by its name or its first bytes does not parse (cut short, nested too deeply)."""


class StoreError(IngestError):
    """The output store cannot be reached or used."""


class StoreBehind(StoreError):
    """The store's schema is older than this release: `ingest migrate` upgrades it."""


class LeaseLost(IngestError):
    """This attempt no longer holds the dump (its lease was taken back); it must write nothing."""


class BrokerError(IngestError):
    """The broker cannot be reached."""


class NotFound(IngestError):
    """No dump or article has the id asked for."""


class ModelError(IngestError):
    """A topic model cannot be trained, loaded or evaluated."""
