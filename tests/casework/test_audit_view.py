"""The auditor's page: the chain and whether it verifies, never content."""

from __future__ import annotations

from audit.models import Event
from tests.audit.support import make_chain, plain_sha256, rehash_from


def test_it_says_the_chain_verifies(staff, logged_in):
    client = logged_in("auditor")
    html = client.get("/staff/audit/").content.decode()
    assert "The chain verifies" in html
    assert "written before the chain was keyed" not in html


def test_it_says_which_events_were_written_before_the_key(staff, logged_in):
    make_chain(3)
    rehash_from(1, plain_sha256)  # the chain as Harbor wrote it before 2026-12
    unkeyed = Event.objects.count()
    client = logged_in("auditor")  # logging in appends keyed events after the old ones
    html = client.get("/staff/audit/").content.decode()
    assert "The chain verifies" in html
    assert f"Events 1 to {unkeyed} were written before the chain was keyed" in html


def test_it_names_the_broken_event(staff, logged_in):
    client = logged_in("auditor")
    Event.objects.filter(seq=2).update(action="report.noted")
    html = client.get("/staff/audit/").content.decode()
    assert "The chain does NOT verify: event 2 was altered" in html
