"""The key terms of the stories a writer's batch holds in memory (tasks/store/placing.py).

Each story's key terms (tasks/stages/stories `keys` of its summary) are worked out once per
summary (Summary.key_terms: a story the writer keeps in its cache is read again by every batch
it changed before, ~60 stories a batch, each sorted anew cost ~4% of the writer), and each
term's hash (stories.key_hash) once per writer process while the `hashes` it is given (the
StoryCache's) hold fewer than HASHES terms. The terms are also
kept inverted, {term: the stories holding it}, brought up to date as the batch's articles
join or start stories, so that an article is compared only with the changed stories that
share one of its terms (every other one shares none), not with each story changed since
its snapshot.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tasks.store import stories

HASHES = 1 << 17   # terms whose hash a writer keeps (~20 MB at most); then it starts again


@dataclass
class StoryTerms:
    hashes: dict[str, int] = field(default_factory=dict)                   # term -> stories.key_hash
    postings: dict[str, set[str]] = field(default_factory=dict)            # term -> the stories indexed under it
    indexed: dict[str, set[str]] = field(default_factory=dict)             # story id -> its terms indexed

    @staticmethod
    def of(ref: stories.StoryRef) -> frozenset[str]:
        """The story's key terms as of its summary."""
        return ref.summary.key_terms

    def hash(self, term: str) -> int:
        found = self.hashes.get(term)
        if found is None:
            if len(self.hashes) >= HASHES:
                self.hashes.clear()
            found = self.hashes[term] = stories.key_hash(term)
        return found

    def index(self, ref: stories.StoryRef) -> None:
        """Index the story under its terms as of `ref` (in place of those of a former version)."""
        now, before = self.of(ref), self.indexed.get(ref.id, set())
        for term in before - now:
            self.postings[term].discard(ref.id)
        for term in now - before:
            self.postings.setdefault(term, set()).add(ref.id)
        self.indexed[ref.id] = now

    def sharing(self, terms: set[str]) -> set[str]:
        """The indexed stories that hold one of these terms."""
        found: set[str] = set()
        for term in terms:
            found |= self.postings.get(term, set())
        return found
