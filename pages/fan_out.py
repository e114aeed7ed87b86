"""Fan-out queries."""
from ui import shell

view = shell.page("Fan-out queries", ":material/travel_explore:")
