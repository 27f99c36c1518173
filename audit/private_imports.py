"""List every import of a private name (``_name``, or a name from a ``_module``) across packages:
``python audit/private_imports.py`` prints ``file:line: module.name`` and exits 1 if any. Within
one package a module may use another's private helpers; across packages, and in tests, never."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def package_of(path: Path) -> str:
    rel = path.relative_to(ROOT / "src") if path.is_relative_to(ROOT / "src") else None
    return ".".join(rel.parts[:-1]) if rel else "<outside>"


def found() -> list[str]:
    out = []
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
             *(ROOT / "benchmarks").rglob("*.py"), *(ROOT / "audit").rglob("*.py")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if node.level:
                base = package_of(path).split(".")
                module = ".".join([*base[:len(base) - node.level + 1], node.module])
            else:
                module = node.module
            if not module.startswith("cerebellar"):
                continue
            private_module = any(part.startswith("_") and not part.startswith("__")
                                 for part in module.split("."))
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                same_package = package_of(path) == module.rsplit(".", 1)[0]
                if (private or private_module) and not same_package:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {module}.{alias.name}")
    return out


if __name__ == "__main__":
    rows = found()
    print("\n".join(rows) or "no private name imported across packages")
    sys.exit(1 if rows else 0)
