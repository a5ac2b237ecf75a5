"""Each dependency stays in the one module that owns it, so a reader finds their room by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "src" / "kscrape"
# The module, or package, that alone may import each library (lock.py uses SQLite's file lock
# as the portable write lock, on a file of its own).
OWNERS: dict[str, str | tuple[str, ...]] = {
    "httpx": "fetch/client.py",
    "selectolax": "parse/",
    "sqlite3": ("store/", "lock.py"),
    "sqlite_utils": "store/",
    "click": "cli/",
    "pypdfium2": "extract/pdf_page.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_library_is_imported_only_by_its_owner(library: str):
    """httpx only in fetch/client.py, selectolax in parse/, sqlite in store/ (and the lock),
    click in cli/, PDFium in extract/pdf_page.py."""
    users = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
             if library in _imports(p)}
    owner = OWNERS[library]
    owners = (owner,) if isinstance(owner, str) else owner
    assert {u for u in users if not u.startswith(owners)} == set()
    # Each owner still uses its library: one that stops leaves a stale entry here.
    assert [o for o in owners if not any(u.startswith(o) for u in users)] == []


def test_tls_verification_cannot_be_switched_off_in_the_source():
    """No `verify=False` anywhere in the package."""
    offenders = [p.name for p in PACKAGE.rglob("*.py") if "verify=False" in p.read_text("utf-8")]
    assert offenders == []
