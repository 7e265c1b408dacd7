"""Use cases: one function per thing a person or staff member does, taking the unit of work and plain arguments,
returning typed results; the only layer that commits and writes outbox rows."""
