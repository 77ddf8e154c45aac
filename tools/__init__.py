"""Domain logic, one vertical slice per tool. Nothing here imports `mcp` or `server`."""
