"""A topic model trained on labelled articles: TF-IDF over words and word pairs, plus the lexicon's
evidence, then a linear classifier. Saved as data, never as code.

The model file is one `.npz` archive of plain arrays (the vocabulary, IDF weights, class weights
and intercepts) and a JSON header, read with `numpy.load(allow_pickle=False)`: loading it runs no
code, whoever wrote the file. It is written to a temporary name in the same folder and renamed
into place, so a worker never reads half a model. Classifying needs only numpy; training needs
scikit-learn (`pip install 'news-ingest[train]'`), imported only then.

Labels may be IPTC slugs or the user's own. A record may accept several labels ("a|b"): each
distinct label set is one class, and a label's score is the summed probability of the classes
that contain it.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections import Counter
from itertools import chain
from pathlib import Path

from tasks.errors import ModelError
from tasks.stages.model import Topic
from tasks.stages.topics.classifier import evidence, find_terms
from tasks.stages.topics.evaluation import join, record_labels, record_text
from tasks.stages.topics.lexicon import load_lexicon
from tasks.stages.topics.text import stem, text_words, tokenize

FORMAT = "news-ingest-topic-model"
FORMAT_VERSION = 2          # 1 was a pickled scikit-learn pipeline (topics.joblib): never loaded
MIN_RECORDS = 4             # fewer cannot make a classifier of two labels worth saving
MAX_TOPICS = 3
MIN_SCORE = 0.15
MARGIN_SCALE = 3.0          # linear margins -> probabilities: softmax(MARGIN_SCALE * margin)
LEXICON_SCALE = 0.05        # the lexicon's per-topic evidence, scaled to sit beside TF-IDF values
                            # (a model's own scale is kept in its file: training.self_train's is lower)
MAX_FEATURES = 300_000


def terms(text: str) -> list[str]:
    """The model's features of a text: its stemmed words and adjacent word pairs."""
    tokens = tokenize(text)
    return tokens + list(map(" ".join, zip(tokens, tokens[1:])))


def lexicon_row(text: str, scale: float = LEXICON_SCALE) -> list[float]:
    """The built-in lexicon's evidence per IPTC topic, times `scale`: what it knows helps a small model."""
    return lexicon_row_of(text_words(text), scale)


def lexicon_row_of(read: list[str], scale: float = LEXICON_SCALE) -> list[float]:
    """`lexicon_row` of a text's `text_words`."""
    lex = load_lexicon()
    return [v * scale for v in evidence(Counter(), find_terms(read, lex), lex)]


class TrainedClassifier:
    """Vocabulary, IDF and linear weights, and the label set of each class; `.classify` answers
    like the lexicon classifier."""

    def __init__(self, vocab: list[str], idf, coef, intercept, classes: list[tuple[str, ...]], digest: str,
                 languages: frozenset[str] | None = None, seen: int | None = None,
                 lexicon_scale: float = LEXICON_SCALE):
        self.vocab = vocab
        self.index = {term: i for i, term in enumerate(vocab)}
        # a word pair's column by its two tokens: looked up without joining every pair of a text
        self.pair_index = {tuple(term.split(" ")): i for i, term in enumerate(vocab) if " " in term}
        self.idf, self.coef, self.intercept = idf, coef, intercept
        self.classes = classes        # label set of each class, in the model's class order
        self.digest = digest          # sha256 of the training data
        self.name = f"trained-{digest[:8]}"
        self.languages = languages    # the languages it learned (None: whatever the user gave it)
        self.seen = seen              # a self-trained model: the stored originals when it was fitted
        self.lexicon_scale = lexicon_scale   # the lexicon's evidence columns were read at this scale

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(label for labels in self.classes for label in labels))

    def classify(self, title: str | None, text: str) -> list[Topic]:
        return self.classify_many([join(title, text or "")])[0]

    def classify_many(self, texts: list[str]) -> list[list[Topic]]:
        return [self._topics(self.probabilities(text)) for text in texts]

    def margins(self, text: str):
        import numpy as np

        # the features of terms(text), in its order (words, then pairs), each step at C speed
        read = text_words(text)
        tokens = list(map(stem, read))
        index, pair_index = self.index, self.pair_index
        singles = Counter(filter(index.__contains__, tokens))
        pairs = Counter(filter(pair_index.__contains__, zip(tokens, tokens[1:])))
        n_terms = len(singles) + len(pairs)
        idx = np.fromiter(chain(map(index.__getitem__, singles), map(pair_index.__getitem__, pairs)),
                          dtype=np.int64, count=n_terms)
        tf = 1.0 + np.fromiter(map(math.log, chain(singles.values(), pairs.values())), dtype=np.float64, count=n_terms)
        values = tf * self.idf[idx]
        norm = float(np.sqrt(values @ values)) or 1.0
        n = len(self.vocab)
        lex = np.asarray(lexicon_row_of(read, self.lexicon_scale))
        return self.coef[:, idx] @ (values / norm) + self.coef[:, n:] @ lex + self.intercept

    def probabilities(self, text: str):
        import numpy as np

        z = MARGIN_SCALE * np.asarray(self.margins(text), dtype=np.float64)
        if z.shape[0] == 1:                    # two classes: one margin, for the second class
            z = np.array([-z[0], z[0]])
        z -= z.max()
        e = np.exp(z)
        return e / e.sum()

    def _topics(self, probs) -> list[Topic]:
        score: dict[str, float] = {}
        rank: dict[str, tuple[float, int]] = {}
        for labels, p in zip(self.classes, probs):
            for position, label in enumerate(labels):
                score[label] = score.get(label, 0.0) + float(p)
                rank[label] = min(rank.get(label, (0.0, 99)), (-float(p), position))
        order = sorted(score, key=lambda lab: (-round(score[lab], 9), rank[lab]))
        kept = [lab for lab in order[:MAX_TOPICS] if score[lab] >= MIN_SCORE] or order[:1]
        return [Topic(lab, round(min(1.0, score[lab]), 4)) for lab in kept]


def digest_of(records: list[dict]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps([record_text(r), record_labels(r)], ensure_ascii=False).encode("utf8"))
    return h.hexdigest()


def save(clf: TrainedClassifier, path: Path) -> None:
    """Write the model to `path` atomically (a temporary file in its folder, then a rename)."""
    import numpy as np

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "classes": [list(c) for c in clf.classes],
              "digest": clf.digest, "lexicon_scale": clf.lexicon_scale, "margin_scale": MARGIN_SCALE,
              "languages": sorted(clf.languages) if clf.languages is not None else None, "seen": clf.seen}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, header=np.array(json.dumps(header)), vocab=np.array(clf.vocab, dtype=str),
                                idf=clf.idf.astype(np.float32), coef=clf.coef.astype(np.float32),
                                intercept=clf.intercept.astype(np.float32))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def seen_of(path: Path) -> int | None:
    """A self-trained model's count of stored originals when it was fitted, from its header only
    (None: no readable model there)."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            seen = json.loads(str(z["header"])).get("seen")
    except Exception:  # noqa: BLE001 - missing or unreadable: there is no model to keep
        return None
    return int(seen) if isinstance(seen, int) else None


def load(path: Path) -> TrainedClassifier:
    """Read a model written by `save`, executing nothing; ModelError says what is wrong."""
    import numpy as np

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no topic model at {path}: train one with `ingest topics train FILE.jsonl`, "
                         "or leave the model out to use the built-in lexicon classifier")
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            arrays = {k: z[k] for k in ("vocab", "idf", "coef", "intercept")}
    except Exception as e:  # noqa: BLE001 - any unreadable file means the same to the user
        raise ModelError(f"{path} is not a readable topic model ({type(e).__name__}: {e}); "
                         "train it again with `ingest topics train`") from e
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelError(f"{path} is not a topic model written by `ingest topics train`; train it again")
    if header.get("version") != FORMAT_VERSION:
        raise ModelError(f"{path} has model format {header.get('version')}, this version reads "
                         f"{FORMAT_VERSION}; train it again with `ingest topics train`")
    vocab = [str(t) for t in arrays["vocab"]]
    coef = arrays["coef"].astype(np.float64)
    if coef.shape[1] != len(vocab) + 17 or arrays["idf"].shape[0] != len(vocab):
        raise ModelError(f"{path} is inconsistent (its weights do not match its vocabulary); train it again")
    return TrainedClassifier(vocab, arrays["idf"].astype(np.float64), coef, arrays["intercept"].astype(np.float64),
                             [tuple(c) for c in header["classes"]], header["digest"],
                             frozenset(header["languages"]) if header.get("languages") is not None else None,
                             header.get("seen"), float(header.get("lexicon_scale", LEXICON_SCALE)))
