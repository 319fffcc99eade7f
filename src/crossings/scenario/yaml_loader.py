"""The YAML loader used for scenario files and --set values."""

from __future__ import annotations

import yaml


class NoDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: the schema parses them, so a bad date is reported at its
    key path (levers.x.start) instead of failing inside the YAML parser."""


NoDatesLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
