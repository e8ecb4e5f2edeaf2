"""Alerts published before two-person review (before 2026-12) go back to waiting for a second advocate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("referrals", "0002_status_changed_to_the_hour")]
AFTER = [("referrals", "0003_alert_review_publication_and_subscribers")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _statuses(apps) -> dict[str, str]:
    return dict(apps.get_model("referrals", "Referral").objects.values_list("id", "status"))


@pytest.mark.django_db(transaction=True)
def test_an_alert_published_by_one_person_waits_for_a_second_and_the_reverse_publishes_it_again():
    try:
        apps = _migrate(BEFORE)
        Referral = apps.get_model("referrals", "Referral")
        Referral.objects.create(id="a" * 32, profile="peer_alert", body=b"x", status="published")
        Referral.objects.create(id="b" * 32, profile="peer_alert", body=b"x", status="retracted")
        Referral.objects.create(id="c" * 32, profile="victim_services", body=b"x", status="opened")

        apps = _migrate(AFTER)
        assert _statuses(apps) == {"a" * 32: "alert_review", "b" * 32: "retracted", "c" * 32: "opened"}
        assert not apps.get_model("referrals", "PublishedAlert").objects.exists()
        apps.get_model("referrals", "Referral").objects.create(
            id="d" * 32, profile="peer_alert", body=b"x", status="alert_expired"
        )

        apps = _migrate(BEFORE)
        assert _statuses(apps) == {
            "a" * 32: "published",
            "b" * 32: "retracted",
            "c" * 32: "opened",
            "d" * 32: "retracted",
        }
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
