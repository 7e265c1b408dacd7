"""The Discord door (discord.py 2.7): slash commands, restart-safe components, DMs and server events."""
