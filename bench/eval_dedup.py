"""Dedup rule alone, online, on a dedup set: pairwise P/R/F1 on two slices, in seconds.

    python bench/eval_dedup.py ../shared/bench/data/dedup-dev/docs.jsonl [--threshold T]
        [--order name|shuffle] [--seed N] [--errors N]

The same arrival order and bookkeeping as `ingest run` over the scorer's dumps
(../shared/bench/score_dedup.py): documents arrive sorted by id; each is compared with every
article before it, an exact match (normalized text hash) first, then the near-match candidates
the store's index gives among the *originals* only (the store indexes originals alone), its
closest ones counted exactly from their text (with, as the writer does, the lenders of those
that hold more than it: dedup rule 6); `decide()` gives the verdict, and a duplicate is
linked to its candidate's root, so clusters are stars. Predicted clusters are
the connected components of the links; pairwise P/R/F1 exactly as the scorer's metrics.py.
The texts are the documents' plain texts, or with --clean what the clean stage makes of each
as a text dump (without the templates a store learns per source; cached under the temp folder):
confirm end to end with score_dedup.py.

Slices, by the house's held-out rule (HELPERS.md: an item X is held out when
int(sha256(str(X)), 16) % 5 == 0): a document is in the tune slice when neither its own id nor
its base cluster's is held out, else in the held slice. The base cluster is `base` (its own
cluster for every document but the follow-ups, which go with the article they follow so that
each hard negative stays beside its base). Errors and follow-up merges are printed for the tune
slice only (--errors N, --followups N; with --clean, each merged follow-up also says how much of
its borrowed passage and of its own text the clean stage kept); the held slice is reported, never
inspected.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from config import defaults  # noqa: E402
from tasks.stages import dedup  # noqa: E402
from tasks.stages.dedup import sketch  # noqa: E402
from tasks.store import index, writer  # noqa: E402


def _held(x: object) -> bool:
    return int(hashlib.sha256(str(x).encode()).hexdigest(), 16) % 5 == 0


def held_out(doc: dict) -> bool:
    return _held(doc["id"]) or _held(doc.get("base") or doc["cluster"])


def pair_prf(truth: dict, pred: dict) -> tuple[float, float, float]:
    def pairs(labels):
        groups = defaultdict(list)
        for k, v in labels.items():
            groups[v].append(k)
        return {tuple(sorted(p)) for g in groups.values() for p in combinations(g, 2)}
    t, p = pairs(truth), pairs(pred)
    tp = len(t & p)
    P = tp / len(p) if p else 1.0
    R = tp / len(t) if t else 1.0
    return P, R, (2 * P * R / (P + R) if P + R else 0.0)


def run_online(docs: list[dict], threshold: float) -> dict[str, tuple[str | None, object]]:
    """Each document's (root it is linked to, verdict), deciding one by one in list order, with
    the store's own look-up (tasks/store/index.py: bounded keys an original, the candidates
    sharing most keys) and its exact count of the closest candidates (tasks/store/writer.py)."""
    first_exact: dict[str, str] = {}
    root: dict[str, str | None] = {}
    found = index.Lookup({}, {})
    grams: dict[str, frozenset[int]] = {}
    texts: dict[str, str] = {}
    seqs: dict[str, int] = {}
    out = {}
    for seq, d in enumerate(docs):
        if not d["text"].strip():   # the clean stage found no article: nothing stored, a singleton
            out[d["id"]] = (None, dedup.decide(dedup.fingerprint(""), None, []))
            root[d["id"]] = None
            continue
        fp = dedup.fingerprint(d["text"])
        matches = found.candidates(fp)
        closest = {m.article_id for m in writer._closest(SimpleNamespace(draft=SimpleNamespace(fingerprint=fp),
                                                                         overlaps={}), matches)}
        if closest:
            fp = replace(fp, grams=sketch.grams(d["text"]), text=d["text"])
            matches = [replace(m, grams=grams[m.article_id], text=texts[m.article_id],
                               lenders=_lenders(found, fp, m, texts[m.article_id], grams, seqs[m.article_id]))
                       if m.article_id in closest else m for m in matches]
        verdict = dedup.decide(fp, first_exact.get(fp.exact), matches, threshold)
        link = verdict.duplicate_of
        link = root.get(link) or link if link else None
        root[d["id"]] = link
        first_exact.setdefault(fp.exact, d["id"])
        if link is None and fp.sketch:
            found.add(seq, d["id"], fp, found.keys_for(fp))
            grams[d["id"]] = sketch.grams(d["text"])
            texts[d["id"]] = d["text"]
            seqs[d["id"]] = seq
        out[d["id"]] = (link, verdict)
    return out


def _lenders(found: index.Lookup, fp, m, text: str, grams: dict, before: int) -> tuple[frozenset[int], ...]:
    """The 5-grams of the originals stored before candidate `m` that share a passage with it,
    when `m` may be a copy of the new text and holds more than it (as writer._lenders)."""
    o = sketch.overlap(replace(fp, grams=None), m)
    if o.containment < writer.VERIFY_FROM or o.old_in_new >= writer.SURPLUS:
        return ()
    fm = dedup.fingerprint(text)
    near = [x for x in found.candidates(fm, before)
            if sketch.overlap(fm, x).containment >= writer.LEND_FROM]
    return tuple(grams[x.article_id] for x in near[:writer.LENDERS])


def components(links: dict[str, str | None]) -> dict[str, str]:
    return {k: (v or k) for k, v in links.items()}   # links go to roots: stars


def score(docs: list[dict], threshold: float) -> tuple[tuple[float, float, float], dict, float]:
    started = time.perf_counter()
    out = run_online(docs, threshold)
    seconds = time.perf_counter() - started
    pred = components({k: v[0] for k, v in out.items()})
    truth = {d["id"]: d["cluster"] for d in docs}
    return pair_prf(truth, pred), out, seconds


def merged_followups(docs: list[dict], out: dict) -> tuple[int, int, int]:
    """Follow-ups (documents with `related_to`, each alone in its cluster): how many went into
    their base's predicted cluster, how many into any other document's, and how many there are."""
    pred = {k: (v[0] or k) for k, v in out.items()}
    size = Counter(pred.values())
    base_of = {d["cluster"]: d["id"] for d in docs if d.get("vtype") == "orig"}
    fus = [d for d in docs if d.get("related_to")]
    with_base = sum(1 for d in fus if d["related_to"] in base_of
                    and pred[d["id"]] == pred.get(base_of[d["related_to"]]))
    with_any = sum(1 for d in fus if size[pred[d["id"]]] > 1)
    return with_base, with_any, len(fus)


def recall_by_kind(docs: list[dict], out: dict) -> str:
    """Per variant kind (`vtype`), the share of its documents put with their cluster's base
    article (`orig`), where that is in the slice: "kind found/all" for each kind."""
    pred = {k: (v[0] or k) for k, v in out.items()}
    orig = {d["cluster"]: d["id"] for d in docs if d.get("vtype") == "orig"}
    found, total = Counter(), Counter()
    for d in docs:
        if d.get("vtype") in (None, "orig", "followup") or d["cluster"] not in orig:
            continue
        total[d["vtype"]] += 1
        found[d["vtype"]] += pred[d["id"]] == pred[orig[d["cluster"]]]
    return " ".join(f"{k} {found[k]}/{total[k]}" for k in sorted(total))


def show_errors(docs: list[dict], out: dict, limit: int) -> None:
    truth = {d["id"]: d["cluster"] for d in docs}
    vtype = {d["id"]: d.get("vtype") for d in docs}
    first: dict[str, str] = {}
    for d in docs:
        first.setdefault(truth[d["id"]], d["id"])
    shown = 0
    for d in docs:
        link, v = out[d["id"]]
        wrong_link = link is not None and truth[link] != truth[d["id"]]
        missed = link is None and first[truth[d["id"]]] != d["id"]
        if (wrong_link or missed) and shown < limit:
            shown += 1
            kind = "FALSE LINK" if wrong_link else "MISSED"
            print(f"  {kind} {d['id']} ({vtype[d['id']]}) -> {link} ({vtype.get(link)}) "
                  f"c={v.containment:.2f} j={v.jaccard:.2f}")


def explain(new: str, old: str) -> str:
    """The figures and the rules of verdict.decide for a pair counted exactly, as a short line."""
    from tasks.stages.dedup import layout
    a, b = sketch.grams(new), sketch.grams(old)
    o = sketch._counted(a, b)
    nm, om = layout._marks(new, b), layout._marks(old, a)
    longer = nm if len(a) >= len(b) else om
    flags = [name for name, hit in (("inserted-new", layout.inserted(nm)), ("inserted-old", layout.inserted(om)),
                                    ("headless", layout.headless(longer)), ("diverged", layout.diverged(nm, om)))
             if hit]
    return (f"new_in_old={o.new_in_old:.2f} old_in_new={o.old_in_new:.2f} j={o.jaccard:.2f} "
            f"near={dedup.verdict.is_near(o)} layout={','.join(flags) or '-'}")


def show_followups(docs: list[dict], out: dict, limit: int) -> None:
    """Each follow-up merged with anything: the documents of its predicted cluster, and for
    each link into or out of it, the pair's figures and rules (explain)."""
    by_id = {d["id"]: d for d in docs}
    pred = {k: (v[0] or k) for k, v in out.items()}
    members = defaultdict(list)
    for k, r in pred.items():
        members[r].append(k)
    shown = 0
    for d in docs:
        if not d.get("related_to") or len(members[pred[d["id"]]]) < 2 or shown >= limit:
            continue
        shown += 1
        root = pred[d["id"]]
        print(f"  FOLLOW-UP {d['id']} (base {d['related_to']}) in cluster of {root}: "
              + ", ".join(f"{m} ({by_id[m].get('vtype')})" for m in members[root] if m != d["id"]))
        pairs = [(d["id"], root)] if root != d["id"] else [(m, d["id"]) for m in members[root] if m != d["id"]]
        if "raw" in d:
            print(f"    {cleaning_kept(d, by_id)}")
        for new, old in pairs:
            print(f"    {new} -> {old}: {explain(by_id[new]['text'], by_id[old]['text'])}")


def cleaning_kept(d: dict, by_id: dict) -> str:
    """How much of a follow-up the clean stage kept (with --clean): of its 5-grams that stand in
    its base's plain text (the borrowed passage), and of the others (its own text and furniture).
    The base is read from its `orig` document, or another of its cluster's in the slice."""
    cluster = [x for x in by_id.values() if x["cluster"] == d["related_to"]]
    base = next((x for x in cluster if x.get("vtype") == "orig"), cluster[0] if cluster else None)
    if base is None:
        return "cleaning kept: base not in the slice"
    raw, lent, kept = sketch.grams(d["raw"]), sketch.grams(base["raw"]), sketch.grams(d["text"])
    borrowed, own = raw & lent, raw - lent
    return (f"cleaning kept: borrowed passage {len(borrowed & kept) / max(1, len(borrowed)):.0%} "
            f"of {len(borrowed)} 5-grams, own text and furniture {len(own & kept) / max(1, len(own)):.0%}")


def cleaned_texts(docs: list[dict], path: Path) -> None:
    """Replace each document's text by the clean stage's article text (as `ingest run` sees it)."""
    from tasks.errors import IngestError
    from tasks.stages.clean import clean
    code = "".join(p.read_text() for p in sorted(Path(clean.__code__.co_filename).parent.glob("*.py")))
    key = hashlib.sha256(path.read_bytes() + code.encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"eval-dedup-clean-{key}.json"
    if not cache.exists():
        texts = {}
        for d in docs:
            try:
                texts[d["id"]] = "\n\n".join(ex.text for ex in clean(d["text"].encode("utf8"), d["id"] + ".txt"))
            except IngestError:
                texts[d["id"]] = ""
        cache.write_text(json.dumps(texts))
    texts = json.loads(cache.read_text())
    for d in docs:
        d["raw"], d["text"] = d["text"], texts[d["id"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("docs", type=Path)
    ap.add_argument("--threshold", type=float, default=defaults.NEAR_DUP_THRESHOLD)
    ap.add_argument("--order", choices=("name", "shuffle"), default="name")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--errors", type=int, default=0, help="print this many tune-slice errors")
    ap.add_argument("--followups", type=int, default=0, help="print this many tune-slice merged follow-ups")
    ap.add_argument("--clean", action="store_true", help="through the clean stage first, as the product")
    a = ap.parse_args()
    docs = [json.loads(line) for line in a.docs.read_text(encoding="utf8").splitlines() if line.strip()]
    if a.clean:
        cleaned_texts(docs, a.docs)
    docs.sort(key=lambda d: d["id"])
    if a.order == "shuffle":
        random.Random(a.seed).shuffle(docs)
    for name, part in (("tune", [d for d in docs if not held_out(d)]), ("held", [d for d in docs if held_out(d)]),
                       ("all", docs)):
        (P, R, F1), out, seconds = score(part, a.threshold)
        with_base, with_any, n_fu = merged_followups(part, out)
        print(f"{name}: {len(part)} docs, pairwise P={P:.3f} R={R:.3f} F1={F1:.3f}, follow-ups merged "
              f"with their base {with_base}/{n_fu}, with anything {with_any}/{n_fu}, {len(part) / seconds:.0f} docs/s")
        print(f"  recall by kind: {recall_by_kind(part, out)}")
        if name == "tune" and a.errors:
            show_errors(part, out, a.errors)
        if name == "tune" and a.followups:
            show_followups(part, out, a.followups)


if __name__ == "__main__":
    main()
