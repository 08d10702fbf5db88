"""Market gating (issue 5; DOMAIN.md §8): may this migration, appointment or registration go ahead on its date?

- ``engine``: decides millions of events at once with Polars (pure, no Django); its docstring states the rules.
- ``reference``: the same rules written plainly, one event at a time, for the property test.
- ``context``: reduces the register (through ``qualify.register.rules.status_on``) and the plan to what the engine
  reads; ``loading`` reads them from the database, as they are now or as they stood at a past instant (issue 11).
- ``io``: strict reading of events files, all-or-nothing results, and batches given as records (the API).
- ``manage.py gate``: the bulk command. The register and milestone imports are commands of the register and plan
  apps (``import_register``, ``import_milestones``), which may not depend on this app.
"""
