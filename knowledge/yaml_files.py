"""Reading the shop's YAML files, with libyaml when it is installed."""

from typing import IO, Any

import yaml

# Pure-Python YAML takes about 0.1 s for the reply texts alone, on every start.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(stream: IO[str] | str) -> Any:
    """The data in a YAML document, built from plain types only (as `yaml.safe_load`)."""
    return yaml.load(stream, Loader=YAML_LOADER)
