"""Review flags: phrases an advocate should read twice before free text leaves.

The redactor removes what it is sure of. What it is not sure of it leaves in place and *flags*:
a sum of money, a payment app, a word for a date or a client, a venue, drug slang, a visa word,
a euphemism, a name. A person then decides. Flags never leave in a referral; the advocate sees
them highlighted beside the text, each with its reason.

How they are found (docs/redaction.md, "Review flags"): word families in both languages
(``policy/review/*.toml``, run on every text whatever its language) and shapes (names, numbers)
mark a hit; a hit of a "clause" family flags the clause around it, because a reviewer judges
words in their clause, and a minimal incriminating phrase ("my last date of the night") is
longer than its trigger. Flags are then cut around the removed runs, and a flag that a comma
or a conjunction separates from the next flag or run is carried up to it.

Offsets are into the text the flags were found in (the reporter's original); ``freetext`` maps
them onto the redacted text. Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Sequence

from .flagger import Flagger, default_flagger
from .reasons import REASONS, Flag

__all__ = ["REASONS", "Flag", "Flagger", "default_flagger", "find_flags"]


def find_flags(text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]:
    """Return flags on ``text``, sorted and disjoint, outside the ``removed`` runs (going anyway)."""
    return default_flagger().find(text, removed)
