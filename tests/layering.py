"""An import-linter contract the built-in ones cannot express: an app imports the other apps at the
top of its modules, where the layers contract and a reader see them, never inside a function "to
avoid a cycle". A cycle is what the layers forbid; an import hidden in a function hides it.

Allowed inside a function: imports within the app itself; imports in `AppConfig.ready()` (where
Django wants the subscriptions); and an import whose line, or the comment line just above it,
says `# lazy: <why>` (e.g. the command line loads the apps only once Django is set up). A module
may say it once for all its function-level imports with a top-level `# lazy imports: <why>`.

Configured in pyproject.toml (`contract_types`); run by `make lint` (lint-imports)."""

import ast
import importlib.util
import re
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output

LAZY = re.compile(r"#\s*lazy:\s*\S")
MODULE_LAZY = re.compile(r"^#\s*lazy imports:\s*\S", re.MULTILINE)


def _app(module: str, depth: int) -> str:
    return ".".join(module.split(".")[:depth])


def function_level_imports(module: str, source: str) -> list[tuple[int, str]]:
    """(line, imported module) of each import of another app inside a function of `module`."""
    if MODULE_LAZY.search(source):
        return []
    lines = source.splitlines()
    root = module.split(".")[0]
    own = _app(module, 2)
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if function is not None and isinstance(child, ast.Import | ast.ImportFrom):
                if isinstance(child, ast.ImportFrom):
                    targets = [child.module or ""] if child.level == 0 else []
                else:
                    targets = [alias.name for alias in child.names]
                for target in targets:
                    if target.split(".")[0] != root or _app(target, 2) == own:
                        continue
                    if function == "ready" and module.endswith(".apps"):
                        continue
                    said = lines[child.lineno - 1]
                    above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
                    if LAZY.search(said) or (above.startswith("#") and LAZY.search(above)):
                        continue
                    found.append((child.lineno, target))
            visit(child, function)

    visit(ast.parse(source), None)
    return found


class TopLevelImportsContract(Contract):
    """Options: `containers`, the packages whose modules are checked (e.g. ["anju"])."""

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        broken = []
        for container in self.containers:
            # The files are read, never imported (importing would need Django set up).
            top = Path(importlib.util.find_spec(container.split(".")[0]).origin).parent
            for module in sorted(graph.find_descendants(container) | {container}):
                base = top.joinpath(*module.split(".")[1:])
                path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
                if not path.is_file():
                    continue
                source = path.read_text(encoding="utf-8")
                for line, target in function_level_imports(module, source):
                    broken.append((module, line, target))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module, line, target in check.metadata["broken"]:
            output.print_error(f"{module} (l.{line}) imports {target} inside a function")
            output.new_line()
        output.print_error(
            "Import it at the top of the module (the layers contract then checks it), or say "
            "why it must wait with '# lazy: <why>'."
        )
