"""Correct and buggy solutions to small tasks, each labelled with the verdict it deserves and, for a
bug, the stage that must catch it.

Each task has one set of tests (and, for three tasks, a growth check) written the way a task
author would write them; the solutions are what a model might hand in. The labels are ground
truth about the code, decided by reading it, not by running validate_code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    name: str
    tests: str
    perf: dict | None = None
    """PerfSpec fields for level-4 tasks."""


@dataclass(frozen=True)
class Solution:
    task: str
    label: str
    code: str
    correct: bool
    stage: str | None = None
    """Stage that must catch the bug: syntax, static, tests or performance (None when correct)."""


TASKS = {
    t.name: t
    for t in [
        Task(
            "fizzbuzz",
            """
def test_first_fifteen():
    assert fizzbuzz(15) == ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz", "13", "14", "FizzBuzz"]

def test_none():
    assert fizzbuzz(0) == []
""",
        ),
        Task(
            "is_palindrome",
            """
import pytest

@pytest.mark.parametrize("text, expected", [
    ("A man, a plan, a canal: Panama", True), ("race a car", False), ("", True), ("ab", False), ("No 'x' in Nixon", True),
])
def test_palindromes(text, expected):
    assert is_palindrome(text) is expected
""",
        ),
        Task(
            "median",
            """
import pytest

def test_odd():
    assert median([3, 1, 2]) == 2

def test_even():
    assert median([4, 1, 3, 2]) == 2.5

def test_single():
    assert median([7]) == 7

def test_does_not_change_its_input():
    xs = [3, 1, 2]
    median(xs)
    assert xs == [3, 1, 2]

def test_empty():
    with pytest.raises(ValueError):
        median([])
""",
        ),
        Task(
            "binary_search",
            """
def test_found_everywhere():
    xs = [1, 3, 5, 7, 9, 11]
    for i, x in enumerate(xs):
        assert binary_search(xs, x) == i

def test_missing():
    assert binary_search([1, 3, 5], 4) == -1
    assert binary_search([1, 3, 5], 0) == -1
    assert binary_search([1, 3, 5], 6) == -1

def test_empty():
    assert binary_search([], 1) == -1
""",
        ),
        Task(
            "word_count",
            """
def test_counts_words_case_insensitively():
    assert word_count("The cat and the hat.") == {"the": 2, "cat": 1, "and": 1, "hat": 1}

def test_punctuation_is_not_part_of_words():
    assert word_count("Hi! Hi? hi.") == {"hi": 3}

def test_each_call_starts_from_zero():
    assert word_count("one") == {"one": 1}
    assert word_count("one") == {"one": 1}

def test_empty():
    assert word_count("") == {}
""",
        ),
        Task(
            "flatten",
            """
def test_deep():
    assert flatten([1, [2, [3, [4, [5]]]], 6]) == [1, 2, 3, 4, 5, 6]

def test_flat_and_empty():
    assert flatten([1, 2]) == [1, 2]
    assert flatten([[], [[]]]) == []
""",
        ),
        Task(
            "merge_intervals",
            """
def test_overlapping():
    assert merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]]) == [[1, 6], [8, 10], [15, 18]]

def test_touching_intervals_merge():
    assert merge_intervals([[1, 4], [4, 5]]) == [[1, 5]]

def test_unsorted_input():
    assert merge_intervals([[8, 10], [1, 3], [2, 4]]) == [[1, 4], [8, 10]]

def test_empty():
    assert merge_intervals([]) == []
""",
        ),
        Task(
            "roman_to_int",
            """
import pytest

@pytest.mark.parametrize("numeral, value", [("III", 3), ("IV", 4), ("IX", 9), ("LVIII", 58), ("MCMXCIV", 1994)])
def test_numerals(numeral, value):
    assert roman_to_int(numeral) == value
""",
        ),
        Task(
            "two_sum",
            """
def test_pair():
    assert two_sum([2, 7, 11, 15], 9) == (0, 1)

def test_same_value_twice():
    assert two_sum([3, 3], 6) == (0, 1)

def test_an_item_is_not_paired_with_itself():
    assert two_sum([3, 2, 4], 6) == (1, 2)

def test_no_pair():
    assert two_sum([1, 2], 10) is None
""",
            perf={"function": "two_sum", "input": "(list(range(n)), -1)", "max_exponent": 1.0, "min_n": 256},
        ),
        Task(
            "stack",
            """
import pytest

def test_last_in_first_out():
    s = Stack()
    s.push(1)
    s.push(2)
    assert s.peek() == 2
    assert s.pop() == 2
    assert s.pop() == 1
    assert s.is_empty()

def test_stacks_are_independent():
    a, b = Stack(), Stack()
    a.push(1)
    assert b.is_empty()
    assert len(a) == 1

def test_empty_stack_raises():
    with pytest.raises(IndexError):
        Stack().pop()
    with pytest.raises(IndexError):
        Stack().peek()
""",
        ),
        Task(
            "parse_kv",
            """
import pytest

def test_pairs():
    assert parse_kv("a=1;b=22") == {"a": 1, "b": 22}

def test_spaces_are_ignored():
    assert parse_kv(" a = 1 ; b=2 ") == {"a": 1, "b": 2}

def test_empty():
    assert parse_kv("") == {}

def test_malformed():
    with pytest.raises(ValueError):
        parse_kv("a")
    with pytest.raises(ValueError):
        parse_kv("a=x")
""",
        ),
        Task(
            "rotate",
            """
def test_rotates_clockwise_in_place():
    m = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    result = rotate(m)
    assert m == [[7, 4, 1], [8, 5, 2], [9, 6, 3]]
    assert result is None

def test_two_by_two():
    m = [[1, 2], [3, 4]]
    rotate(m)
    assert m == [[3, 1], [4, 2]]
""",
        ),
        Task(
            "unique_in_order",
            """
def test_keeps_first_occurrences_in_order():
    assert unique_in_order([3, 1, 3, 2, 1]) == [3, 1, 2]

def test_strings_and_empty():
    assert unique_in_order(list("banana")) == ["b", "a", "n"]
    assert unique_in_order([]) == []
""",
            perf={
                "function": "unique_in_order",
                "input": "list(range(n))",
                "max_exponent": 1.0,
                "min_n": 256,
            },
        ),
        Task(
            "fibonacci",
            """
def test_start():
    assert [fibonacci(n) for n in range(8)] == [0, 1, 1, 2, 3, 5, 8, 13]

def test_large():
    assert fibonacci(60) == 1548008755920
""",
        ),
        Task(
            "group_anagrams",
            """
def normalise(groups):
    return sorted(sorted(group) for group in groups)

def test_groups():
    groups = group_anagrams(["eat", "tea", "tan", "ate", "nat", "bat"])
    assert normalise(groups) == [["ate", "eat", "tea"], ["bat"], ["nat", "tan"]]

def test_same_length_but_not_anagrams():
    assert normalise(group_anagrams(["ab", "cd"])) == [["ab"], ["cd"]]
""",
        ),
        Task(
            "chunk",
            """
import pytest

def test_even_and_uneven():
    assert chunk([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]
    assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]

def test_empty():
    assert chunk([], 3) == []

def test_bad_size():
    with pytest.raises(ValueError):
        chunk([1], 0)
""",
        ),
        Task(
            "running_max",
            """
def test_running_max():
    assert running_max([1, 3, 2, 5, 4]) == [1, 3, 3, 5, 5]

def test_negative_numbers():
    assert running_max([-5, -7, -1]) == [-5, -5, -1]
""",
            perf={
                "function": "running_max",
                "input": "[random.random() for _ in range(n)]",
                "max_exponent": 1.0,
                "min_n": 256,
            },
        ),
    ]
}


def S(task: str, label: str, code: str, stage: str | None = None) -> Solution:
    return Solution(task, label, code, correct=stage is None, stage=stage)


SOLUTIONS = [
    # fizzbuzz --------------------------------------------------------------------------------
    S(
        "fizzbuzz",
        "correct",
        """
def fizzbuzz(n):
    out = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            out.append("FizzBuzz")
        elif i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        else:
            out.append(str(i))
    return out
""",
    ),
    S(
        "fizzbuzz",
        "checks 3 before 15",
        """
def fizzbuzz(n):
    out = []
    for i in range(1, n + 1):
        if i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        elif i % 15 == 0:
            out.append("FizzBuzz")
        else:
            out.append(str(i))
    return out
""",
        "tests",
    ),
    S(
        "fizzbuzz",
        "stops one short",
        """
def fizzbuzz(n):
    return ["FizzBuzz" if i % 15 == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else str(i) for i in range(1, n)]
""",
        "tests",
    ),
    S(
        "fizzbuzz",
        "missing colon",
        """
def fizzbuzz(n):
    out = []
    for i in range(1, n + 1)
        out.append(str(i))
    return out
""",
        "syntax",
    ),
    S(
        "fizzbuzz",
        "appends to a list that does not exist",
        """
def fizzbuzz(n):
    out = []
    for i in range(1, n + 1):
        result.append("Fizz" * (i % 3 == 0) + "Buzz" * (i % 5 == 0) or str(i))
    return out
""",
        "static",
    ),
    # is_palindrome ---------------------------------------------------------------------------
    S(
        "is_palindrome",
        "correct",
        """
def is_palindrome(text):
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]
""",
    ),
    S(
        "is_palindrome",
        "correct with two pointers",
        """
def is_palindrome(text):
    i, j = 0, len(text) - 1
    while i < j:
        if not text[i].isalnum():
            i += 1
        elif not text[j].isalnum():
            j -= 1
        elif text[i].lower() != text[j].lower():
            return False
        else:
            i, j = i + 1, j - 1
    return True
""",
    ),
    S(
        "is_palindrome",
        "forgets case",
        """
def is_palindrome(text):
    cleaned = [c for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]
""",
        "tests",
    ),
    S(
        "is_palindrome",
        "unclosed bracket",
        """
def is_palindrome(text):
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1
""",
        "syntax",
    ),
    # median ----------------------------------------------------------------------------------
    S(
        "median",
        "correct",
        """
def median(xs):
    if not xs:
        raise ValueError("median of an empty list")
    ordered = sorted(xs)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2
""",
    ),
    S(
        "median",
        "ignores the even case",
        """
def median(xs):
    if not xs:
        raise ValueError("median of an empty list")
    ordered = sorted(xs)
    return ordered[len(ordered) // 2]
""",
        "tests",
    ),
    S(
        "median",
        "sorts its input in place",
        """
def median(xs):
    if not xs:
        raise ValueError("median of an empty list")
    xs.sort()
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
""",
        "tests",
    ),
    S(
        "median",
        "uses statistics without importing it",
        """
def median(xs):
    if not xs:
        raise ValueError("median of an empty list")
    return statistics.median(xs)
""",
        "static",
    ),
    S(
        "median",
        "IndexError instead of ValueError",
        """
def median(xs):
    ordered = sorted(xs)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2
""",
        "tests",
    ),
    # binary_search ---------------------------------------------------------------------------
    S(
        "binary_search",
        "correct",
        """
def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
""",
    ),
    S(
        "binary_search",
        "correct with bisect",
        """
from bisect import bisect_left

def binary_search(xs, target):
    i = bisect_left(xs, target)
    return i if i < len(xs) and xs[i] == target else -1
""",
    ),
    S(
        "binary_search",
        "never looks at the last element",
        """
def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
""",
        "tests",
    ),
    S(
        "binary_search",
        "loops forever when the target is missing",
        """
def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid
        else:
            hi = mid - 1
    return -1
""",
        "tests",
    ),
    S(
        "binary_search",
        "return outside the function",
        """
def binary_search(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            return i
return -1
""",
        "syntax",
    ),
    # word_count ------------------------------------------------------------------------------
    S(
        "word_count",
        "correct",
        """
import re
from collections import Counter

def word_count(text):
    return dict(Counter(re.findall(r"[a-z']+", text.lower())))
""",
    ),
    S(
        "word_count",
        "keeps case",
        """
import re

def word_count(text):
    counts = {}
    for word in re.findall(r"[A-Za-z']+", text):
        counts[word] = counts.get(word, 0) + 1
    return counts
""",
        "tests",
    ),
    S(
        "word_count",
        "forgets to import re",
        """
def word_count(text):
    counts = {}
    for word in re.findall(r"[a-z']+", text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return counts
""",
        "static",
    ),
    S(
        "word_count",
        "mutable default keeps counting",
        """
import re

def word_count(text, counts={}):
    for word in re.findall(r"[a-z']+", text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return dict(counts)
""",
        "tests",
    ),
    # flatten ---------------------------------------------------------------------------------
    S(
        "flatten",
        "correct",
        """
def flatten(nested):
    out = []
    for item in nested:
        if isinstance(item, list):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out
""",
    ),
    S(
        "flatten",
        "one level only",
        """
def flatten(nested):
    out = []
    for item in nested:
        if isinstance(item, list):
            out.extend(item)
        else:
            out.append(item)
    return out
""",
        "tests",
    ),
    S(
        "flatten",
        "returns a misspelt name",
        """
def flatten(nested):
    result = []
    for item in nested:
        result.extend(flatten(item) if isinstance(item, list) else [item])
    return reslt
""",
        "static",
    ),
    S(
        "flatten",
        "bad indentation",
        """
def flatten(nested):
    out = []
    for item in nested:
    out.append(item)
    return out
""",
        "syntax",
    ),
    # merge_intervals -------------------------------------------------------------------------
    S(
        "merge_intervals",
        "correct",
        """
def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
""",
    ),
    S(
        "merge_intervals",
        "does not sort",
        """
def merge_intervals(intervals):
    merged = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
""",
        "tests",
    ),
    S(
        "merge_intervals",
        "touching intervals stay apart",
        """
def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
""",
        "tests",
    ),
    S(
        "merge_intervals",
        "format string short of arguments",
        """
def merge_intervals(intervals):
    merged = []
    for interval in sorted(intervals):
        if len(interval) != 2:
            raise ValueError("bad interval %s of %s" % (interval,))
        if merged and interval[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], interval[1])
        else:
            merged.append(list(interval))
    return merged
""",
        "static",
    ),
    # roman_to_int ----------------------------------------------------------------------------
    S(
        "roman_to_int",
        "correct",
        """
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

def roman_to_int(numeral):
    total = 0
    for here, after in zip(numeral, numeral[1:] + " "):
        value = VALUES[here]
        total += -value if after != " " and VALUES[after] > value else value
    return total
""",
    ),
    S(
        "roman_to_int",
        "no subtractive forms",
        """
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

def roman_to_int(numeral):
    return sum(VALUES[c] for c in numeral)
""",
        "tests",
    ),
    S(
        "roman_to_int",
        "compares strings with is",
        """
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

def roman_to_int(numeral):
    if numeral is "":
        return 0
    total = 0
    for i, c in enumerate(numeral):
        value = VALUES[c]
        if i + 1 < len(numeral) and VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
""",
        "syntax",
    ),
    S(
        "roman_to_int",
        "repeated key in the table",
        """
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000, "C": 1000}

def roman_to_int(numeral):
    total = 0
    for i, c in enumerate(numeral):
        value = VALUES[c]
        total += -value if i + 1 < len(numeral) and VALUES[numeral[i + 1]] > value else value
    return total
""",
        "static",
    ),
    # two_sum (level 4) -----------------------------------------------------------------------
    S(
        "two_sum",
        "correct with a dict",
        """
def two_sum(nums, target):
    seen = {}
    for j, x in enumerate(nums):
        if target - x in seen:
            return (seen[target - x], j)
        seen[x] = j
    return None
""",
    ),
    S(
        "two_sum",
        "quadratic pairs",
        """
def two_sum(nums, target):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == target:
                return (i, j)
    return None
""",
        "performance",
    ),
    S(
        "two_sum",
        "pairs an item with itself",
        """
def two_sum(nums, target):
    index = {x: i for i, x in enumerate(nums)}
    for i, x in enumerate(nums):
        if target - x in index:
            return (i, index[target - x])
    return None
""",
        "tests",
    ),
    S(
        "two_sum",
        "indices in the wrong order",
        """
def two_sum(nums, target):
    seen = {}
    for j, x in enumerate(nums):
        if target - x in seen:
            return (j, seen[target - x])
        seen[x] = j
    return None
""",
        "tests",
    ),
    # stack -----------------------------------------------------------------------------------
    S(
        "stack",
        "correct",
        """
class Stack:
    def __init__(self):
        self._items = []

    def push(self, item):
        self._items.append(item)

    def pop(self):
        if not self._items:
            raise IndexError("pop from an empty stack")
        return self._items.pop()

    def peek(self):
        if not self._items:
            raise IndexError("peek at an empty stack")
        return self._items[-1]

    def is_empty(self):
        return not self._items

    def __len__(self):
        return len(self._items)
""",
    ),
    S(
        "stack",
        "shares one list between all stacks",
        """
class Stack:
    items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        return self.items.pop()

    def peek(self):
        return self.items[-1]

    def is_empty(self):
        return not self.items

    def __len__(self):
        return len(self.items)
""",
        "tests",
    ),
    S(
        "stack",
        "pops from the bottom",
        """
class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        return self.items.pop(0)

    def peek(self):
        return self.items[-1]

    def is_empty(self):
        return not self.items

    def __len__(self):
        return len(self.items)
""",
        "tests",
    ),
    S(
        "stack",
        "raises an exception class it never defined",
        """
class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        if not self.items:
            raise EmptyStackError("empty")
        return self.items.pop()

    def peek(self):
        return self.items[-1]

    def is_empty(self):
        return not self.items

    def __len__(self):
        return len(self.items)
""",
        "static",
    ),
    # parse_kv --------------------------------------------------------------------------------
    S(
        "parse_kv",
        "correct",
        """
def parse_kv(text):
    result = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"missing '=' in {part!r}")
        result[key.strip()] = int(value)
    return result
""",
    ),
    S(
        "parse_kv",
        "does not strip keys",
        """
def parse_kv(text):
    result = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"missing '=' in {part!r}")
        result[key] = int(value)
    return result
""",
        "tests",
    ),
    S(
        "parse_kv",
        "chokes on empty input",
        """
def parse_kv(text):
    result = {}
    for part in text.split(";"):
        key, value = part.split("=")
        result[key.strip()] = int(value)
    return result
""",
        "tests",
    ),
    S(
        "parse_kv",
        "swallows every error",
        """
def parse_kv(text):
    result = {}
    try:
        for part in text.split(";"):
            if part.strip():
                key, value = part.split("=")
                result[key.strip()] = int(value)
    except:
        return {}
    return result
""",
        "tests",
    ),
    # rotate ----------------------------------------------------------------------------------
    S(
        "rotate",
        "correct",
        """
def rotate(matrix):
    n = len(matrix)
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i][j], matrix[j][i] = matrix[j][i], matrix[i][j]
    for row in matrix:
        row.reverse()
""",
    ),
    S(
        "rotate",
        "correct by slice assignment",
        """
def rotate(matrix):
    matrix[:] = [list(row) for row in zip(*matrix[::-1])]
""",
    ),
    S(
        "rotate",
        "returns a new matrix instead",
        """
def rotate(matrix):
    return [list(row) for row in zip(*matrix[::-1])]
""",
        "tests",
    ),
    S(
        "rotate",
        "rotates the wrong way",
        """
def rotate(matrix):
    matrix[:] = [list(row) for row in zip(*matrix)][::-1]
""",
        "tests",
    ),
    # unique_in_order (level 4) ---------------------------------------------------------------
    S(
        "unique_in_order",
        "correct with a set",
        """
def unique_in_order(xs):
    seen = set()
    out = []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
""",
    ),
    S(
        "unique_in_order",
        "correct with dict.fromkeys",
        """
def unique_in_order(xs):
    return list(dict.fromkeys(xs))
""",
    ),
    S(
        "unique_in_order",
        "membership test on a list",
        """
def unique_in_order(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out
""",
        "performance",
    ),
    S(
        "unique_in_order",
        "loses the order",
        """
def unique_in_order(xs):
    return sorted(set(xs))
""",
        "tests",
    ),
    # fibonacci -------------------------------------------------------------------------------
    S(
        "fibonacci",
        "correct",
        """
def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
""",
    ),
    S(
        "fibonacci",
        "exponential recursion",
        """
def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)
""",
        "tests",
    ),
    S(
        "fibonacci",
        "starts one step late",
        """
def fibonacci(n):
    a, b = 1, 1
    for _ in range(n):
        a, b = b, a + b
    return a
""",
        "tests",
    ),
    S(
        "fibonacci",
        "recursion through a misspelt name",
        """
from functools import lru_cache

@lru_cache(maxsize=None)
def fibonacci(n):
    return n if n < 2 else fibonaci(n - 1) + fibonaci(n - 2)
""",
        "static",
    ),
    # group_anagrams --------------------------------------------------------------------------
    S(
        "group_anagrams",
        "correct",
        """
from collections import defaultdict

def group_anagrams(words):
    groups = defaultdict(list)
    for word in words:
        groups["".join(sorted(word))].append(word)
    return list(groups.values())
""",
    ),
    S(
        "group_anagrams",
        "groups by length",
        """
def group_anagrams(words):
    groups = {}
    for word in words:
        groups.setdefault(len(word), []).append(word)
    return list(groups.values())
""",
        "tests",
    ),
    S(
        "group_anagrams",
        "broken comprehension",
        """
def group_anagrams(words):
    keys = {"".join(sorted(w)) for w in}
    return [[w for w in words if "".join(sorted(w)) == k] for k in keys]
""",
        "syntax",
    ),
    # chunk -----------------------------------------------------------------------------------
    S(
        "chunk",
        "correct",
        """
def chunk(xs, size):
    if size <= 0:
        raise ValueError("size must be positive")
    return [xs[i:i + size] for i in range(0, len(xs), size)]
""",
    ),
    S(
        "chunk",
        "drops the last partial chunk",
        """
def chunk(xs, size):
    if size <= 0:
        raise ValueError("size must be positive")
    return [xs[i:i + size] for i in range(0, len(xs) - size + 1, size)]
""",
        "tests",
    ),
    S(
        "chunk",
        "returns nothing for a bad size",
        """
def chunk(xs, size):
    if size <= 0:
        return []
    return [xs[i:i + size] for i in range(0, len(xs), size)]
""",
        "tests",
    ),
    # running_max (level 4) -------------------------------------------------------------------
    S(
        "running_max",
        "correct",
        """
def running_max(xs):
    out = []
    best = None
    for x in xs:
        best = x if best is None or x > best else best
        out.append(best)
    return out
""",
    ),
    S(
        "running_max",
        "recomputes max of every prefix",
        """
def running_max(xs):
    return [max(xs[: i + 1]) for i in range(len(xs))]
""",
        "performance",
    ),
    S(
        "running_max",
        "starts from zero",
        """
def running_max(xs):
    out, best = [], 0
    for x in xs:
        best = max(best, x)
        out.append(best)
    return out
""",
        "tests",
    ),
]
