"""The use cases: one function each, taking the unit of work (or the storage) and plain arguments, returning typed
results. The only layer that commits and writes outbox rows."""
