"""Code that runs inside the sandbox (standard library only, Python 3.10+).

Two processes cooperate inside one sandbox:

* the **judge** (`judge.py`) runs the caller's tests, evaluates every assert and writes the
  authenticated verdict records; it never imports the solution;
* the **worker** (`worker.py`) imports the solution and serves calls from the judge.

Values cross between them by copy (`wire.py`), so the code under test never shares an address
space with the code that decides whether it passed. `runner.py` is the entry point for both.
"""
