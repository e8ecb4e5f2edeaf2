"""policy/ is plain Python: no Django, and every module imports on its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = Path(__file__).resolve().parents[2] / "policy"
MODULES = sorted(p for p in POLICY.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_in_policy_imports_django(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        for name in names:
            assert name.split(".")[0] != "django", f"{path.name} imports {name}"


def test_the_engine_imports_with_django_unavailable() -> None:
    modules = [
        "policy.catalogue",
        "policy.profiles",
        "policy.packs",
        "policy.assess",
        "policy.referral",
        "policy.__main__",
    ]
    code = "import sys; sys.modules['django'] = None\n" + "\n".join(f"import {m}" for m in modules)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=POLICY.parent, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
