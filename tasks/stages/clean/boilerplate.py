"""A small multilingual lexicon of boilerplate cues: the lines around an article that are not it.

Cues are matched against one whole, stripped line; `cues(line)` gives all three at once:

* boilerplate: the line itself is page furniture (share buttons, "Advertisement", copyright,
  image credits, sign-up prompts, comment widgets, "Additional reporting by …", and at any
  length a cookie notice, an author's bio, a browser notice) and is dropped wherever it is;
* end marker: the line opens the furniture *after* an article (a donation appeal, a comment
  section, "Most read", the copyright line); nothing after it belongs to the article;
* link box: the heading of a box of links to other stories ("Related articles", "You may
  also like"); sites put these inside articles too, so the cleaners only end the article
  there when less prose follows than came before.

`is_comment_meta(line)` spots the small lines around each comment of a thread ("says:",
"2 days ago", "… at 6:34 am").

Patterns are generic web phrases in English, German, French, Spanish, Italian, Portuguese,
Dutch and Russian (a few in Chinese, Japanese, Korean), never strings of one site. A cue
only fires on a short line (MAX_CUE_WORDS) or, for promotions and credits, a line of at
most MAX_PROMO_WORDS, so an article sentence that mentions a newsletter is kept.

Speed: a line has to contain one of a rule's trigger words before the rule's regex runs,
so the usual line (a menu item, a sentence) costs a few dict look-ups; short lines are cached.
"""
from __future__ import annotations

import re
from functools import lru_cache

MAX_CUE_WORDS = 14   # a longer line is prose even if it contains a cue phrase
_TOKEN = re.compile(r"\w+", re.UNICODE)

_DISMISS_WORDS = "later now thanks dismiss close später nicht tard maintenant tarde ahora più ora não nu позже сейчас"

# The kinds of furniture that address the reader, as the words that name them (multilingual stems).
# A line that speaks to the reader ("you", "your", a question) about two of these is a call to
# action (a newsletter pitch, a donation appeal, a paywall offer), not news.
KINDS: dict[str, tuple[str, ...]] = {
    "newsletter": ("newsletter", "inbox", "mailbox", "e-mail", "email", "alerts", "digest", "delivered",
                   "postfach", "boîte", "bandeja", "casella", "caixa", "рассылк"),
    "donation": ("donat", "contribution", "support us", "support our", "support independent", "support today",
                 "spende", "unterstütz", "soutenez", "don ", "dona", "sostieni", "apoie", "поддерж"),
    "subscription": ("subscri", "member", "join", "paywall", "free trial", "ad-free", "premium", "abonn",
                     "suscri", "abbonat", "assinat", "assine", "подпис"),
    "login": ("log in", "login", "sign in", "sign up", "register", "account", "password", "anmeld", "connexion",
              "iniciar sesión", "accedi", "entrar", "войти"),
    "comments": ("comment", "reaction", "react", "reply", "discussion", "conversation", "kommentar",
                 "commentaire", "comentario", "commento", "comentário", "коммент"),
    "share": ("share", "tweet", "teilen", "partager", "compartir", "condividi", "compartilh", "поделит"),
    "cookie": ("cookie", "privacy", "consent", "datenschutz", "confidentialité", "privacidad"),
    "related": ("trending", "related", "recommended", "popular", "our other sites", "more from", "ähnlich",
                "similaires", "relacionad", "correlat", "похож"),
}
# Words news prose hardly ever uses when it speaks to the reader: only furniture does.
_STRONG = frozenset({"newsletter", "inbox", "mailbox", "paywall", "donat", "subscri", "free trial", "ad-free"})
_KIND_RE = {kind: re.compile("|".join(re.escape(w) for w in words)) for kind, words in KINDS.items()}
_KIND_WORDS = tuple(w for words in KINDS.values() for w in words)
# The reader addressed: one of these words (or a word starting with one of the prefixes), or a question.
_READER_WORDS = frozenset("you your yours du sie vous votre vos tu ton tes usted su tuo tua você seu sua jij je uw "
                          "вы ты твой".split())
_READER_PREFIXES = ("dein", "ihr", "ваш")
MAX_QUESTION_WORDS = 8    # a short question to the reader about a kind: "Will you comment?"
MAX_PITCH_WORDS = 45      # a pitch: "Liked this? Join … members …", "… straight to your inbox"


def is_call_to_action(lower: str, words: list[str]) -> bool:
    """A line that speaks to the reader about furniture: a short question naming one kind
    ("Any thoughts? Leave your comment?"), or a pitch in the second person naming two kinds, or a word
    only furniture uses (inbox, paywall, …) and one more ("… delivered to your inbox").
    `words`: the line's \\w+ words (lower case)."""
    if len(words) > MAX_PITCH_WORDS or not _addresses_reader(lower, words):
        return False
    words = len(words)
    if not _any_in(lower, _KIND_WORDS):   # names no kind (the usual sentence with "you" in it)
        return False
    named = {kind: set(regex.findall(lower)) for kind, regex in _KIND_RE.items()}
    named = {kind: found for kind, found in named.items() if found}
    if lower.endswith("?") and words <= MAX_QUESTION_WORDS:
        return bool(named)
    matched = set().union(*named.values()) if named else set()
    return len(named) >= 2 or (bool(matched & _STRONG) and len(matched) >= 2)


def _addresses_reader(lower: str, words: list[str]) -> bool:
    """A word of _READER_WORDS (or starting with a _READER_PREFIXES) among the words, or a question
    mark at the end: one set look-up a word, where a regex of the same words tried them all at every
    position of the line."""
    return (lower.endswith(("?", "?\n")) or not _READER_WORDS.isdisjoint(words)
            or any(w.startswith(_READER_PREFIXES) for w in words))


# A cookie notice of any length up to MAX_NOTICE_WORDS: cookies and the site speaking of itself
# ("This website uses cookies …", "Ce site utilise des cookies"), or cookies named twice beside
# the website ("Necessary cookies are essential for the website … only includes cookies that …").
MAX_NOTICE_WORDS = 90
_COOKIE = re.compile(r"\bcookies?\b|\bкуки\b")
_SITE_ITSELF = re.compile(
    r"\b(this|our) (web ?)?site\b|\bwe use\b|\buses? cookies|\b(diese|unsere) (web)?seite\b|\bdiese website\b"
    r"|\b(ce|notre) site\b|\b(este|nuestro) sitio\b|\b(este|nosso) site\b|\b(questo|nostro) sito\b"
    r"|\b(deze|onze) (web)?site\b|\b(наш|этот) сайт")
_WEBSITE = re.compile(r"web ?site|webseite|\bsite\b|sitio|\bsito\b|сайт")


def is_cookie_notice(lower: str, words: int) -> bool:
    """A consent banner's text: cookies, and the site speaking of itself or named beside them twice."""
    if words > MAX_NOTICE_WORDS:
        return False
    mentions = len(_COOKIE.findall(lower))
    return mentions > 0 and (_SITE_ITSELF.search(lower) is not None or (mentions > 1 and _WEBSITE.search(lower) is not None))


# (trigger words, regex on the lower-cased line). The regex runs only if a trigger is a word of the line.
_RULES: list[tuple[str, str]] = [
    # sign-up, login, subscription
    ("newsletter newsletters alerts", r"(newsletter|alerts?)\b.*(sign ?up|subscribe|register)|(sign ?up|subscribe|register)\b.*newsletter"
                                      r"|^(\S+ ){0,4}newsletters?\W*$"),
    ("sign signup", r"^sign (up|in)\b|^sign ?up\b"),
    ("login log register password", r"^(log ?in|register|login to)\b|register\s*/\s*log ?in|forgot (your )?password|^log ?out$"),
    ("subscriber subscribers subscribe", r"^(already )?(a )?subscriber\??|^subscribe( now| today| here)?\b"),
    ("account registration", r"^create (an|your) account|^user registration$|^my account$"),
    ("privacy terms cookie cookies", r"privacy policy|terms (of (use|service)|and conditions)|cookie (policy|settings|preferences)|uses? cookies"),
    ("abonnieren anmelden abonnez inscrivez abonner suscríbete iscriviti assine cadastre abonneer подписаться подписывайтесь войти",
     r"newsletter abonnieren|jetzt abonnieren|^anmelden$|abonnez-vous|inscrivez-vous|s'abonner|suscr[ií]bete|iscriviti|^assine|cadastre-se|abonneer|подпис|^войти$"),
    # sharing and reactions
    ("share tweet pin email print whatsapp facebook twitter linkedin reddit telegram copy copied pinterest google "
     "flipboard messenger tumblr instagram youtube xing vk bluesky mastodon",
     r"^share\b|^(tweet|pin it|e-?mail|print|whatsapp|facebook|twitter|linkedin|reddit|telegram|copy link|copied!?"
     r"|pinterest|google\+|flipboard|messenger|tumblr|instagram|youtube|xing|vk|bluesky|mastodon)$"),
    ("follow like shares", r"^follow (us|\w+)( on\b|$)|^like this (story|article)|^\d*\s*shares?$"),
    ("emails alerts", r"news (e-?mails|alerts)"),
    ("captcha recaptcha hcaptcha", r"captcha"),   # a form's bot check: "protected by …captcha"
    ("author publish date", r"^(author|publish(ed)? date|date)\s*:$"),
    ("related more see also", r"^(related|more|see also|also on \S+)\s*:?$"),
    ("updated published posted", r"^(last )?(updated|published|posted)( at| on)?\s*:?\s*.{0,40}\d"),
    ("teilen partager compartir condividi compartilhe compartilhar delen поделиться",
     r"^(teilen|partager|compartir|condividi|compartilhe|compartilhar|delen|поделиться)\b"),
    # comments
    ("comment comments reply", r"^\d*\s*comments?$|^no comments?( yet)?$|(leave|post|add) a (comment|reply)|login to (comment|leave a comment)"),
    ("kommentar kommentare commentaire commentaires comentario comentarios commenti комментарии",
     r"^(\d+ )?(kommentare?|commentaires?|comentarios?|commenti|комментари\w*)$"),
    # ads, credits, copyright
    ("advertisement advertising sponsored ad ads story",
     r"^(advertisement|advertising|sponsored( content)?|ad|ads by \w+|story continues below( advertisement)?)$"),
    ("anzeige werbung publicité publicidad pubblicità publicidade advertentie реклама",
     r"^(anzeige|werbung|publicité|publicidad|pubblicità|publicidade|advertentie|реклама)$"),
    ("© copyright", r"^(©|\(c\)|copyright\b).{0,120}$|©\s*\d{4}"),
    ("rights", r"^.{0,60}\ball rights reserved\b.{0,40}$"),
    ("image images photo photos picture credit credits source illustration foto bild getty shutterstock",
     r"^(image|photo|picture|foto|bild|credit|source|illustration)s?( credit)?\s*:|\b(getty images|shutterstock)\s*$"),
    # navigation
    ("home menu search close skip top next previous more", r"^(home|menu|search|close|skip to (main )?content|back to top|next|previous|more|load more)$"),
    ("read see view continue learn click", r"^(read|see|view) (more|all|full)\b|^continue reading\b|^learn more$|^click here\b"),
    ("lesen mehr lire lee leer leggi leia lees читайте",
     r"^(lesen sie (auch|mehr)|mehr zum thema|lire (aussi|la suite)|lee (también|más)|leer más|leggi anche|leia (também|mais)|lees (ook|meer)|читайте (также|еще))\b"),
    ("à", r"^à lire aussi\b"),
    # a donation widget's buttons (its frequencies), and the buttons that dismiss a pop-up
    ("once monthly annual yearly continue donate", r"^(once|monthly|annual|yearly|one-time|continue|donate)$"),
    (_DISMISS_WORDS, r"^(\w+ ){0,2}(later|not now|no,? thanks|dismiss|close|später|jetzt nicht|plus tard|pas maintenant"
                     r"|más tarde|ahora no|più tardi|non ora|mais tarde|agora não|niet nu|позже|не сейчас)( \w+){0,2}[.!]?$"),
]

# Cues that mark a line of any length: a caption ending in its image credit.
_CAPTION_HINTS = ("image", "photo", "picture", "foto", "bild")   # one of these in the line, before the regex
_CAPTION_CREDIT = re.compile(r"\b(image|photo|photograph|picture|foto|bild)s?( credits?)?\s*(:|©)\s*\S.{0,80}$"
                             r"|\((\w+ )?(photo|foto)\s*/\s*[^()]{2,60}\)$", re.I)

# Promotions and credits that run longer than a cue line (up to MAX_PROMO_WORDS): a newsletter or
# subscription pitch, "Additional reporting by …", "Reach the reporter on Twitter at …".
MAX_PROMO_WORDS = 45
_PROMO_HINTS = ("newsletter", "subscri", "sign up", "click", "clique", "clic", "klicken", "report", "contribut", "follow",
                "reach", "email", "e-mail", "twitter", "browser", "javascript", "research", "http", "무단", "재배포", "版权",
                "著作権")   # one of these in the line, before _PROMO
_PROMO = re.compile(
    r"\b(sign up|subscribe|register)\b.{0,120}\bnewsletter|\bnewsletter\b.{0,120}\b(sign up|subscribe|inbox)"
    r"|\bsubscri(be|ption)\b.{0,80}\b(issues?|per month|a month|a year)\b|\bclick here (for|to) "
    # the credits and contacts that close a wire story
    r"|^(additional )?(reporting|writing|editing) by\b|contributed (to|reporting to) this (report|story)"
    r"|^(contributing|contributors?|additional reporting|research)\s*:"
    r"|^(reach|contact|e-?mail|follow|find) .{0,60}\b(on (twitter|x|facebook|instagram|bluesky|threads|mastodon)\b|at \S+@|@\w+)"
    # a call to action that ends in (or carries) a link: "Follow our coverage at https://…", "More X news: https://…"
    r"|^(follow|read|see|watch|listen|find|get|sign up|subscribe|download|visit|check out|more)\b.{0,200}https?://"
    # a notice about the reader's browser: "please update to a modern browser", "enable JavaScript"
    r"|\b(update|upgrade|switch)\b.{0,30}\bbrowser\b|\bbrowser (is )?(out of date|outdated|not supported|unsupported)"
    r"|\b(enable|activate|turn on) javascript|\bjavascript (is )?(disabled|required|turned off)"
    # an order to click: "Click the image above and see …", "Clique na foto …", "Cliquez ici"
    r"|^(click|clique|cliquez|clicca|klicken sie|haga clic|haz clic)\b"
    r"|^(?!pic\.)\S*twitter\.com/\S+$|무단 ?전재|재배포 ?금지|版权所有|著作権", re.I)

_END_MARKERS = [
    r"a message from\b", r"dear readers?,?", r"support (the|our|us)\b.*", r"(please )?(donate|make a donation)\b",
    r"(leave|post|add) a (comment|reply)|comments?( \(\d+\))?$|\d+ (comments?|responses?|replies)\b",
    r"(top rated|view all|show|load|read) comments|comments are closed|join the (discussion|conversation)",
    r"\d* ?responses? to\b|(\w+ ){1,3}comments?$",
    r"sign up for (our|the)\b.*newsletter", r"(©|\(c\)|copyright)\s*\d{4}\b",
]
# Headings of boxes of links to other stories: inside articles too, so an end only if little prose follows.
_LINK_BOX = re.compile(
    r"^(most (popular|read|viewed|shared)\b|(trending|popular) (now|stories|articles|news)"
    r"|related (articles?|stories|posts|news|coverage|content|tags?)\b|(you )?(may|might) also (like|be interested)"
    r"|recommended( for you| stories| articles)?|more (from|on|stories|news)\b|tags?:"
    r"|(ähnliche|weitere) (artikel|themen|beiträge)|articles similaires|noticias relacionadas|articoli correlati"
    r"|notícias relacionadas|gerelateerde artikelen|похожие (статьи|материалы)"
    r"|(você|voce) (também )?(pode|vai) gostar|(también )?te (puede|podría) interesar|vous aimerez aussi"
    r"|à voir aussi|das könnte sie auch interessieren|(ti )?potrebbe (interessarti|interessare))")
_END_RE = re.compile("|".join(f"(?:{p})" for p in _END_MARKERS))


def _index(rules: list[tuple[str, str]]) -> dict[str, list[re.Pattern]]:
    """Trigger word -> the compiled regexes it unlocks."""
    by_word: dict[str, list[re.Pattern]] = {}
    for triggers, pattern in rules:
        compiled = re.compile(pattern)
        for word in triggers.split():
            by_word.setdefault(word, []).append(compiled)
    return by_word


_BY_WORD = _index(_RULES)
_TRIGGERS = frozenset(_BY_WORD)


def cues(line: str) -> tuple[bool, bool, bool]:
    """(is_boilerplate, is_end_marker, is_link_box) of a stripped line, in one pass."""
    return _cached_cues(line) if len(line) <= 200 else _cues(line)


@lru_cache(maxsize=65536)
def _cached_cues(line: str) -> tuple[bool, bool, bool]:
    return _cues(line)


def _cues(line: str) -> tuple[bool, bool, bool]:
    lower = line.lower()
    return cues_of(line, lower, _TOKEN.findall(lower))


def cues_of(line: str, lower: str, words: list[str], *, boiler: bool | None = None) -> tuple[bool, bool, bool]:
    """cues() for a caller that already has the line lower-cased and split into \\w+ words, and
    maybe already knows whether it is boilerplate (`boiler`: then that, the costly cue, is not
    computed again)."""
    short = len(words) <= MAX_CUE_WORDS
    if boiler is None:
        boiler = _boiler(line, lower, [*words, "©"] if short and "©" in lower else words, short)
    return (boiler, short and _END_RE.match(lower) is not None, short and _LINK_BOX.match(lower) is not None)


# An author's bio line: "Jane Doe is a freelance writer based in …", "Max Muster ist Redakteur …".
MAX_BIO_WORDS = 80
_BIO = re.compile(
    r"^[A-Z\u00c0-\u00de\u0410-\u042f][\w'’.-]*(?: [A-Z\u00c0-\u00de\u0410-\u042f][\w'’.-]*){1,3},? (?:is|was|ist|war|est|es|è|é|is een) "
    r"(?i:(?:(?:an?|the|ein|eine|un|une|una|um|uma) )?(?:(?!former|ex-|ehemalig|ancien|antiguo|ex )[\w-]+ ){0,5}?"
    r"(?:(?:staff |freelance |senior |contributing )?(?:writer|reporter|journalist|editor|correspondent|contributor|columnist"
    r"|photographer|critic)s?|journalist(?:in)?|redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|journaliste|rédact(?:eur|rice)"
    r"|correspondant|periodista|redactor|corresponsal|giornalista|redattore|redattrice|corrispondente|jornalista|repórter"
    r"|verslaggever|redacteur)\b)")


def is_bio(line: str, words: int) -> bool:
    """An author's short biography, the line that closes (or opens) an article in many templates."""
    return words <= MAX_BIO_WORDS and _BIO.match(line) is not None


def _boiler(line: str, lower: str, words: list[str], short: bool) -> bool:
    if is_bio(line, len(words)):
        return True
    if short:
        for word in _TRIGGERS.intersection(words):
            for regex in _BY_WORD[word]:
                if regex.search(lower):
                    return True
    if is_call_to_action(lower, words):
        return True
    if ("cookie" in lower or "куки" in lower) and is_cookie_notice(lower, len(words)):
        return True
    if len(words) <= MAX_PROMO_WORDS and _any_in(lower, _PROMO_HINTS) and _PROMO.search(line):
        return True
    return _any_in(lower, _CAPTION_HINTS) and _CAPTION_CREDIT.search(line) is not None


def _any_in(text: str, parts: tuple[str, ...]) -> bool:
    """True if one of the parts occurs in the text (plain substring tests: on a long line several
    times faster than a regex of the same alternatives)."""
    for part in parts:
        if part in text:
            return True
    return False


_COMMENT_META = re.compile(
    r"^(says|said|wrote|writes|reply|replies|report|rating|\d+ (votes?|likes?|replies|points?))\s*:?$"
    r"|^\d+ (seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?) ago\b"
    r"|\bat \d{1,2}:\d{2}\s*([ap]\.?m\.?)?$", re.I)


def is_comment_meta(line: str) -> bool:
    """True for the small lines around each comment of a thread: 'says:', '2 days ago', '… at 6:34 am', 'Rating:'."""
    return len(line) < 60 and _COMMENT_META.search(line) is not None


def is_boilerplate(line: str) -> bool:
    """True if the (stripped) line is page furniture by the lexicon."""
    return cues(line)[0]


def is_link_box(line: str) -> bool:
    """True if the (stripped) line heads a box of links to other stories ("Related articles")."""
    return cues(line)[2]


def is_end_marker(line: str) -> bool:
    """True if the (stripped) line opens the after-article furniture."""
    return cues(line)[1]
