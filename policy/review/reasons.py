"""Reason codes for review flags, and the flag itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Reason codes, with what each means to a reviewer. The dashboard shows its own translated
#: words for each code (referrals/presenters.py; tests check the two lists match).
REASONS: Final[dict[str, str]] = {
    "money": "A sum of money, a price or a rate: could be earnings or payment for sex.",
    "payment": "Paying, charging, a payment app, a cash tag or a transfer: could show payment.",
    "date": "A word for a date, an appointment or a meeting: could mean a booking.",
    "client": "A word that can mean a client or a regular.",
    "booking": "A booking, a session, an hour, a service, a private dance, a show.",
    "venue": "A place that can be a place of work: a hotel, a club, a parlour, a site, 'the spot'.",
    "work": "Can mean sex work: working, the job, the street, the hustle.",
    "associate": "A manager, a co-worker or a friend who may be in the trade.",
    "drugs": "Drug slang, drinking, or the reporter's own use or recovery.",
    "immigration": "Immigration status: visa, papers, a work permit, asylum, a border crossing.",
    "legal": "The reporter's own legal trouble: a warrant, probation, a record, a court date.",
    "euphemism": "A euphemism for an arrangement: gifts, help with the rent, a sugar daddy.",
    "denial": "A denial that still says what the context was: 'not a client or anything'.",
    "identity": "May identify someone or somewhere: a name, a handle, a business name.",
    "weapon": "A weapon the reporter may have carried.",
}


@dataclass(frozen=True, slots=True)
class Flag:
    """``text[start:end]`` may incriminate the reporter; ``reason`` is a code from REASONS."""

    start: int
    end: int
    reason: str
