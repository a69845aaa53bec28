"""The imperative shell: the `ingest` CLI, the runner behind `ingest run`, the watcher."""
