"""Usage and cost."""
from ui import shell

view = shell.page("Usage and cost", ":material/payments:")
