"""Content of the MCP resources: the pattern library, protocol, metrics and taxonomy."""
