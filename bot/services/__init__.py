"""Use cases: one function per thing a person or staff member does; the only layer that commits."""
