"""Labelled errors for measuring pattern mining: realistic reports of recurring mistakes.

Each entry is one error as a client or validate_code would log it (message, traceback, code,
evidence), from a plausible small Python task, labelled with the mistake it really is. Entries of
one kind vary what should not matter (names, numbers, strings, paths, line numbers, the wording of
the message, whether a traceback or structured evidence came with it); different kinds include
pairs that share an exception type (IndexError off by one versus pop from an empty list, two
ValueErrors, two TypeErrors) and wrong answers that differ only in how the value was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUNNER = ("/sandbox/runner.py", 112, "run_one", "outcome = test()")


@dataclass(frozen=True)
class Labelled:
    kind: str
    task: str
    report: dict[str, Any]
    evidence: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def tb(*frames: tuple[str, int, str, str | None], error: str, runner: bool = True) -> str:
    """A CPython traceback from (path, line, function, source) frames, outermost first."""
    lines = ["Traceback (most recent call last):"]
    for path, line, function, source in ((RUNNER, *frames) if runner else frames):
        lines.append(f'  File "{path}", line {line}, in {function}')
        if source:
            lines.append(f"    {source}")
    lines.append(error)
    return "\n".join(lines) + "\n"


def runtime(kind: str, task: str, error: str, frames: list[tuple[str, int, str, str | None]], code: str | None = None,
            source: str = "test", message: str | None = None, runner: bool = True) -> Labelled:
    report: dict[str, Any] = {
        "message": message or error,
        "traceback": tb(*frames, error=error, runner=runner),
        "source": source,
    }
    if code:
        report["code"] = code
    return Labelled(kind, task, report)


def static(kind: str, task: str, rule: str, message: str, code: str, line: int | None, *, via_evidence: bool = True) -> Labelled:
    if via_evidence:
        return Labelled(
            kind, task,
            {"message": message, "code": code, "source": "static"},
            {"stage": "static", "rule_code": rule, "line": line, "details": {"tool": "ruff"}},
        )
    return Labelled(kind, task, {"message": f"solution.py:{line or 1}:5: {rule} {message}", "code": code, "source": "static"})


def wrong(kind: str, task: str, assert_source: str, expected: str, actual: str, test_name: str) -> Labelled:
    """A failed assert as validate_code reports it: structured operands, no traceback text."""
    return Labelled(
        kind, task,
        {"message": f"AssertionError: assert {actual} == {expected}", "error_type": "AssertionError", "source": "test"},
        {"stage": "tests", "assert_source": assert_source, "assert_op": "==", "expected": expected, "actual": actual,
         "test_name": test_name},
    )


def wrong_tb(kind: str, task: str, test_file: str, line: int, test_name: str, assert_source: str, message: str) -> Labelled:
    """A failed assert as a client pastes it: a traceback whose last line carries the operands."""
    return Labelled(
        kind, task,
        {"message": message, "traceback": tb((test_file, line, test_name, assert_source), error=message), "source": "test"},
    )


T1, T2, T3 = "/tmp/tmpq8d1z3k0", "/tmp/tmp5hx0a2wm", "/home/maria/work/etl"

ERRORS: list[Labelled] = [
    # --- IndexError from an off-by-one loop bound or index ------------------------------------------
    runtime("index_off_by_one", "moving average", "IndexError: list index out of range", [
        (f"{T1}/tests.py", 6, "test_moving_average", "assert moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]"),
        (f"{T1}/solution.py", 6, "moving_average", "last = values[i + window - 1]")],
        code="def moving_average(values, window):\n    result = []\n    for i in range(len(values) - window + 2):\n"
             "        chunk = values[i:i + window]\n        result.append(sum(chunk) / window)\n"
             "        last = values[i + window - 1]\n    return result\n"),
    runtime("index_off_by_one", "pairwise differences", "IndexError: list index out of range", [
        (f"{T2}/tests.py", 4, "test_differences", "assert differences([3, 7, 12]) == [4, 5]"),
        (f"{T2}/solution.py", 4, "differences", "out.append(nums[i + 1] - nums[i])")],
        code="def differences(nums):\n    out = []\n    for i in range(len(nums)):\n        out.append(nums[i + 1] - nums[i])\n    return out\n"),
    runtime("index_off_by_one", "last element", "IndexError: list index out of range", [
        ("/home/dev/shop/tests/test_cart.py", 21, "test_last_item", "assert last(cart.items) == 'soap'"),
        ("/home/dev/shop/cart.py", 48, "last", "return items[len(items)]")], source="runtime"),
    runtime("index_off_by_one", "is sorted", "IndexError: list index out of range", [
        (f"{T1}/tests.py", 9, "test_sorted_long", "assert is_sorted(list(range(50)))"),
        (f"{T1}/solution.py", 3, "is_sorted", "if xs[i] > xs[i + 1]:")],
        code="def is_sorted(xs):\n    for i in range(len(xs)):\n        if xs[i] > xs[i + 1]:\n            return False\n    return True\n"),
    runtime("index_off_by_one", "palindrome", "IndexError: string index out of range", [
        (f"{T2}/tests.py", 3, "test_palindrome", "assert is_palindrome('racecar')"),
        (f"{T2}/solution.py", 3, "is_palindrome", "if s[i] != s[len(s) - i]:")],
        code="def is_palindrome(s):\n    for i in range(len(s) // 2):\n        if s[i] != s[len(s) - i]:\n            return False\n    return True\n"),
    runtime("index_off_by_one", "binary search", "IndexError: list index out of range", [
        (f"{T1}/tests.py", 12, "test_search_absent", "assert search([1, 3, 5, 7], 9) == -1"),
        (f"{T1}/solution.py", 5, "search", "if arr[mid] == target:")],
        code="def search(arr, target):\n    lo, hi = 0, len(arr)\n    while lo <= hi:\n        mid = (lo + hi) // 2\n"
             "        if arr[mid] == target:\n            return mid\n        if arr[mid] < target:\n            lo = mid + 1\n"
             "        else:\n            hi = mid - 1\n    return -1\n"),
    runtime("index_off_by_one", "pascal triangle", "IndexError: list index out of range", [
        ("C:\\Users\\ana\\katas\\test_pascal.py", 8, "test_row_5", "assert pascal(5)[-1] == [1, 4, 6, 4, 1]"),
        ("C:\\Users\\ana\\katas\\pascal.py", 7, "pascal", "row.append(prev[j - 1] + prev[j])")], source="runtime"),

    # --- IndexError: pop from an empty stack or queue -------------------------------------------------
    runtime("pop_empty", "balanced brackets", "IndexError: pop from empty list", [
        (f"{T2}/tests.py", 7, "test_unbalanced_close", "assert not is_balanced(')(')"),
        (f"{T2}/solution.py", 7, "is_balanced", "top = stack.pop()")]),
    runtime("pop_empty", "rpn calculator", "IndexError: pop from empty list", [
        (f"{T1}/tests.py", 15, "test_too_few_operands", "assert evaluate('1 +') is None"),
        (f"{T1}/solution.py", 9, "evaluate", "b = stack.pop()")]),
    runtime("pop_empty", "undo history", "IndexError: pop from empty list", [
        ("/srv/app/editor/history.py", 33, "undo", "state = self._stack.pop()")], source="runtime", runner=False),
    runtime("pop_empty", "bfs shortest path", "IndexError: pop from an empty deque", [
        (f"{T2}/tests.py", 18, "test_unreachable", "assert shortest(graph, 'a', 'z') == -1"),
        (f"{T2}/solution.py", 11, "shortest", "node, dist = queue.popleft()")]),

    # --- AttributeError on None (a lookup or match that returned None) -------------------------------
    runtime("none_attribute", "parse range", "AttributeError: 'NoneType' object has no attribute 'group'", [
        (f"{T1}/tests.py", 5, "test_parse_range_spaces", "assert parse_range(' 3 - 9 ') == (3, 9)"),
        (f"{T1}/solution.py", 4, "parse_range", "return int(re.match(r'(\\d+)-(\\d+)', s).group(1)), int(m.group(2))")]),
    runtime("none_attribute", "user lookup", "AttributeError: 'NoneType' object has no attribute 'strip'", [
        ("/home/dev/crm/services/users.py", 58, "display_name", "name = users.get(uid).strip()")], source="runtime", runner=False),
    runtime("none_attribute", "scrape title", "AttributeError: 'NoneType' object has no attribute 'text'", [
        ("/home/li/scraper/main.py", 12, "<module>", "print(page_title(html))"),
        ("/home/li/scraper/main.py", 7, "page_title", "return soup.find('h1').text")], source="runtime", runner=False),
    runtime("none_attribute", "tree search", "AttributeError: 'NoneType' object has no attribute 'value'", [
        (f"{T2}/tests.py", 22, "test_missing_key", "assert lookup(tree, 42) is None"),
        (f"{T2}/solution.py", 19, "lookup", "return node.value")]),
    runtime("none_attribute", "load config", "AttributeError: 'NoneType' object has no attribute 'get'", [
        ("/opt/svc/app.py", 5, "main", "port = config.get('port', 8080)")], source="runtime", runner=False),
    runtime("none_attribute", "log dates", "AttributeError: 'NoneType' object has no attribute 'group'", [
        (f"{T1}/tests.py", 9, "test_line_without_date", "assert extract_dates(LOG) == ['2024-05-01']"),
        (f"{T1}/solution.py", 8, "extract_dates", "dates.append(m.group('date'))")]),
    Labelled("none_attribute", "sorted scores", {
        "message": "AttributeError: 'NoneType' object has no attribute 'reverse'", "source": "runtime",
        "code": "def leaderboard(scores):\n    ordered = scores.sort()\n    ordered.reverse()\n    return ordered\n"}),

    # --- KeyError: a dict read before the key exists -------------------------------------------------
    runtime("missing_key", "word count", "KeyError: 'the'", [
        (f"{T2}/tests.py", 4, "test_counts", "assert word_count('the cat the hat')['the'] == 2"),
        (f"{T2}/solution.py", 5, "word_count", "counts[word] += 1")],
        code="def word_count(text):\n    counts = {}\n    for word in text.split():\n        word = word.lower()\n        counts[word] += 1\n    return counts\n"),
    runtime("missing_key", "read settings", "KeyError: 'timeout'", [
        ("/home/dev/tool/settings.py", 27, "load", "timeout = config['timeout']")], source="runtime", runner=False),
    runtime("missing_key", "csv import", "KeyError: 'email'", [
        (f"{T3}/pipeline.py", 88, "run", "for row in rows: emit(transform(row))"),
        (f"{T3}/transform.py", 14, "transform", "contact = row['email'].lower()")], source="runtime", runner=False),
    runtime("missing_key", "graph bfs", "KeyError: 7", [
        (f"{T1}/tests.py", 11, "test_leaf_nodes", "assert reachable({1: [2], 2: [7]}, 1) == {1, 2, 7}"),
        (f"{T1}/solution.py", 8, "reachable", "for nb in graph[node]:")]),
    Labelled("missing_key", "price lookup", {"message": "KeyError: 'banana'", "error_type": "KeyError", "source": "runtime"}),
    runtime("missing_key", "group anagrams", "KeyError: 'aet'", [
        (f"{T2}/tests.py", 6, "test_groups", "assert sorted(map(sorted, group(['eat', 'tea', 'tan']))) == [['ate'], ['nat']]"),
        (f"{T2}/solution.py", 6, "group", "groups[key].append(word)")]),

    # --- B006 mutable default argument ---------------------------------------------------------------
    static("mutable_default", "shopping cart", "B006", "Do not use mutable data structures for argument defaults",
           "def add_item(item, items=[]):\n    items.append(item)\n    return items\n", 1),
    static("mutable_default", "logger", "B006", "Do not use mutable data structures for argument defaults",
           "import time\n\n\ndef append_log(message, log=[]):\n    log.append((time.time(), message))\n    return log\n", 4),
    static("mutable_default", "plugin registry", "B006", "Do not use mutable data structures for argument defaults",
           "def register(name, factory, registry={}):\n    registry[name] = factory\n    return registry\n", 1,
           via_evidence=False),
    static("mutable_default", "dedupe", "B006", "Do not use mutable data structures for argument defaults",
           "def collect(values, seen=set()):\n    for v in values:\n        seen.add(v)\n    return sorted(seen)\n", 1),
    static("mutable_default", "graph builder", "B006", "Do not use mutable data structures for argument defaults",
           "class Graph:\n    def build(self, edges, adjacency={}):\n        for a, b in edges:\n"
           "            adjacency.setdefault(a, []).append(b)\n        return adjacency\n", 2),
    static("mutable_default", "memo fib", "B006", "Do not use mutable data structures for argument defaults",
           "def fib(n, memo={}):\n    if n < 2:\n        return n\n    if n not in memo:\n"
           "        memo[n] = fib(n - 1) + fib(n - 2)\n    return memo[n]\n", 1, via_evidence=False),

    # --- F821 undefined name (a missing import or a typo) --------------------------------------------
    static("undefined_name", "circle area", "F821", "Undefined name `math`",
           "def area(r):\n    return math.pi * r ** 2\n", 2),
    static("undefined_name", "letter histogram", "F821", "Undefined name `Counter`",
           "def histogram(text):\n    return Counter(c for c in text if c.isalpha())\n", 2),
    static("undefined_name", "running total", "F821", "Undefined name `reslt`",
           "def running_total(xs):\n    result = []\n    acc = 0\n    for x in xs:\n        acc += x\n        reslt.append(acc)\n    return result\n", 6),
    static("undefined_name", "matrix norm", "F821", "Undefined name `np`",
           "def norm(m):\n    return float(np.sqrt((np.asarray(m) ** 2).sum()))\n", 2, via_evidence=False),
    static("undefined_name", "pairs", "F821", "Undefined name `itertools`",
           "def pairs(xs):\n    return list(itertools.combinations(xs, 2))\n", 2),
    static("undefined_name", "typed merge", "F821", "Undefined name `List`",
           "def merge(a: List[int], b: List[int]) -> List[int]:\n    return sorted(a + b)\n", 1),

    # --- TypeError: None in a concatenation or sum ---------------------------------------------------
    runtime("none_concat", "greeting", 'TypeError: can only concatenate str (not "NoneType") to str', [
        (f"{T1}/tests.py", 4, "test_greet_unknown", "assert greet(7) == 'Hello, guest'"),
        (f"{T1}/solution.py", 6, "greet", "return 'Hello, ' + name")]),
    runtime("none_concat", "invoice total", "TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'", [
        (f"{T2}/tests.py", 9, "test_total_with_unknown_item", "assert total(['pen', 'ink']) == 7"),
        (f"{T2}/solution.py", 5, "total", "amount = amount + PRICES.get(item)")]),
    runtime("none_concat", "build path", "TypeError: unsupported operand type(s) for +: 'NoneType' and 'str'", [
        ("/home/dev/backup/paths.py", 19, "target_for", "return base_dir + '/' + filename")], source="runtime", runner=False),
    runtime("none_concat", "join lines", 'TypeError: can only concatenate str (not "NoneType") to str', [
        (f"{T1}/tests.py", 14, "test_blank_lines", "assert join_lines(['a', None, 'b']) == 'a\\nb'"),
        (f"{T1}/solution.py", 4, "join_lines", "text += line + '\\n'")]),
    runtime("none_concat", "word scores", "TypeError: unsupported operand type(s) for +=: 'int' and 'NoneType'", [
        (f"{T2}/tests.py", 3, "test_unknown_word", "assert score('zzz') == 0"),
        (f"{T2}/solution.py", 8, "score", "points += lookup(word)")]),
    runtime("none_concat", "full name", 'TypeError: can only concatenate str (not "NoneType") to str', [
        ("/srv/hr/people.py", 41, "full_name", "return person['first'] + ' ' + person.get('last')")], source="runtime", runner=False),

    # --- ZeroDivisionError on empty input ------------------------------------------------------------
    runtime("zero_division", "mean", "ZeroDivisionError: division by zero", [
        (f"{T1}/tests.py", 8, "test_mean_empty", "assert mean([]) == 0"),
        (f"{T1}/solution.py", 2, "mean", "return sum(xs) / len(xs)")],
        code="def mean(xs):\n    return sum(xs) / len(xs)\n"),
    runtime("zero_division", "progress percent", "ZeroDivisionError: division by zero", [
        (f"{T2}/tests.py", 5, "test_no_tasks", "assert progress(0, 0) == 0.0"),
        (f"{T2}/solution.py", 3, "progress", "return round(done / total * 100, 1)")]),
    runtime("zero_division", "hit rate", "ZeroDivisionError: float division by zero", [
        ("/home/dev/cache/stats.py", 30, "hit_rate", "rate = hits / float(attempts)")], source="runtime", runner=False),
    runtime("zero_division", "wrap index", "ZeroDivisionError: integer division or modulo by zero", [
        (f"{T1}/tests.py", 17, "test_empty_ring", "assert rotate([], 3) == []"),
        (f"{T1}/solution.py", 4, "rotate", "k = k % len(items)")]),
    runtime("zero_division", "average score", "ZeroDivisionError: integer division or modulo by zero", [
        (f"{T2}/tests.py", 6, "test_no_scores", "assert average_score({}) == 0"),
        (f"{T2}/solution.py", 5, "average_score", "return total // count")]),
    Labelled("zero_division", "aspect ratio", {"message": "ZeroDivisionError: division by zero", "source": "runtime",
             "code": "def aspect(width, height):\n    ratio = width / height\n    return round(ratio, 2)\n"}),

    # --- Timeouts: a loop that never ends or is far too slow -----------------------------------------
    runtime("timeout", "count steps", "TestTimeout: test_large_input exceeded the 2.0 s time limit", [
        (f"{T1}/tests.py", 20, "test_large_input", "assert collatz_steps(27) == 111"),
        (f"{T1}/solution.py", 4, "collatz_steps", "while n != 1:")]),
    runtime("timeout", "binary search", "TestTimeout: test_search_missing exceeded the 2.0 s time limit", [
        (f"{T2}/tests.py", 13, "test_search_missing", "assert bsearch([1, 2, 4], 3) == -1"),
        (f"{T2}/solution.py", 4, "bsearch", "while lo < hi:")]),
    Labelled("timeout", "sum of primes", {"message": "TimeoutError: tests timed out after 10 s", "source": "test"}),
    runtime("timeout", "pair sums", "TestTimeout: test_performance exceeded the 2.0 s time limit", [
        (f"{T1}/tests.py", 31, "test_performance", "assert count_pairs(list(range(200_000)), 7) == 4"),
        (f"{T1}/solution.py", 5, "count_pairs", "for j in range(i + 1, len(nums)):")]),
    runtime("timeout", "linked list length", "TestTimeout: test_cycle exceeded the 2.0 s time limit", [
        (f"{T2}/tests.py", 9, "test_cycle", "assert length(make_cycle(3)) == 3"),
        (f"{T2}/solution.py", 6, "length", "node = node.next")]),
    Labelled("timeout", "scheduler", {"message": "Timed out after 5.0 s (wall clock) while running test_many_jobs",
             "error_type": "TimeoutError", "source": "test"}),

    # --- Wrong answer: off by one ---------------------------------------------------------------------
    wrong("assert_off_by_one", "count vowels", "assert count_vowels('programming') == 3", "3", "4", "test_count_vowels"),
    wrong_tb("assert_off_by_one", "count between", f"{T1}/tests.py", 5, "test_inclusive_bounds",
             "assert count_between(1, 10) == 10", "AssertionError: assert 9 == 10"),
    wrong("assert_off_by_one", "count primes", "assert count_primes(10) == 4", "4", "5", "test_small"),
    wrong("assert_off_by_one", "range list", "assert range_list(3) == [1, 2, 3]", "[1, 2, 3]", "[0, 1, 2]", "test_range_list"),
    wrong_tb("assert_off_by_one", "days between", f"{T2}/tests.py", 11, "test_january",
             "assert days_between('2024-01-01', '2024-01-31') == 30", "AssertionError: assert 31 == 30"),
    wrong("assert_off_by_one", "squares", "assert first_n_squares(4) == [1, 4, 9, 16]", "[1, 4, 9, 16]", "[1, 4, 9]", "test_four"),
    Labelled("assert_off_by_one", "word count", {
        "message": "AssertionError: 9 != 10",
        "traceback": tb(("/home/dev/text/tests/test_words.py", 14, "test_count_words", "self.assertEqual(count_words(TEXT), 10)"),
                        error="AssertionError: 9 != 10", runner=False),
        "source": "test"}),

    # --- Wrong answer: None returned (forgot to return, or returned a method's None) -----------------
    wrong("assert_none_returned", "normalize list", "assert normalize([3, 1, 2]) == [1, 2, 3]", "[1, 2, 3]", "None", "test_normalize"),
    wrong_tb("assert_none_returned", "reverse words", f"{T1}/tests.py", 3, "test_reverse_words",
             "assert reverse_words('a b c') == 'c b a'", "AssertionError: assert None == 'c b a'"),
    wrong("assert_none_returned", "merge dicts", "assert merge_dicts({'a': 1}, {'b': 2}) == {'a': 1, 'b': 2}",
          "{'a': 1, 'b': 2}", "None", "test_merge"),
    wrong("assert_none_returned", "find max", "assert find_max([4, 9, 2]) == 9", "9", "None", "test_find_max"),
    wrong_tb("assert_none_returned", "parse header", f"{T2}/tests.py", 8, "test_host_header",
             "assert parse_header('Host: example.com') == ('Host', 'example.com')",
             "AssertionError: assert None == ('Host', 'example.com')"),
    wrong("assert_none_returned", "dedupe", "assert dedupe(['a', 'b', 'a']) == ['a', 'b']", "['a', 'b']", "None", "test_dedupe"),

    # --- Wrong answer: right items, wrong order ------------------------------------------------------
    wrong("assert_wrong_order", "sort descending", "assert sort_desc([3, 1, 2]) == [3, 2, 1]", "[3, 2, 1]", "[1, 2, 3]", "test_desc"),
    wrong_tb("assert_wrong_order", "top k", f"{T1}/tests.py", 7, "test_top_two",
             "assert top_k([5, 1, 9, 3], 2) == [9, 5]", "AssertionError: assert [5, 9] == [9, 5]"),
    wrong("assert_wrong_order", "reverse string", "assert reverse_string('hello') == 'olleh'", "'olleh'", "'hello'", "test_reverse"),
    wrong("assert_wrong_order", "rank players", "assert rank_players(SCORES) == ['ann', 'bob', 'cy']",
          "['ann', 'bob', 'cy']", "['cy', 'bob', 'ann']", "test_ranking"),
    wrong_tb("assert_wrong_order", "sort by length", f"{T2}/tests.py", 4, "test_by_length",
             "assert by_length(['ccc', 'a', 'bb']) == ['a', 'bb', 'ccc']",
             "AssertionError: assert ['ccc', 'bb', 'a'] == ['a', 'bb', 'ccc']"),
    wrong("assert_wrong_order", "merge sorted", "assert merge_sorted([1, 4], [2, 3]) == [1, 2, 3, 4]",
          "[1, 2, 3, 4]", "[1, 4, 2, 3]", "test_merge_sorted"),

    # --- Wrong answer: right letters, wrong case ------------------------------------------------------
    wrong("assert_case", "title case", "assert title_case('hello world') == 'Hello World'", "'Hello World'", "'hello world'", "test_title"),
    wrong("assert_case", "slugify", "assert slugify('Hello World') == 'hello-world'", "'hello-world'", "'Hello-World'", "test_slug"),
    wrong_tb("assert_case", "constant names", f"{T1}/tests.py", 6, "test_upper_snake",
             "assert to_upper_snake('maxValue') == 'MAX_VALUE'", "AssertionError: assert 'max_value' == 'MAX_VALUE'"),
    wrong("assert_case", "capitalize", "assert capitalize_first('python') == 'Python'", "'Python'", "'python'", "test_capitalize"),
    Labelled("assert_case", "shout", {
        "message": "AssertionError: 'abc' != 'ABC'",
        "traceback": tb(("/home/dev/fun/test_shout.py", 9, "test_shout", "self.assertEqual(shout('abc'), 'ABC')"),
                        error="AssertionError: 'abc' != 'ABC'\n- abc\n+ ABC", runner=False),
        "source": "test"}),

    # --- ValueError: parsing input that is not a number ----------------------------------------------
    runtime("parse_number", "people csv", "ValueError: invalid literal for int() with base 10: 'n/a'", [
        (f"{T3}/people.py", 23, "parse_row", "age = int(fields[2])")], source="runtime", runner=False),
    runtime("parse_number", "read count", "ValueError: invalid literal for int() with base 10: '3.5'", [
        (f"{T1}/tests.py", 4, "test_decimal_input", "assert read_count('3.5') == 3"),
        (f"{T1}/solution.py", 2, "read_count", "n = int(line.strip())")]),
    runtime("parse_number", "expenses", "ValueError: could not convert string to float: ''", [
        (f"{T3}/expenses.py", 40, "total", "total += float(row['amount'])")], source="runtime", runner=False),
    runtime("parse_number", "parse port", "ValueError: invalid literal for int() with base 10: '80a'", [
        (f"{T2}/tests.py", 10, "test_bad_port", "assert parse_port('host:80a') is None"),
        (f"{T2}/solution.py", 3, "parse_port", "port = int(value)")]),
    runtime("parse_number", "tokenizer", "ValueError: could not convert string to float: 'abc'", [
        (f"{T1}/tests.py", 12, "test_words_ignored", "assert numbers('1 abc 2.5') == [1.0, 2.5]"),
        (f"{T1}/solution.py", 5, "numbers", "out.append(float(token))")]),

    # --- ValueError: unpacking the wrong number of values --------------------------------------------
    runtime("bad_unpack", "parse ini", "ValueError: not enough values to unpack (expected 2, got 1)", [
        (f"{T2}/tests.py", 8, "test_comment_line", "assert parse_ini('# note\\na=1') == {'a': '1'}"),
        (f"{T2}/solution.py", 4, "parse_ini", "key, value = line.split('=')")]),
    runtime("bad_unpack", "records", "ValueError: too many values to unpack (expected 2)", [
        ("/home/dev/crm/import.py", 61, "load", "name, age = record")], source="runtime", runner=False),
    runtime("bad_unpack", "rgb", "ValueError: not enough values to unpack (expected 3, got 2)", [
        (f"{T1}/tests.py", 5, "test_short_hex", "assert to_rgb('#fff') == (255, 255, 255)"),
        (f"{T1}/solution.py", 3, "to_rgb", "r, g, b = parts")]),
    runtime("bad_unpack", "pairs to dict", "ValueError: too many values to unpack (expected 2)", [
        (f"{T2}/tests.py", 3, "test_triples", "assert to_dict([(1, 2, 3)]) == {}"),
        (f"{T2}/solution.py", 3, "to_dict", "for k, v in pairs:")]),
    runtime("bad_unpack", "address", "ValueError: not enough values to unpack (expected 2, got 1)", [
        ("/opt/proxy/config.py", 17, "parse_addr", "host, port = addr.split(':')")], source="runtime", runner=False),

    # --- TypeError: iterating over a number ----------------------------------------------------------
    runtime("not_iterable", "digit sum", "TypeError: 'int' object is not iterable", [
        (f"{T1}/tests.py", 3, "test_digit_sum", "assert digit_sum(1234) == 10"),
        (f"{T1}/solution.py", 3, "digit_sum", "for d in n:")]),
    runtime("not_iterable", "total items", "TypeError: 'int' object is not iterable", [
        (f"{T2}/tests.py", 6, "test_total", "assert total_items({'a': 2, 'b': 3}) == 5"),
        (f"{T2}/solution.py", 4, "total_items", "return sum(count)")]),
    runtime("not_iterable", "digits list", "TypeError: 'int' object is not iterable", [
        ("/home/dev/kata/digits.py", 2, "digits", "return list(number)")], source="runtime", runner=False),
    runtime("not_iterable", "min max", "TypeError: cannot unpack non-iterable int object", [
        (f"{T1}/tests.py", 9, "test_min_max", "assert min_max([3, 1]) == (1, 3)"),
        (f"{T1}/solution.py", 6, "min_max", "lo, hi = best")]),

    # --- TypeError: assigning into an immutable string or tuple --------------------------------------
    runtime("immutable_assignment", "swap chars", "TypeError: 'str' object does not support item assignment", [
        (f"{T2}/tests.py", 4, "test_swap", "assert swap_ends('hello') == 'oellh'"),
        (f"{T2}/solution.py", 2, "swap_ends", "s[0], s[-1] = s[-1], s[0]")]),
    runtime("immutable_assignment", "capitalize words", "TypeError: 'str' object does not support item assignment", [
        (f"{T1}/tests.py", 7, "test_words", "assert cap_words('a b') == 'A B'"),
        (f"{T1}/solution.py", 4, "cap_words", "word[0] = word[0].upper()")]),
    runtime("immutable_assignment", "mask digits", "TypeError: 'str' object does not support item assignment", [
        ("/srv/billing/mask.py", 12, "mask", "text[i] = '*'")], source="runtime", runner=False),
    runtime("immutable_assignment", "move point", "TypeError: 'tuple' object does not support item assignment", [
        (f"{T2}/tests.py", 10, "test_move", "assert move((1, 2), 3) == (4, 2)"),
        (f"{T2}/solution.py", 2, "move", "point[0] += dx")]),

    # --- RecursionError: a recursion without a reachable base case -----------------------------------
    Labelled("missing_base_case", "factorial", {
        "message": "RecursionError: maximum recursion depth exceeded",
        "traceback": (
            "Traceback (most recent call last):\n"
            f'  File "{RUNNER[0]}", line 112, in run_one\n    outcome = test()\n'
            f'  File "{T1}/tests.py", line 3, in test_factorial\n    assert factorial(5) == 120\n'
            f'  File "{T1}/solution.py", line 2, in factorial\n    return n * factorial(n - 1)\n'
            f'  File "{T1}/solution.py", line 2, in factorial\n    return n * factorial(n - 1)\n'
            f'  File "{T1}/solution.py", line 2, in factorial\n    return n * factorial(n - 1)\n'
            "  [Previous line repeated 995 more times]\n"
            "RecursionError: maximum recursion depth exceeded\n"),
        "source": "test"}),
    Labelled("missing_base_case", "fibonacci", {
        "message": "RecursionError: maximum recursion depth exceeded in comparison",
        "traceback": (
            "Traceback (most recent call last):\n"
            f'  File "{T2}/tests.py", line 6, in test_fib_one\n    assert fib(1) == 1\n'
            f'  File "{T2}/solution.py", line 4, in fib\n    return fib(n - 1) + fib(n - 2)\n'
            f'  File "{T2}/solution.py", line 4, in fib\n    return fib(n - 1) + fib(n - 2)\n'
            "  [Previous line repeated 993 more times]\n"
            f'  File "{T2}/solution.py", line 2, in fib\n    if n == 0:\n'
            "RecursionError: maximum recursion depth exceeded in comparison\n"),
        "source": "test"}),
    Labelled("missing_base_case", "flatten", {
        "message": "RecursionError: maximum recursion depth exceeded while calling a Python object",
        "traceback": (
            "Traceback (most recent call last):\n"
            '  File "/home/dev/util/flat.py", line 9, in <module>\n    print(flatten(["ab", ["c"]]))\n'
            '  File "/home/dev/util/flat.py", line 5, in flatten\n    out.extend(flatten(item))\n'
            "  [Previous line repeated 996 more times]\n"
            '  File "/home/dev/util/flat.py", line 3, in flatten\n    for item in items:\n'
            "RecursionError: maximum recursion depth exceeded while calling a Python object\n"),
        "source": "runtime"}),
    Labelled("missing_base_case", "count down", {
        "message": "RecursionError: maximum recursion depth exceeded",
        "error_type": "RecursionError", "source": "runtime",
        "code": "def count_down(n):\n    if n == 0:\n        return []\n    return [n] + count_down(n - 2)\n"}),
]

KINDS = sorted({e.kind for e in ERRORS})
