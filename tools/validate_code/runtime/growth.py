"""Empirical growth: time a function at doubling input sizes and fit the log-log slope.

Runs in the worker (it calls the solution), so its figures are only as honest as the solution;
the judge treats them as advice. Sizes double from `min_n` until the next call would take about
`max_call_s`, `max_n` is reached or the budget is spent; each size keeps the fastest of a few
runs, with the garbage collector off, and the input is rebuilt before every run (the function
may mutate it). Calls are timed in CPU time of the calling thread, so other processes competing
for the cores (a loaded server, a CI machine) do not bend the curve; time spent sleeping or
waiting is not counted, which suits a check of algorithmic growth. Only sizes whose call takes at least 0.1 ms are fitted: below that, call
overhead and timer noise dominate. Very large sizes are avoided by default (2**17) because cache
and allocator effects make even linear code look superlinear there.
"""

from __future__ import annotations

import builtins
import gc
import math
import random
import time


def fit_slope(points):
    """Least-squares slope of log(time) against log(n)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0


def _usable(points, floor):
    keep = [(n, t) for n, t in points if t >= floor]
    return keep[-5:]


def measure(resolve, spec):
    func = resolve(str(spec["function"]))
    expr = compile(str(spec["input"]), "<perf input>", "eval")
    rng = random.Random(12345)
    env = {"__builtins__": builtins, "random": rng, "math": math}
    budget = float(spec.get("budget_s", 3.0))
    max_call = float(spec.get("max_call_s", 0.25))
    threshold = float(spec.get("fail_at", 1.4))
    min_n, max_n = int(spec.get("min_n", 64)), int(spec.get("max_n", 1 << 17))
    deadline = time.perf_counter() + budget

    def args_for(n):
        value = eval(expr, env, {"n": n})
        return value if isinstance(value, tuple) else (value,)

    def time_at(n, repeats):
        best = math.inf
        spent = 0.0
        for _ in range(repeats):
            args = args_for(n)
            gc.disable()
            try:
                start = time.thread_time()
                func(*args)
                took = time.thread_time() - start
            finally:
                gc.enable()
            best = min(best, took)
            spent += took
            if spent > 0.05 or time.perf_counter() > deadline:
                break
        return best

    points = []
    n = min_n
    while n <= max_n:
        t = time_at(n, 5)
        points.append((n, t))
        # The next size takes about 2-4 times as long: stop before it would pass the per-call cap.
        if 4 * t > max_call or time.perf_counter() + 8 * t > deadline:
            break
        n *= 2
    usable = _usable(points, 1e-4)
    if len(usable) < 3:
        return {"points": points, "exponent": None, "confirmed": False, "note": "too few measurable sizes"}
    exponent = fit_slope(usable)
    confirmed = False
    if exponent >= threshold and time.perf_counter() + 2 * sum(t for _, t in usable[-3:]) < deadline:
        again = {n: time_at(n, 3) for n, _ in usable[-3:]}
        usable = [(n, min(t, again.get(n, t))) for n, t in usable]
        exponent = fit_slope(usable)
        confirmed = exponent >= threshold
    return {"points": points, "exponent": exponent, "confirmed": confirmed}
