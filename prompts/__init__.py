"""Text of the MCP prompts that guide a client's model through the learning loop."""
