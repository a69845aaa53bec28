"""`ingest topics`: train a topic model on your own labelled articles, and measure a classifier."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

import config
from tasks.errors import ModelError
from tasks.stages.topics import DEFAULT, load_classifier, old_model_notice
from tasks.stages.topics.coverage import LEXICON_LANGUAGES
from tasks.stages.topics.evaluation import EvalReport, evaluate, record_labels, record_text, split
from tasks.stages.topics.trained import MIN_RECORDS, load, save
from tasks.stages.topics.training import confident_records, train
from workers.safe import shown

HELD_OUT_MIN = 50          # records needed before a held-out accuracy means something
HELD_OUT_SHARE = 0.2

FILE_HELP = ("FILE.jsonl holds one JSON object a line: {\"text\": \"...\", \"labels\": [\"sport\"]} "
             "(or \"label\": \"a|b\" when any of several labels is right; an optional \"title\"). "
             "Labels may be the IPTC topic slugs or your own.")


def read_records(path: Path) -> list[dict]:
    """The records of a JSONL file, each checked for a text and labels; ClickException otherwise."""
    records = []
    try:
        lines = path.read_text(encoding="utf8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"cannot read {path}: {e}") from e
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise click.ClickException(f"{path}:{number}: not JSON ({e.msg}); one JSON object a line") from e
        if not isinstance(record, dict):
            raise click.ClickException(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
        try:
            record_text(record)
            record_labels(record)
        except ModelError as e:
            raise click.ClickException(f"{path}:{number}: {e}") from e
        records.append(record)
    if not records:
        raise click.ClickException(f"{path} holds no records. {FILE_HELP}")
    return records


def report_table(report: EvalReport) -> Table:
    table = Table(title=f"{report.classifier}: top-1 accuracy {report.accuracy:.3f} on {report.total} records")
    table.add_column("label", overflow="fold")
    for name in ("precision", "recall", "support"):
        table.add_column(name, justify="right")
    for s in report.per_label:
        table.add_row(shown(s.label), f"{s.precision:.3f}", f"{s.recall:.3f}", str(s.support))
    return table


def label_table(records: list[dict]) -> Table:
    counts = Counter(label for r in records for label in record_labels(r))
    table = Table(title=f"{len(records)} records, {len(counts)} labels")
    table.add_column("label", overflow="fold")
    table.add_column("records", justify="right")
    for label, n in counts.most_common():
        table.add_row(shown(label), str(n))
    return table


@click.group("topics")
def topics() -> None:
    """Topic classification: train a model on your labelled articles, or measure one.

    Without a trained model, articles get topics from the built-in lexicon classifier (the 17
    IPTC Media Topics, English). Once `ingest topics train` (or `self-train`) has written a model
    to the data folder ($INGEST_DATA_DIR/models/topics.npz), the pipeline uses it instead; running
    workers pick it up, and `ingest requeue --all` re-classifies stored articles with it.
    Delete the file to go back to the lexicon.
    """


@topics.command("train", epilog=FILE_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model. Default: $INGEST_DATA_DIR/models/topics.npz, "
                   "the file the pipeline loads.")
def train_command(file: Path, out: Path | None) -> None:
    """Train a topic model (TF-IDF + linear SVM) on the labelled articles in FILE.jsonl.

    Prints the label counts, an accuracy on a held-out fifth of the records (when there are at
    least 50), then trains on all of them and writes the model.
    """
    console = Console()
    records = read_records(file)
    if len(records) < MIN_RECORDS:
        raise click.ClickException(f"{file} has {len(records)} records; give at least {MIN_RECORDS} to train on")
    fit_and_save(console, records, out or config.load().model_path)


def fit_and_save(console: Console, records: list[dict], out: Path, languages: frozenset[str] | None = None) -> None:
    """Print the labels and a held-out accuracy, then train on all records and write the model."""
    console.print(label_table(records))
    try:
        if len(records) >= HELD_OUT_MIN:
            train_set, test_set = split(records, HELD_OUT_SHARE)
            report = evaluate(train(train_set, languages), test_set)
            console.print(f"held-out accuracy: {report.accuracy:.3f} "
                          f"(trained on {len(train_set)}, tested on {len(test_set)})")
        clf = train(records, languages)
        save(clf, out)
    except ModelError as e:
        raise click.ClickException(str(e)) from e
    except OSError as e:
        raise click.ClickException(f"cannot write the model to {out}: {e}") from e
    click.echo(f"wrote model {clf.name} ({len(clf.labels)} labels, {len(records)} records) to {out}")
    click.echo("re-classify the stored articles with it: ingest requeue --all")


SELF_TRAIN_MIN = 500       # stored articles with a confident label before self-training is offered
SELF_TRAIN_SCORE = 0.6     # a label counts as confident from this score


@topics.command("self-train")
@click.option("--min-score", type=float, default=SELF_TRAIN_SCORE, show_default=True,
              help="Learn only from articles whose best topic scored at least this.")
@click.option("--min-articles", type=int, default=SELF_TRAIN_MIN, show_default=True,
              help="Refuse to train on fewer confident articles than this.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model. Default: the file the pipeline loads.")
def self_train_command(min_score: float, min_articles: int, out: Path | None) -> None:
    """Adapt the classifier to your own stream: train a model on the store's confident labels.

    Takes the stored original articles in a covered language whose best topic (from the lexicon
    or the current model) scored at least --min-score, and trains a TF-IDF + linear model on
    them: it learns your sources' vocabulary, names of the day included, which no shipped list
    can know. Then `ingest requeue --all` re-classifies the store with it.
    """
    from tasks.store import Store

    settings = config.load()
    store = Store(settings.store_url_or_default())
    try:
        records = confident_records(store.export("original"), min_score, LEXICON_LANGUAGES)
    finally:
        store.close()
    if len(records) < min_articles:
        raise click.ClickException(
            f"the store holds {len(records)} original articles with a confident topic (score >= {min_score}); "
            f"self-training needs at least {min_articles}: ingest more, or lower --min-articles")
    fit_and_save(Console(), records, out or settings.model_path, LEXICON_LANGUAGES)


@topics.command("adapt")
@click.option("--force", is_flag=True, help="Fit the model again now, even if the store has not grown enough.")
def adapt_command(force: bool) -> None:
    """Adapt the lexicon to your stream: self-train a model on the store's confident labels.

    Once the store holds INGEST_TOPICS_ADAPT_MIN (500) articles the lexicon labels confidently, a
    TF-IDF + linear model is fitted on them and saved to $INGEST_DATA_DIR/models/topics-adapted.npz;
    the articles the lexicon was unsure of are re-labelled by it, and new ones are too. `ingest run`
    does this after each run that stored articles (INGEST_TOPICS_ADAPT=0 turns that off); the model
    is fitted again when the store has grown by half. Delete the file to go back to the lexicon
    alone, then `ingest requeue --classify --all`.
    """
    from tasks.adaptation import adapt
    from tasks.store import Store

    settings = config.load()
    store = Store(settings.store_url_or_default())
    try:
        result = adapt(settings, store, force=force)
    except ModelError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()
    click.echo(result.summary())


@topics.command("eval", epilog=FILE_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", "model", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Measure this trained model file.")
@click.option("--default", "use_default", is_flag=True,
              help="Measure the built-in lexicon classifier, even when a trained model exists.")
def eval_command(file: Path, model: Path | None, use_default: bool) -> None:
    """Measure a classifier on the labelled articles in FILE.jsonl.

    Prints the top-1 accuracy (the best topic is one of the record's labels) and precision and
    recall per label. Without --model or --default, measures what the pipeline would use: the
    trained model in the data folder if there is one, else the lexicon classifier.
    """
    if model is not None and use_default:
        raise click.UsageError("give --model PATH or --default, not both")
    records = read_records(file)
    try:
        if use_default:
            classifier = DEFAULT
        elif model is not None:
            classifier = load(model)
        else:
            path = config.load().model_path
            notice = old_model_notice(path)
            if notice and not path.is_file():
                click.echo(f"note: {notice}", err=True)
            classifier = load_classifier(path)
        report = evaluate(classifier, records)
    except ModelError as e:
        raise click.ClickException(str(e)) from e
    Console().print(report_table(report))
    click.echo(f"top-1 accuracy={report.accuracy:.3f}")
