"""Program content from data files: staff change the program without a release."""

from bot.content.loader import ContentError, load_content
from bot.content.models import Content

__all__ = ["Content", "ContentError", "load_content"]
