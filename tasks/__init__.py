"""The worker side: pure pipeline stages (`tasks.stages`), the store, the Celery app and task."""
