"""The package's layers: data flows one way (parse -> chunk -> embed -> store -> search ->
answer -> service -> api / ui / cli / bulk), so no module imports a later stage, and there are
no import cycles between stages."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qa_service"

#: stages in the order data flows through them; a module may import its own stage and earlier
#: ones. The last group are the entry points, which sit side by side.
LAYERS: list[set[str]] = [
    {"config", "documents", "kamerstukken", "filters", "files", "deadline", "text"},
    {"parsing"},
    {"embedding"},
    {"store"},
    {"ingest", "search"},
    {"answer"},
    {"generation"},
    {"service"},
    {"ui", "devtools"},  # the chat page (mounted by the API); tools for tests and scripts
    {"api", "bulk", "evaluation"},
    {"cli"},
]
#: entry points that must not import each other (the CLI may start the API server and run
#: bulk and evaluation; nothing else reaches sideways)
SIBLINGS = {"api", "bulk", "evaluation", "ui", "devtools"}


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(stage: str) -> int:
    for i, layer in enumerate(LAYERS):
        if stage in layer:
            return i
    raise AssertionError(f"qa_service.{stage} belongs to no layer; add it to LAYERS")


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "qa_service":
                found += [f"qa_service.{a.name}" for a in node.names]
            elif node.module.startswith("qa_service."):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("qa_service.")]
    return found


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        out.append((".".join(rel.parts).removesuffix(".__init__"), path))
    return out


def test_every_stage_has_a_layer() -> None:
    for name, _ in modules():
        if name != "qa_service" and stage_of(name) not in ("__init__", "__main__"):
            layer_of(stage_of(name))


def test_no_module_imports_a_later_stage() -> None:
    wrong = []
    for name, path in modules():
        stage = stage_of(name)
        if not stage:
            continue
        for target in imports(path):
            other = stage_of(target)
            if other == stage or not other or other == "__version__":
                continue
            later = layer_of(other) > layer_of(stage)
            if later or (layer_of(other) == layer_of(stage) and stage in SIBLINGS):
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules() -> None:
    graph = {name: set() for name, _ in modules()}
    for name, path in modules():
        for target in imports(path):
            if target in graph and target != name:
                graph[name].add(target)
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend(
                    trail[trail.index(nxt) :] + [node, nxt] if nxt in trail else [node, nxt]
                )
                return True
            if nxt not in state and visit(nxt, [*trail, node]):
                return True
        state[node] = 2
        return False

    for node in sorted(graph):
        if node not in state and visit(node, []):
            break
    assert not cycle, " -> ".join(cycle)


def test_no_module_is_over_500_lines() -> None:
    long = [
        f"{p.relative_to(PACKAGE.parent)}: {n}"
        for _, p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 520
    ]
    assert not long, long
