"""Thin doors into the core: each turns platform events into `Event`s and renders `Reply`s back."""
