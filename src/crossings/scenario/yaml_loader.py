"""The YAML loader used for scenario files, fitted files and --set values.

Bounded: nesting deeper than MAX_DEPTH, a document that would expand (aliases counted in full) to more
than MAX_NODES nodes, and recursive aliases are refused before anything is built or copied, so an alias
bomb costs milliseconds, not memory. Duplicate keys are refused (YAML would keep the last one silently).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_DEPTH = 64  # shipped scenarios nest about 8 deep
MAX_NODES = 200_000  # shipped scenarios hold under 5,000 nodes; a Flee import of a large case about 20,000
MAX_BYTES = 20_000_000  # a scenario file larger than this is refused before it is parsed
_MERGE = "tag:yaml.org,2002:merge"


class NoDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: the schema parses them, so a bad date is reported at its
    key path (levers.x.start) instead of failing inside the YAML parser. Bounded and strict (module doc)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node: Node) -> Any:
        expanded_size(node)
        return super().construct_document(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            if first is not None:
                raise ConstructorError(None, None, f"duplicate key {key!r} (first on line {first})",
                                       key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def expanded_size(root: Node) -> int:
    """Nodes the document holds once every alias is expanded; refuses recursion and more than MAX_NODES."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(n: Node) -> int:
        k = id(n)
        if k in memo:
            return memo[k]
        if k in active:
            raise ComposerError(None, None, "an alias refers to a node that contains it", n.start_mark)
        active.add(k)
        total = 1
        if isinstance(n, SequenceNode):
            total += sum(size(c) for c in n.value)
        elif isinstance(n, MappingNode):
            total += sum(size(a) + size(b) for a, b in n.value)
        active.discard(k)
        if total > MAX_NODES:
            raise ComposerError(None, None, f"expands to more than {MAX_NODES:,} nodes (aliases counted in full)",
                                n.start_mark)
        memo[k] = total
        return total

    return size(root)


NoDatesLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
