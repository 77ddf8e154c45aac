"""The evaluation harness's MCP side: it drives the real server through `mcp.Client` tool calls.

The domain (suites, executors, statistics, report) lives in `tools.evaluation` and knows no MCP.
"""
