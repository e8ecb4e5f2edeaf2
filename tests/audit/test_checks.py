"""System checks: a short or malformed audit key is an error; no head file is a deploy warning."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

pytestmark = pytest.mark.django_db


def _ids(**kwargs) -> set[str]:
    return {message.id for message in run_checks(**kwargs)}


def test_the_test_settings_have_a_good_key():
    assert "harbor.E020" not in _ids()


@pytest.mark.parametrize(
    "overrides",
    [
        {"HARBOR_AUDIT_KEY": "ab" * 31},
        {"HARBOR_AUDIT_KEY": "not hex at all, though long enough to look like a key........."},
        {"HARBOR_AUDIT_KEY_FALLBACKS": ["ab" * 16]},
    ],
)
def test_a_key_shorter_than_32_bytes_is_an_error(overrides):
    with override_settings(**overrides):
        assert "harbor.E020" in _ids()


def test_no_head_file_is_a_deploy_warning(tmp_path):
    with override_settings(HARBOR_AUDIT_HEAD_FILE=None):
        assert "harbor.W020" in _ids(include_deployment_checks=True)
        assert "harbor.W020" not in _ids()
    with override_settings(HARBOR_AUDIT_HEAD_FILE=str(tmp_path / "head.jsonl")):
        assert "harbor.W020" not in _ids(include_deployment_checks=True)
