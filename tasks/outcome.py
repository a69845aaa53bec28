"""What processing a dump gives: the `Outcome` a task returns and logs, and the `Prepared`
dump that `Pipeline.prepare` hands to `Pipeline.commit` (pickled from an embedded pool's
child to its writer: ids, drafts and reasons, never a file's bytes)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tasks.store.articles import Draft
from tasks.store.lifecycle import brief
from tasks.timing import Stopwatch

log = logging.getLogger("tasks.pipeline")   # the one INFO line per dump keeps its logger name


@dataclass(frozen=True)
class Outcome:
    """The small summary a task returns (JSON-friendly)."""
    dump_id: str
    state: str                       # done | failed | skipped (finished already, or held by another attempt)
    articles: int = 0
    duplicates: int = 0
    topics: tuple[str, ...] = ()     # each article's best topic
    error: str | None = None
    stages: dict = field(default_factory=dict)   # seconds per stage (tasks/timing.py)
    warnings: str | None = None      # records of a done dump that gave no article

    def as_dict(self) -> dict:
        return {"dump_id": self.dump_id, "state": self.state, "articles": self.articles,
                "duplicates": self.duplicates, "topics": list(self.topics), "error": self.error,
                "stages": self.stages, "warnings": self.warnings}

    def log(self) -> "Outcome":
        """One INFO line per processed dump, with its outcome and stage timings as fields."""
        what = f"{self.articles} article(s), {self.duplicates} duplicate(s)" if self.state == "done" else self.error
        if self.warnings:
            what = f"{what}; {self.warnings}"
        log.info("dump %s %s: %s", self.dump_id, self.state, what,
                 extra={"dump_id": self.dump_id, "outcome": self.state, "articles": self.articles,
                        "duplicates": self.duplicates, "error": self.error, "stages": self.stages,
                        "warnings": self.warnings})
        return self


@dataclass
class Prepared:
    """What `prepare` hands to `commit` (pickled from a pool's child to its writer): the drafts
    of a claimed dump, or the reason it failed, or an outcome already final (not claimed, or
    re-classified)."""
    dump_id: str
    token: str
    source_file: str = ""
    drafts: list[Draft] = field(default_factory=list)
    warnings: str | None = None
    failure: str | None = None
    outcome: Outcome | None = None
    watch: Stopwatch = field(default_factory=Stopwatch)
    story_prior: list | None = None    # each draft's story candidates, read while preparing

    @classmethod
    def crashed(cls, dump_id: str, token: str, exc: BaseException) -> "Prepared":
        """A crash of ours while preparing: committed as the dump's failure."""
        return cls(dump_id, token, failure=internal_reason(dump_id, exc))


def internal_reason(dump_id: str, exc: BaseException) -> str:
    """A crash of ours, in one short line (a database error's SQL and parameters left out)."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = brief(detail[0] if detail else "", 300)
    return f"internal error: {type(exc).__name__}: {detail}; fix the cause, then `ingest requeue {dump_id}`"
