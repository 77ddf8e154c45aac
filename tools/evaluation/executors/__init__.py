"""Executors write the code (the stand-in for the client's model); reflectors turn patterns into rules.

`simulated` and `replay` need no API; `anthropic` imports the ``anthropic`` package only when used.
"""
