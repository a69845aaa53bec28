"""Settings for every process: one object, loaded once from INGEST_* variables."""
from config.settings import Settings, load

__all__ = ["Settings", "load"]
