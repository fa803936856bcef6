"""Which words are verbs in the imperative, and their third person.

A summary line ("Search `string` for ...") and a comment over a block of code
("Find a suitable minimum unit") are in the imperative when they name an
action; only then does the Description say "It searches ..." and a step take
the comment's words for its label. Read from a short list and one rule, not a
dictionary: a wrong "yes" writes nonsense ("It helpers for ..."), a wrong "no"
only falls back to plainer words.
"""
from __future__ import annotations

import re

# Verbs a summary in the imperative starts with ("Search the string for ...");
# only these are turned into a sentence, so that "Helper for ..." never becomes
# "It helpers for ...".
IMPERATIVES = frozenset("""
    acquire activate add align apply attach build calculate cancel check chunk clear close collect
    combine compare compile compute configure connect convert copy count create deactivate
    decode decrypt delete deserialize disable disconnect draw dump emit enable encode encrypt
    escape evaluate extract fetch filter find flatten format generate group hide initialise
    initialize insert install iterate join load lock log look make map mark match merge move
    normalize notify open pad parse partition print quote read register release remove
    render repeat replace reset resolve retry round save scan schedule search select send
    serialize set show sort split start stop store strip sum tag transform translate trim
    truncate unlock unwrap update validate verify wait wrap write yield""".split())


# Words that open an object ("Pipe a value", "Concatenate zero or more iterables"):
# a word of no list above, followed by one of these, is taken for a verb ...
_OBJECT_OPENERS = frozenset("""
    a an the zero one two all each every any some this that these those its their it
    them given""".split())
# ... unless it is one of the words summaries and comments open with that are not
# verbs: adjectives and nouns ("Equivalent to ...", "Helper for ...") and the words
# a clause or a remark opens with ("When the queue is full ...", "If _unused != 0
# ...", "Note the order", "TODO: ...").
_NOT_VERBS = frozenset("""
    equivalent helper simple default base wrapper utility convenience shortcut alias same
    similar new main internal private public generic abstract custom common basic special
    like used useful only just also another other more most
    a an the if when while unless since because as so but and or then else otherwise
    we i you it this that these those there here now note see still again is are was were
    be been has have had do does did can could should would will may might must xxx todo
    fixme hack""".split())


def imperative(first: str, rest: str) -> bool:
    """Whether a summary's first word is a verb in the imperative: one of the list,
    or a plain word (no -s, -ed, -ing, -ly ending) before an object's opening word."""
    word = first.lower()
    if word in IMPERATIVES:
        return True
    if word in ("return", "get"):
        return False  # `_from_summary` says those, when they say enough ("Return a." does not)
    opener = (rest.split(None, 1) or [""])[0].lower()
    return (word.isalpha() and word not in _NOT_VERBS and opener in _OBJECT_OPENERS
            and not re.search(r"(?:[^s]s|ed|ing|ly)$", word))


def third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"
