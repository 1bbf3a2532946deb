"""sdgmap: show, with evidence, how an organisation's work advances the SDGs.

The package is organised by concept; each subpackage's docstring says what it owns:

- ``frameworks``: SDG, WSIS, strategic plans and crosswalks as data (load, validate, import).
- ``store``: the database (SQLAlchemy models, Alembic migrations, sessions, queries).
- ``linkage``: derived links (paths such as outcome -> Action Line -> SDG).
- ``ingest``: reading documents into the activity register with provenance.
- ``classify``: the explainable SDG classifier.
- ``analytics``, ``reports``: figures and documents computed from the register.
- ``web``, ``cli``: user interfaces. They use the core; the core never imports them.
"""

__version__ = "0.1.0"
