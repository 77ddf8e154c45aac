"""MCP wiring for Fractal-RMO: settings, the server, transports and the command line."""

__version__ = "0.1.0"
