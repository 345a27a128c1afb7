"""One package per customer need, each with a rule (`match` and `handle`); the shared pieces
(context, rule, answers, words) sit here at the top."""
