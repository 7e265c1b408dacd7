"""The platform-neutral conversation core: events in, replies out."""
