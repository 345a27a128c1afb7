"""One module per customer need; each exposes a rule with `match` and `handle`."""
