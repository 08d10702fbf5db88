"""The generated market of bench/scale.py, in bulk: ``organisations`` (phase A and the ``Market`` that collects the
rows), ``cases`` (each case's history, with its ``qad`` and ``assessment`` steps), ``bulk`` (COPY, the audit chain and
the register's numbering) and ``common`` (what they share)."""
