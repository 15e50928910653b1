"""Worker processes, isolation and limits, and the wire protocol to them."""
