"""Which classifier the pipeline uses: the user's trained model when there is one, else the lexicon,
helped by the model self-trained on the store's confident labels when there is one (adapted.py)."""
from __future__ import annotations

import logging
from pathlib import Path

from tasks.stages.topics.classifier import DEFAULT

log = logging.getLogger(__name__)
OLD_PICKLE = "topics.joblib"   # the pickled model format of earlier versions: never loaded


def old_model_notice(model_path: Path | None) -> str | None:
    """What to tell the user when the data folder holds a model in the old pickled format."""
    if model_path is None:
        return None
    old = Path(model_path).with_name(OLD_PICKLE)
    if not old.is_file():
        return None
    return (f"{old} is a topic model in the old pickled format, which is no longer loaded (loading a "
            f"pickle can run code). Articles get topics from the built-in lexicon until you train again: "
            f"`ingest topics train FILE.jsonl` (or `ingest topics self-train`) writes {Path(model_path).name}; "
            f"then delete {old.name}")


def load_classifier(model_path: Path | None = None, adapted_path: Path | None = None):
    """The user's trained model when `model_path` names an existing file; else the lexicon, with
    the self-trained model of `adapted_path` for the articles it is unsure of when that file exists."""
    if model_path is not None and Path(model_path).is_file():
        from tasks.stages.topics.trained import load
        return load(Path(model_path))
    notice = old_model_notice(model_path)
    if notice:
        log.warning(notice)
    if adapted_path is not None and Path(adapted_path).is_file():
        from tasks.stages.topics.adapted import AdaptedClassifier
        from tasks.stages.topics.trained import load
        return AdaptedClassifier(DEFAULT, load(Path(adapted_path)))
    return DEFAULT
