"""Review flags: phrases an advocate should read twice before free text leaves.

The redactor removes what it is sure of. What it is not sure of it leaves in place and *flags*:
a sum of money, a payment app, a word for a date or a client, a venue, drug slang, a visa word,
a euphemism. A person then decides. Flags never leave in a referral; the advocate sees them
highlighted beside the text, each with its reason.

Offsets are into the text the flags were found in (the reporter's original); ``freetext`` maps
them onto the redacted text. Nothing here imports Django.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["REASONS", "Flag", "find_flags"]

#: Reason codes, with what each means to a reviewer. The dashboard shows its own translated
#: words for each code; a code not listed here is a bug (tests check the two lists match).
REASONS: Final[dict[str, str]] = {
    "money": "A sum of money, a price or a rate: could be earnings or payment for sex.",
    "payment": "A payment app, a cash tag or a transfer: could show payment.",
    "date": "A word for a date, an appointment or a meeting: could mean a booking.",
    "client": "A word that can mean a client or a regular.",
    "booking": "A booking, a session, an hour, an outcall or an incall.",
    "venue": "A place that can be a place of work: a hotel, a club, a parlour, 'the spot'.",
    "work": "Can mean sex work: working, the job, the street, the hustle.",
    "drugs": "Drug slang, or the reporter's own use.",
    "immigration": "Immigration status: visa, papers, a work permit, asylum.",
    "legal": "The reporter's own legal trouble: a warrant, probation, a record.",
    "euphemism": "A euphemism for an arrangement: gifts, help with the rent, a sugar daddy.",
    "identity": "May identify someone: a name, a handle, an online profile.",
    "weapon": "A weapon the reporter may have carried.",
}


@dataclass(frozen=True, slots=True)
class Flag:
    """``text[start:end]`` may incriminate the reporter; ``reason`` is a code from REASONS."""

    start: int
    end: int
    reason: str


_MONEY: Final = re.compile(r"[$€£]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:dollars?|d[oó]lares|bucks|pesos)\b", re.IGNORECASE)


def find_flags(text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]:
    """Return flags on ``text``, sorted, outside the ``removed`` runs (which are going anyway).

    Flags of one reason never overlap; flags of different reasons may.
    """
    flags = [Flag(m.start(), m.end(), "money") for m in _MONEY.finditer(text)]
    return [f for f in flags if not any(s < f.end and f.start < e for s, e in removed)]
