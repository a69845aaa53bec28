"""Dedup stage: a text's fingerprint (sketch.py), and the verdict given the stored
candidates that share lookup keys with it (verdict.py). Pure functions: the store keeps the
index and hands back candidates (tasks/store/articles.py)."""
from tasks.stages.dedup.sketch import SHINGLE, fingerprint, overlap, tokens
from tasks.stages.dedup.verdict import MIN_SHARED, decide

__all__ = ["SHINGLE", "MIN_SHARED", "decide", "fingerprint", "overlap", "tokens"]
