"""The pipeline's pure stages: clean, dedup, classify.

They take strings/bytes and small dataclasses and return the same. They never import
Celery, Redis, watchdog, SQLAlchemy or the store (tests/stages/test_purity.py checks it).
"""
