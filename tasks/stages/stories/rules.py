"""The story stage's entry points for the pipeline and the store: what an article brings
(`StoryInput`), and the two decisions over stored candidates: its rewrite link and its story."""
from __future__ import annotations

from dataclasses import dataclass, field

from tasks.stages.stories.assign import Choice, Summary, Weights, choose
from tasks.stages.stories.features import Features, features
from tasks.stages.stories.rewrite import close_enough, compare, is_rewrite, sentences, signature
from tasks.stages.stories.weights import Idf


@dataclass(frozen=True)
class StoryInput:
    features: Features
    signature: dict[str, float]
    text: str            # cut into sentences only when a stored article is close enough to compare


@dataclass(frozen=True)
class Rewrite:
    article_id: str
    story_id: str | None
    score: float


@dataclass(frozen=True)
class Member:
    """A stored original article, as the rewrite check needs it."""
    article_id: str
    story_id: str | None
    text: str
    signature: dict[str, float]


@dataclass(frozen=True)
class StoryRules:
    """Term weights and decision weights: built once per process (`StoryRules.english()`)."""
    idf: Idf = field(default_factory=Idf)
    weights: Weights = Weights()

    @classmethod
    def english(cls) -> "StoryRules":
        return cls(Idf.english())

    def read(self, title: str | None, text: str, published: str | None) -> StoryInput:
        f = features(title, text, published, self.idf)
        return StoryInput(f, signature(f.body), text)

    def rewrite(self, article: StoryInput, members: list[Member]) -> Rewrite | None:
        """The stored original this article rewords best, if any (see rewrite.py)."""
        best, ours = None, None
        for m in members:
            if not close_enough(article.signature, m.signature):
                continue
            ours = ours or sentences(article.text, self.idf)
            theirs = sentences(m.text, self.idf)
            if is_rewrite(ours, theirs):
                score = min(compare(ours, theirs).score, compare(theirs, ours).score)
                if best is None or score > best.score:
                    best = Rewrite(m.article_id, m.story_id, round(score, 4))
        return best

    def choose(self, article: StoryInput, candidates: dict[str, Summary], prefer: str | None = None,
               scores: dict[str, float | None] | None = None) -> Choice:
        return choose(article.features, candidates, self.weights, prefer, scores)
