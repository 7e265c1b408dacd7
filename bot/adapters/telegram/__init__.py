"""The Telegram door (python-telegram-bot 22): rendering, sending, the update adapter and the runner."""
