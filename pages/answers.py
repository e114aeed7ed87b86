"""Answers."""
from ui import shell

view = shell.page("Answers", ":material/article:")
