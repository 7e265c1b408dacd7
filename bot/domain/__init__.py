"""Pure rules with no I/O and no translation; refusals are typed and carry data."""
