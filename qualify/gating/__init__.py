"""Market gating (issue 5; DOMAIN.md §8): may this migration, appointment or registration go ahead on its date?

``engine`` decides millions of events at once with Polars; ``reference`` is the same rules written plainly, one
event at a time, for the property test; ``io`` reads and writes the bulk files; ``imports`` and ``loading`` are the
Django glue that fill the register and the plan and read them back for the engine.
"""
