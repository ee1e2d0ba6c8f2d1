"""Which sentences of the retrieved passages make the answer.

An answer is the smallest set of passage sentences that together answer the question:

1. the *answer-bearing* sentence (the best scored candidate) fixes the answer passage (for
   a motion: the whole motion, whose considerations and dictum may lie in two passages);
2. it brings the neighbours it needs: a sentence that opens with a connective or a pronoun
   ("Voorts heb ik toegezegd ...", "Dit centrum ...", "De discussie ...") or points back
   anywhere ("... dragen hiertoe bij.") continues the sentence before it, so each brings the
   other (a sentence announcing a topic, "X kwamen kort bijeen.", is
   answered by the next, "Hierbij kwamen ... aan de orde."), and a sentence that ends in ":"
   needs the one after it;
3. further sentences join only when they score near the best one and either come from the
   answer passage or cover question terms that the chosen sentences do not cover yet (a
   composite question, "X en Y"): sentences of other passages that merely share words with
   the question stay out, and so does another document's sentence whose new terms a
   sentence of the answer passage near the best holds too (that one joins instead: a
   motion's own dictum, not another motion of the same MP, gives the "verzoekt" asked for);

4. a "why" question answered from a motion also gets the motion's best scored consideration
   ("constaterende dat ...", "overwegende dat ..."): its dictum says what, they say why
   (:func:`with_reason`; one that weighs, "overwegende dat", when only one that notes a
   fact was chosen); a question asking what a motion or its indiener wants, asks or
   calls for gets its dictum ("verzoekt de regering ...") when a consideration that shares
   the question's words was chosen instead (:func:`with_dictum`; the dictum of a quoted
   motion is among the candidates though it was not retrieved: see
   :meth:`~qa_service.answer.evidence.DocumentEvidence.missing_dictums`);
5. a question asking which motions (plural) gets each other motion whose best sentence
   scores near the best chosen one, up to five (:func:`with_others`);
6. the kind of answer asked (a number, a time, who holds a role, a figure of what is
   counted) that the chosen sentences do not give is added from their document, or taken
   from a nearly tied one (:mod:`qa_service.answer.answer_kind`).

The chosen sentences are returned in reading order: the answer passage first, then the
others in rank order, each passage's sentences in their order in the passage.

Also here: the question's terms, looked up with a small, general glossary of parliamentary
vocabulary (:mod:`qa_service.answer.glossary`), so that an English question's "pledge"
finds a Dutch "toegezegd" in the lexical part of the score (a word's Dutch terms are
alternatives: either one counts), and a nudge of the score: a
question about what *the minister* did or said favours the sentences in which the letter's
writer speaks ("Voorts heb ik toegezegd ...", :func:`asks_writer`), so that "What did the
minister promise?" is not answered with what the NATO ministers discussed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from qa_service.answer.glossary import EN_NL_TERMS, NL_NL_TERMS, looked_up
from qa_service.answer.metadata import is_dictum
from qa_service.documents import DocumentMeta, Passage
from qa_service.text.lexical import INTERROGATIVES, analyze, fold
from qa_service.text.names import EN_NL_NAMES
from qa_service.text.overlap import Term, alternatives

_WORD = re.compile(r"\w+")

#: First words that make a sentence continue the one before it.
CONNECTIVES = frozenset(
    """
    voorts daarnaast ook tevens dit deze hierbij hiermee hierin hierover daarbij daarmee
    daarin daarover daardoor bovendien verder eveneens echter wel zij ze hij zo aldus
    also furthermore moreover additionally this these it they he she
    """.split()
)

#: English answers: weight of the sentence vector stored in context at index time, against
#: the sentence embedded alone at query time.
LATE_WEIGHT_EN = 0.5
#: Weight of the share of the question's terms that a sentence's whole passage holds.
PASSAGE_WEIGHT = 0.2

#: Question words that carry no content (beyond the stop words of the BM25 analysis): the
#: interrogatives and the verbs that frame a question.
QUESTION_WORDS = INTERROGATIVES | frozenset(
    """
    did does do many much was were is are has have had would should could will can about
    regarding say said tell told give given zei zegt mention mentions mentioned example
    examples noemt noemen noemde noemden genoemd vermeldt vermelden vermeld voorbeeld
    voorbeelden hoort horen hoorde behoort behoren volgens according
    """.split()
)


#: Nouns of a meeting report that, opening a sentence with "De"/"Het", refer back to the
#: talk the sentence before announced ("... spraken over RSM. De discussie ging vooral over"),
#: or to the article it named ("... een artikel in «Der Spiegel» ... Het artikel gaat in op").
DISCOURSE_NOUNS = frozenset("discussie gesprek gesprekken bespreking debat overleg artikel".split())

#: Dutch pronominal adverbs (``hiertoe``, ``daaraan``): wherever they stand, they point back to
#: what the sentence before said ("... de Taliban verder in het defensief te dringen. De
#: Amerikaanse strategie ... dragen hiertoe bij.").
_BACK_REFERENCE = re.compile(
    r"\b(?:hier|daar)(?:toe|aan|over|mee|in|voor|door|bij|op|uit|van|naast|tegen|na|om)\b"
)


def needs_previous(sentence: str) -> bool:
    """Whether ``sentence`` continues the one before it: it opens with a connective or a
    pronoun, with "De discussie"/"Het gesprek", or points back with ``hiertoe``/``daaraan``."""
    folded = fold(sentence)
    words = _WORD.findall(folded[:40])
    if not words:
        return False
    if words[0] in CONNECTIVES:
        return True
    if words[0] in ("de", "het") and len(words) > 1 and words[1] in DISCOURSE_NOUNS:
        return True
    return bool(_BACK_REFERENCE.search(folded))


def needs_next(sentence: str) -> bool:
    """Whether ``sentence`` announces the one after it (ends in a colon)."""
    return sentence.rstrip().endswith(":")


#: A question asking for a reason.
_WHY = re.compile(
    r"^\s*(?:why|waarom)\b|\b(?:for what reason|om welke reden|what reason|welke reden)"
)
#: A motion's considerations: why it asks what it asks.
_CONSIDERATION = re.compile(r"^\s*(?:constaterende|overwegende|van mening|gehoord)", re.I)
#: ... of which these weigh reasons, where "constaterende dat" notes a fact.
_REASONING = re.compile(r"^\s*(?:overwegende|van mening)", re.I)


def asks_reason(question: str) -> bool:
    """Whether ``question`` asks why (``Why did ...``, ``Waarom ...``, ``om welke reden``)."""
    return bool(_WHY.search(fold(question)))


def with_reason(chosen: list[Candidate], pool: Sequence[Candidate]) -> list[Candidate]:
    """A "why" question answered from a motion: its dictum says what, its considerations
    ("constaterende dat ...", "overwegende dat ...") say why. When no consideration is
    chosen, the best scored one of the answer's motion joins (in reading order); when none
    of the chosen is a reasoning one ("overwegende dat", "van mening dat": what the Kamer
    weighs, where "constaterende dat" notes a fact), the best of those joins too."""
    chosen = _with_part(chosen, pool, lambda text: bool(_CONSIDERATION.match(text)), lead=True)
    return _with_part(chosen, pool, lambda text: bool(_REASONING.match(text)), lead=True)


def _with_part(
    chosen: list[Candidate], pool: Sequence[Candidate], part: Callable[[str], bool], lead: bool
) -> list[Candidate]:
    """``chosen``, answered from a motion (a unit) none of whose chosen sentences is ``part``
    of it (a consideration, the dictum), with the best scored such sentence of that motion;
    its passage first when ``lead`` (the considerations precede the dictum)."""
    if not chosen or not chosen[0].unit or any(part(c.text) for c in chosen):
        return chosen
    unit = chosen[0].unit
    found = [c for c in pool if c.unit == unit and part(c.text)]
    if not found:
        return chosen
    return joined(chosen, max(found, key=lambda c: c.score), lead=lead)


def joined(chosen: list[Candidate], extra: Candidate, lead: bool = False) -> list[Candidate]:
    """``chosen`` and ``extra`` in reading order: passages in the order they were chosen
    (``extra``'s first when ``lead``), each passage's sentences in their order."""
    chosen_passages = [c.passage for c in chosen]
    order = [extra.passage, *chosen_passages] if lead else [*chosen_passages, extra.passage]
    passages = list(dict.fromkeys(order))
    return sorted([*chosen, extra], key=lambda c: (passages.index(c.passage), c.order))


#: A question asking which motions (more than one) do something: "Welke moties gaan over
#: stikstof?", "Which motions ask for ...", "Zijn er moties over ..."
_LIST = re.compile(
    r"\b(?:welke|which|what|zijn er|are there|any)\s+(?:\w+\s+)?(?:moties|motions|amendementen|"
    r"amendments)\b"
)
#: How many motions a list answers with at most.
LIST_MAX = 5


def asks_list(question: str) -> bool:
    """Whether ``question`` asks which motions (plural) do something."""
    return bool(_LIST.search(fold(question)))


#: A question asking which motion (or motions) does something: "Welke motie vraagt om ...",
#: "Which motion asked ...", "What motions ..."
_MOTION_ASKED = re.compile(r"\b(?:welke|which|what)\s+(?:\w+\s+)?(?:moties?|motions?)\b")


def only_motions(
    question: str, chosen: list[Candidate], is_motion: Callable[[int], bool]
) -> list[Candidate]:
    """``chosen`` without the sentences of other documents than motions (``is_motion``: by
    passage rank) when ``question`` asks which motion and a motion is among them: "Welke
    motie vraagt om betere beveiliging van overheidswebsites?" is answered by the motion,
    not also by a letter's sentence on the website's security."""
    if not _MOTION_ASKED.search(fold(question)):
        return chosen
    motions = [c for c in chosen if is_motion(c.passage)]
    return motions or chosen


def with_others(
    chosen: list[Candidate], pool: Sequence[Candidate], margin: float
) -> list[Candidate]:
    """``chosen``, answering "which motions ...", with the best scored sentence of each other
    motion (a unit) that scores within ``margin`` of the best chosen one, the best first, up
    to :data:`LIST_MAX` motions in all: a list question is not answered by one motion."""
    if not chosen or not chosen[0].unit:
        return chosen
    floor = max(c.score for c in chosen) - margin
    units = {c.unit for c in chosen}
    out = list(chosen)
    for c in sorted(pool, key=lambda c: -c.score):
        if len(units) >= LIST_MAX or c.score < floor:
            break
        if c.unit and c.unit not in units:
            units.add(c.unit)
            out = joined(out, c)
    return out


#: A question about what the minister (one writer of a letter) or the government and country
#: the letter speaks for did or said: "What did the minister pledge", "Wat heeft de
#: staatssecretaris toegezegd", "Hoeveel militairen levert Nederland"; not "the ministers"
#: (of NATO), nor "Nederlandse" things.
_WRITER_ASKED = re.compile(
    r"\b(?:the|de|het|minister|deze)\s+(?:minister|staatssecretaris|state secretary|"
    r"secretary of state|minister-president|prime minister|bewindspersoon)\b(?![s'’-])|"
    r"\bnederland\b(?![-\w])|\bthe netherlands\b|\b(?:het|the) (?:kabinet|cabinet)\b|"
    r"\bthe (?:dutch )?government\b|\bde (?:nederlandse )?regering\b",
    re.IGNORECASE,
)
#: A sentence in the first person: the letter's writer speaking, for the minister or the
#: government ("Ik heb toegelicht dat we ...", "Voorts heb ik toegezegd ...", "mijn brief").
_FIRST_PERSON = re.compile(r"\b(?:ik|mij|mijn|me|we|wij|ons|onze)\b", re.IGNORECASE)
#: Bonus of such a sentence for such a question.
WRITER_WEIGHT = 0.1


def asks_writer(question: str) -> bool:
    """Whether ``question`` asks what the minister (the writer of a letter), the government
    or the Netherlands did or said."""
    return bool(_WRITER_ASKED.search(question))


def writer_speaks(sentence: str, document: DocumentMeta | None = None) -> bool:
    """Whether ``sentence`` (of ``document``) is in the first person: a letter's writer
    speaking. A motion's "we" ("onze luchtmacht") is the Kamer's, not the writer's."""
    if document is not None and document.doc_type == "motie":
        return False
    return bool(_FIRST_PERSON.search(sentence))


#: A question asking what someone thinks of something ("Wat vindt de minister van ...",
#: "Does the minister think ...", "What is the cabinet's view ...").
_OPINION_ASKED = re.compile(
    r"\b(?:wat vindt|vindt (?:de|het)|hoe (?:beoordeelt|kijkt|staat)|what does .{0,40}\bthink|"
    r"does .{0,40}\b(?:think|believe)|what is .{0,40}\b(?:view|opinion|position|assessment)|"
    r"deelt .{0,40}\b(?:mening|opvatting|conclusie)|van mening)\b",
    re.IGNORECASE,
)
#: A sentence that asks, or reports the question asked ("... een artikel waarin de vraag
#: wordt gesteld of de Navo ...", a written question's "Deelt u de mening ...?").
_ASKS_BACK = re.compile(
    r"\?\s*(?:\[\d+\])?\s*$|\bde vraag (?:wordt |werd )?(?:gesteld )?of\b", re.I
)
#: Penalty of such a sentence for such a question: it restates what is asked (so it embeds
#: near it) and leaves the answer to the sentences after it.
QUESTION_PENALTY = 0.3


def asks_opinion(question: str) -> bool:
    """Whether ``question`` asks what someone thinks of something."""
    return bool(_OPINION_ASKED.search(question))


def asks_back(sentence: str) -> bool:
    """Whether ``sentence`` is a question or reports one (:data:`_ASKS_BACK`)."""
    return bool(_ASKS_BACK.search(sentence))


#: The Dutch verbs of "Wat vroeg/wilde/verzocht X ...?": the frame of a question about what
#: someone asked for. The documents write "verzoekt"; "vroeg" is a rare word in them
#: ("early"), so as a term it would make "Wat vroeg Van Haga over de salderingsregeling?"
#: look unanswered by the motion that asks exactly that.
REQUEST_VERBS = frozenset(
    "wil wilde willen wilden vraagt vroeg vroegen verzoekt verzocht verzochten eist eiste "
    "eisten".split()
)

#: The adjectives of "hoe hoog/groot/lang/vaak ...": with "hoe", the frame of a question
#: asking for a figure, a time or a size.
HOW_WORDS = frozenset("hoog hoge groot lang vaak laat ver oud duur zwaar snel veel".split())

#: A question asking what a motion (or its indiener) asks for: "Wat wil Tielen bereiken",
#: "Wat vroegen Kat en Paulusma", "What did Eppink call on the cabinet to do".
_REQUEST = re.compile(
    r"\bwat (?:wil|wilde|willen|wilden|vraagt|vroeg|vragen|vroegen|verzoekt|verzocht|eist|"
    r"eiste|eisen)\b|\bwaartoe (?:roept|riep|verzoekt|verzocht)\b|"
    r"\b(?:moet|moest|moeten|zou|zouden) (?:de regering|het kabinet)\b|"
    r"\bwhat (?:does|did|do)\b.{0,80}?\b(?:want|ask|call|request|urge|demand)|"
    r"\b(?:should|must) the (?:government|cabinet)\b"
)


def asks_request(question: str) -> bool:
    """Whether ``question`` asks what a motion or its indiener wants done."""
    return bool(_REQUEST.search(fold(question)))


#: the documents' words for a pledge, as analysed ("Voorts heb ik toegezegd ...")
PLEDGE_TERMS = frozenset(analyze("toegezegd toezegging beloofd belofte"))


def only_pledges(chosen: list[Candidate], pool: Sequence[Candidate]) -> list[Candidate]:
    """A question asking what was pledged ("What did the minister pledge ...", "Wat heeft de
    minister toegezegd ..."): of ``chosen``, the sentences that hold the pledge, with the
    neighbours they need, when some do; a sentence of the same passage that pledges
    nothing ("Ik heb steun uitgesproken voor ... president Ghani") is not what was
    pledged. Unchanged when none or all of them hold it."""
    holding = [c for c in chosen if c.terms & PLEDGE_TERMS]
    if not holding or len(holding) == len(chosen):
        return chosen
    by_position = {(c.passage, c.order): c for c in pool}
    needed = {(n.passage, n.order) for c in holding for n in _neighbours(c, by_position)}
    return [c for c in chosen if (c.passage, c.order) in needed]


def asks_pledge(terms: Sequence[Term]) -> bool:
    """Whether a question's terms (:func:`question_terms`) ask for a pledge."""
    return any(a in PLEDGE_TERMS for t in terms for a in alternatives(t))


def with_dictum(chosen: list[Candidate], pool: Sequence[Candidate]) -> list[Candidate]:
    """A question asking what a motion wants answered by its considerations alone (they
    share the question's words: "jongeren ... genderidentiteit"): the best scored sentence
    of its dictum ("Verzoekt de regering ...") joins, in reading order."""
    return _with_part(chosen, pool, is_dictum, lead=False)


def question_terms(
    question: str, language: str, glossary: bool = True, frame: bool = True
) -> list[Term]:
    """The question's analysed terms; in an English question the words of
    :data:`~qa_service.answer.glossary.EN_NL_TERMS` are replaced by their Dutch terms (left
    out without ``glossary``: only the words it writes as the documents do), in a
    Dutch one those of :data:`~qa_service.answer.glossary.NL_NL_TERMS` come with the
    documents' words for them ("beloofd": "toegezegd"). A word's terms are alternatives (a
    tuple): "promise" is held by a text saying "toegezegd" or "beloofd", not only by one
    saying both. Without ``frame``, the verbs that ask what someone asked for
    (:data:`REQUEST_VERBS`) and the adjective of "hoe hoog/groot ..." (:data:`HOW_WORDS`)
    are left out too: what the question is about, not how it asks."""
    terms: list[Term] = []
    previous = ""
    for word in _WORD.findall(question):
        folded, after = fold(word), previous
        previous = folded
        if folded in QUESTION_WORDS or (not frame and folded in REQUEST_VERBS):
            continue
        if not frame and after == "hoe" and folded in HOW_WORDS:
            continue  # "Hoe hoog kan ... oplopen?": asks for a figure, not about height
        if language == "en":
            dutch = looked_up(EN_NL_TERMS, folded)
            named = EN_NL_NAMES.get(folded) if glossary and word[:1].isupper() else None
            if named is not None:  # "Russia": "Rusland" too
                terms.append(_alternatives(analyze(word) + analyze(named)))
            elif dutch is None:
                terms.extend(analyze(word))
            elif glossary:
                terms.append(_alternatives(analyze(dutch)))
            continue
        also = looked_up(NL_NL_TERMS, folded)
        if also is None:
            terms.extend(analyze(word))
        else:
            terms.append(_alternatives(analyze(word) + analyze(also)))
    return list(dict.fromkeys(terms))


def _alternatives(terms: list[str]) -> Term:
    """Terms that stand for one word: one term alone, or a tuple of alternatives."""
    unique = tuple(dict.fromkeys(terms))
    return unique[0] if len(unique) == 1 else unique


def flat_terms(terms: Sequence[Term]) -> list[str]:
    """Every analysed term of ``terms``, alternatives included."""
    return list(dict.fromkeys(a for t in terms for a in alternatives(t)))


@dataclass
class Candidate:
    """What the chooser needs to know of a sentence."""

    passage: int  # rank of its passage among the hits
    order: int  # position within its passage
    text: str
    score: float
    terms: set[str]  # the question terms it holds
    unit: str = ""  # what counts as one answer unit: the passage, or a whole (short) motion
    document: str = ""  # the document it is of ("": unknown)


def _neighbours(c: Candidate, by_position: dict[tuple[int, int], Candidate]) -> list[Candidate]:
    """``c`` with the sentences it needs around it, in reading order."""
    out = [c]
    cur = c
    while needs_previous(cur.text) and (cur.passage, cur.order - 1) in by_position:
        cur = by_position[(cur.passage, cur.order - 1)]
        out.insert(0, cur)
    cur = c
    while needs_next(cur.text) and (cur.passage, cur.order + 1) in by_position:
        cur = by_position[(cur.passage, cur.order + 1)]
        out.append(cur)
    after = by_position.get((cur.passage, cur.order + 1))
    if after is not None and needs_previous(after.text):
        out.append(after)  # "... kwamen kort bijeen. Hierbij kwamen X en Y aan de orde."
    return out


def _home_says(
    terms: set[str],
    home: object,
    ranked: Sequence[Candidate],
    chosen: list[Candidate],
    floor: float,
) -> bool:
    """Whether a sentence of the answer passage (``home``) not chosen yet, scoring at least
    ``floor``, holds all of ``terms``."""
    return any(
        (h.unit or h.passage) == home and h not in chosen and h.score >= floor and terms <= h.terms
        for h in ranked
    )


def follows(passages: Mapping[int, tuple[Passage, DocumentMeta]]) -> dict[int, int]:
    """Each key of ``passages`` (a hit rank -> its passage and document) whose passage is a
    consideration that directly follows another of them in the same motion -> that one's
    key (a motion's considerations are passages of their own; see :func:`choose`). Not a
    dictum: its "de Kamer hierover te informeren" points back to what it asks itself."""
    at = {(p.doc_id, p.position): rank for rank, (p, _) in passages.items()}
    return {
        rank: at[(p.doc_id, p.position - 1)]
        for rank, (p, meta) in passages.items()
        if meta.doc_type == "motie" and (p.doc_id, p.position - 1) in at and not is_dictum(p.text)
    }


def choose(
    candidates: Sequence[Candidate],
    *,
    margin: float,
    max_sentences: int,
    other_margin: float = 0.0,
    home_margin: float | None = None,
    follows: Mapping[int, int] | None = None,
) -> list[Candidate]:
    """The answer's sentences (see the module docstring), in reading order.

    ``margin``: how far under
    the best score a sentence of the answer passage, or of another passage that adds
    question terms not covered yet, may score (twice as far for a sentence of the answer
    passage or motion adding two or more: "van mening dat bestaande knelpunten eerst moeten
    worden opgelost, voordat ..." answers what must happen first, beside the dictum that
    the motion's title makes the best); ``home_margin`` (default ``margin``) and
    ``other_margin`` (default 0: none): how close to the best a sentence of the answer
    passage, or of another passage, must score to join without adding a missing term.
    Neighbours needed for context come on top of ``max_sentences``, up to twice it.
    ``follows`` (passage -> the passage it directly follows in its motion) makes the first
    sentence of a passage the next one of the passage before it: a motion's consideration
    "overwegende dat deze sociale huurders daarmee ... kunnen verliezen" continues the one
    before it, in a passage of its own.
    """
    if not candidates:
        return []
    if home_margin is None:
        home_margin = margin
    by_position = {(c.passage, c.order): c for c in candidates}
    for later, earlier in (follows or {}).items():
        last = max((c.order for c in candidates if c.passage == earlier), default=None)
        first = min((c.order for c in candidates if c.passage == later), default=None)
        if last is not None and first is not None:
            by_position.setdefault((earlier, last + 1), by_position[(later, first)])
            by_position.setdefault((later, first - 1), by_position[(earlier, last)])
    ranked = sorted(candidates, key=lambda c: (-c.score, c.passage, c.order))
    best = ranked[0]
    home = best.unit or best.passage
    chosen: list[Candidate] = list(_neighbours(best, by_position))
    covered = set().union(*(c.terms for c in chosen))
    primary = 1  # sentences chosen for their own score (not as neighbours)
    for c in ranked[1:]:
        if primary >= max_sentences or len(chosen) >= 2 * max_sentences:
            break
        if c in chosen:
            continue
        close = home_margin if (c.unit or c.passage) == home else other_margin
        adds = c.terms - covered
        reach = 2 * margin if (c.unit or c.passage) == home and len(adds) >= 2 else margin
        if c.score < best.score - close and not (c.score >= best.score - reach and adds):
            continue  # only close to the best, or adding what is still missing
        if (
            c.score < best.score - close
            and c.document != best.document
            and _home_says(adds, home, ranked, chosen, best.score - margin)
        ):
            continue  # another document's, adding what a sentence of the answer passage says
        group = [n for n in _neighbours(c, by_position) if n not in chosen]
        if len(chosen) + len(group) > 2 * max_sentences:
            continue
        chosen.extend(group)
        covered |= set().union(*(n.terms for n in group))
        primary += 1
    passages = list(dict.fromkeys(c.passage for c in chosen))
    return sorted(chosen, key=lambda c: (passages.index(c.passage), c.order))
