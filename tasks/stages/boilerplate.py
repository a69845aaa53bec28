"""A small multilingual lexicon of boilerplate cues: the lines around an article that are not it.

Two kinds of cue, both matched against one whole line (case-insensitive):

* `is_boilerplate(line)`: the line itself is page furniture (share buttons, "Advertisement",
  copyright, image credits, sign-up prompts, comment widgets) and is dropped wherever it is;
* `is_end_marker(line)`: the line opens the furniture *after* an article (a donation appeal,
  "Related articles", a comment section); nothing after it belongs to the article.

Patterns are generic web phrases in English, German, French, Spanish, Italian, Portuguese,
Dutch and Russian, never strings of one site. A cue only fires on a short line (or at the
start of one), so an article sentence that mentions a newsletter is kept.
"""
from __future__ import annotations

import re

MAX_CUE_WORDS = 14   # a longer line is prose even if it contains a cue phrase

_BOILERPLATE = [
    # sign-up, login, subscription
    r"(newsletter|e-?mail alerts?)\b.*(sign ?up|subscribe|register)", r"(sign ?up|subscribe|register)\b.*newsletter",
    r"sign (up|in)( now| here| for)?\b", r"log ?in\b|login to\b|register\s*/\s*log ?in|forgot (your )?password",
    r"(already )?(a )?subscriber\??\b", r"subscribe( now| today| here)?\b", r"create (an|your) account",
    r"user registration", r"subscribers agree to\b", r"privacy policy", r"terms (of (use|service)|and conditions)",
    r"cookie (policy|settings|preferences)", r"(we|this (web)?site) uses? cookies",
    r"newsletter abonnieren|jetzt abonnieren|anmelden\b|abonnez-vous|inscrivez-vous|s'abonner|suscr[ií]bete",
    r"iscriviti|assine( já)?\b|cadastre-se|abonneer|подпис(аться|ывайтесь|ка)\b|войти\b",
    # sharing and reactions
    r"share (this|on|via)\b|^share$|^tweet$|^pin it$|^email$|^print$|^whatsapp$|^facebook$|^twitter$",
    r"^(linkedin|reddit|telegram|copy link|copied!?)$", r"what'?s your reaction\??",
    r"teilen\b|partager\b|compartir\b|condividi\b|compartilhe?\b|delen\b|поделиться",
    # comments
    r"^\d*\s*comments?$|^no comments?( yet)?$|leave a (comment|reply)|post (a )?comment|add (a )?comment",
    r"login to (comment|leave a comment)|^(\d+ )?(kommentare?|commentaires?|comentarios?|commenti|комментари\w*)$",
    # ads, credits, copyright
    r"^(advertisement|advertising|sponsored( content)?|ad|ads by \w+|story continues below( advertisement)?)$",
    r"^(anzeige|werbung|publicité|publicidad|pubblicità|publicidade|advertentie|реклама)$",
    r"^(©|\(c\)|copyright\b).{0,120}$", r"^.{0,60}\ball rights reserved\b.{0,40}$", r"©\s*\d{4}",
    r"^(image|photo|picture|foto|bild|credit|source|illustration)s?( credit)?\s*:", r"\b(getty images|shutterstock)\s*$",
    # navigation
    r"^(home|menu|search|close|skip to (main )?content|back to top|next|previous|more|load more)$",
    r"^(read|see|view) (more|all|full)\b|^continue reading\b|^learn more$|^click here\b",
    r"^(lesen sie (auch|mehr)|mehr zum thema|lire (aussi|la suite)|à lire aussi|lee (también|más)|leer más)\b",
    r"^(leggi anche|leia (também|mais)|lees (ook|meer)|читайте (также|еще))\b",
    r"remind me later|not ready to support|^(once|monthly|annual|continue|donate)$",
]

# Cues that mark a line of any length: a caption ending in its image credit.
_ANY_LENGTH = [r"\b(image|photo|photograph|picture|foto|bild)s?( credits?)?\s*:\s*\S.{0,80}$"]

_END_MARKERS = [
    r"a message from\b", r"dear readers?,?", r"support (the|our|us)\b.*", r"(please )?(donate|make a donation)\b",
    r"related (articles?|stories|posts|news|coverage|content|tags?)\b", r"(you )?(may|might) also (like|be interested)",
    r"recommended( for you| stories| articles)?", r"more (from|on|stories|news)\b.*", r"most (popular|read|viewed)\b",
    r"(trending|popular) (now|stories|articles)", r"(leave|post|add) a (comment|reply)|^comments?( \(\d+\))?$",
    r"articles, offers & useful resources", r"a mix of what'?s trending",
    r"sign up for (our|the)\b.*newsletter", r"^tags?:", r"related tags?:?",
    r"(ähnliche|weitere) (artikel|themen|beiträge)|articles similaires|noticias relacionadas|articoli correlati",
    r"notícias relacionadas|gerelateerde artikelen|похожие (статьи|материалы)",
    r"(©|\(c\)|copyright)\s*\d{4}\b",
]

_BOILER_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE), re.I)
_ANY_RE = re.compile("|".join(_ANY_LENGTH), re.I)
_END_RE = re.compile("|".join(f"(?:^{p.lstrip('^')})" for p in _END_MARKERS), re.I)


def _short(line: str) -> bool:
    return len(line.split()) <= MAX_CUE_WORDS


def is_boilerplate(line: str) -> bool:
    """True if the (stripped) line is page furniture by the lexicon."""
    return (_short(line) and _BOILER_RE.search(line) is not None) or _ANY_RE.search(line) is not None


def is_end_marker(line: str) -> bool:
    """True if the (stripped) line opens the after-article furniture."""
    return _short(line) and _END_RE.match(line) is not None
