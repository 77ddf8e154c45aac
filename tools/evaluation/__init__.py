"""The evaluation harness's domain: task suites, executors, paired statistics and the report.

Nothing here imports `mcp`; the loop that drives the real server through an MCP client lives in
`server.evaluation`. Heavy libraries (numpy, scipy, matplotlib, anthropic) are imported inside the
functions that need them.
"""
