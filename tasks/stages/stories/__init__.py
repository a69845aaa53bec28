"""Story stage: features of an article for event matching, the online choice of its story,
and the rewrite rule. Pure functions over strings and small dataclasses."""
from tasks.stages.stories.assign import Choice, Summary, Weights, add, choose, keys, new_summary, score
from tasks.stages.stories.features import Features, features
from tasks.stages.stories.rules import Member, Rewrite, StoryInput, StoryRules
from tasks.stages.stories.weights import Idf

__all__ = ["Choice", "Features", "Idf", "Member", "Rewrite", "StoryInput", "StoryRules", "Summary", "Weights",
           "add", "choose", "features", "keys", "new_summary", "score"]
