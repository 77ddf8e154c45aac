"""A held-out set of labelled errors: mining parameters were chosen on `labelled_errors` only.

New tasks, new wordings, and kinds that share an exception type or a category with another kind
(None subscripted versus None in arithmetic, an attribute typo versus an attribute of None, a
missing file versus a permission error, wrong type versus empty answers).
"""

from __future__ import annotations

from tests.data.labelled_errors import Labelled, runtime, static, wrong, wrong_tb

H1, H2, H3 = "/tmp/tmpv7c2m1pa", "/tmp/tmp0rj4t8kd", "/home/sam/projects/ledger"

ERRORS: list[Labelled] = [
    # --- TypeError: a None result subscripted ---------------------------------------------------------
    runtime("none_subscript", "first word", "TypeError: 'NoneType' object is not subscriptable", [
        (f"{H1}/tests.py", 5, "test_first_word_upper", "assert first_word('Hello there') == 'HELLO'"),
        (f"{H1}/solution.py", 4, "first_word", "return words.sort()[0].upper()")]),
    runtime("none_subscript", "config port", "TypeError: 'NoneType' object is not subscriptable", [
        ("/srv/api/settings.py", 14, "port", "return load_section('server')['port']")], source="runtime", runner=False),
    runtime("none_subscript", "best match", "TypeError: 'NoneType' object is not subscriptable", [
        (f"{H2}/tests.py", 9, "test_no_match", "assert best_match([], 'x') is None"),
        (f"{H2}/solution.py", 7, "best_match", "score = best[1]")]),
    runtime("none_subscript", "json field", "TypeError: 'NoneType' object is not subscriptable", [
        (f"{H3}/reader.py", 33, "amount", "return payload.get('data')['amount']")], source="runtime", runner=False),

    # --- TypeError: None in arithmetic or concatenation ----------------------------------------------
    runtime("none_arithmetic", "discount", "TypeError: unsupported operand type(s) for -: 'NoneType' and 'int'", [
        (f"{H1}/tests.py", 12, "test_unknown_code", "assert discounted(100, 'XYZ') == 100"),
        (f"{H1}/solution.py", 6, "discounted", "return price - (rate(code) * price) // 100")]),
    runtime("none_arithmetic", "append rows", 'TypeError: can only concatenate list (not "NoneType") to list', [
        (f"{H2}/tests.py", 4, "test_concat", "assert combine([1], [2]) == [1, 2]"),
        (f"{H2}/solution.py", 3, "combine", "return a + b.extend([])")]),
    runtime("none_arithmetic", "total hours", "TypeError: unsupported operand type(s) for +=: 'float' and 'NoneType'", [
        (f"{H3}/timesheet.py", 52, "total_hours", "hours += entry.get('hours')")], source="runtime", runner=False),
    runtime("none_arithmetic", "label", 'TypeError: can only concatenate str (not "NoneType") to str', [
        (f"{H1}/tests.py", 7, "test_label_default", "assert label({'id': 3}) == 'item-3'"),
        (f"{H1}/solution.py", 2, "label", "return item.get('prefix') + '-' + str(item['id'])")]),

    # --- AttributeError: a method that does not exist on that type -----------------------------------
    runtime("attribute_typo", "stack", "AttributeError: 'list' object has no attribute 'push'", [
        (f"{H2}/tests.py", 6, "test_push_pop", "assert run(['push 1', 'pop']) == [1]"),
        (f"{H2}/solution.py", 9, "run", "stack.push(int(arg))")]),
    runtime("attribute_typo", "contains", "AttributeError: 'str' object has no attribute 'contains'", [
        (f"{H1}/tests.py", 3, "test_has_digit", "assert has_digit('a1')"),
        (f"{H1}/solution.py", 2, "has_digit", "return any(text.contains(d) for d in '0123456789')")]),
    runtime("attribute_typo", "legacy dict", "AttributeError: 'dict' object has no attribute 'has_key'", [
        ("/home/sam/tools/cfg.py", 21, "get_opt", "if opts.has_key(name):")], source="runtime", runner=False),
    runtime("attribute_typo", "counter", "AttributeError: 'int' object has no attribute 'append'", [
        (f"{H2}/tests.py", 11, "test_group_sizes", "assert sizes(['a', 'bb']) == {1: ['a'], 2: ['bb']}"),
        (f"{H2}/solution.py", 5, "sizes", "groups[len(w)].append(w)")]),

    # --- AttributeError on None ------------------------------------------------------------------------
    runtime("none_attribute", "find tag", "AttributeError: 'NoneType' object has no attribute 'get'", [
        (f"{H1}/tests.py", 8, "test_no_link", "assert link_of('<p>x</p>') is None"),
        (f"{H1}/solution.py", 6, "link_of", "return soup.find('a').get('href')")]),
    runtime("none_attribute", "version", "AttributeError: 'NoneType' object has no attribute 'groups'", [
        ("/home/sam/release/ver.py", 9, "parse", "major, minor, patch = VERSION.match(tag).groups()")], source="runtime", runner=False),
    runtime("none_attribute", "linked list", "AttributeError: 'NoneType' object has no attribute 'next'", [
        (f"{H2}/tests.py", 14, "test_remove_last", "assert to_list(remove(make([1, 2]), 2)) == [1]"),
        (f"{H2}/solution.py", 12, "remove", "while node.next.value != value:")]),
    runtime("none_attribute", "customer city", "AttributeError: 'NoneType' object has no attribute 'city'", [
        (f"{H3}/report.py", 77, "row_for", "city = customer.address.city")], source="runtime", runner=False),

    # --- TypeError: calling with the wrong number of arguments ---------------------------------------
    runtime("arity", "area", "TypeError: area() takes 2 positional arguments but 3 were given", [
        (f"{H1}/tests.py", 4, "test_box", "assert volume(2, 3, 4) == 24"),
        (f"{H1}/solution.py", 8, "volume", "return area(w, h, d) * d")]),
    runtime("arity", "greeter", "TypeError: Greeter.greet() missing 1 required positional argument: 'name'", [
        (f"{H2}/tests.py", 6, "test_greet", "assert Greeter().greet() == 'Hi'")]),
    runtime("arity", "sorter", "TypeError: sort_by() got an unexpected keyword argument 'reverse'", [
        ("/home/sam/tools/sorting.py", 40, "main", "rows = sort_by(rows, 'age', reverse=True)")], source="runtime", runner=False),
    runtime("arity", "parser", "TypeError: parse() missing 2 required positional arguments: 'text' and 'sep'", [
        (f"{H1}/tests.py", 10, "test_parse_csv", "assert parse('a,b') == ['a', 'b']")]),

    # --- KeyError ---------------------------------------------------------------------------------------
    runtime("missing_key", "inventory", "KeyError: 'widget'", [
        (f"{H2}/tests.py", 5, "test_restock_new", "assert restock({}, 'widget', 3) == {'widget': 3}"),
        (f"{H2}/solution.py", 2, "restock", "stock[item] += qty")]),
    runtime("missing_key", "grid", "KeyError: (2, 3)", [
        (f"{H1}/tests.py", 13, "test_edge", "assert neighbours(GRID, (2, 2)) == 3"),
        (f"{H1}/solution.py", 7, "neighbours", "total += grid[(x + dx, y + dy)]")]),
    runtime("missing_key", "env", "KeyError: 'DATABASE_URL'", [
        ("/srv/api/db.py", 8, "<module>", "URL = os.environ['DATABASE_URL']")], source="runtime", runner=False),
    runtime("missing_key", "month names", "KeyError: 13", [
        (f"{H2}/tests.py", 3, "test_december_wrap", "assert next_month_name(12) == 'January'"),
        (f"{H2}/solution.py", 4, "next_month_name", "return NAMES[month + 1]")]),

    # --- IndexError off by one --------------------------------------------------------------------------
    runtime("index_off_by_one", "peaks", "IndexError: list index out of range", [
        (f"{H1}/tests.py", 6, "test_peak_at_end", "assert peaks([1, 3, 2, 5]) == [1, 3]"),
        (f"{H1}/solution.py", 4, "peaks", "if xs[i] > xs[i - 1] and xs[i] > xs[i + 1]:")]),
    runtime("index_off_by_one", "caesar", "IndexError: string index out of range", [
        (f"{H2}/tests.py", 9, "test_wrap_z", "assert shift('z', 1) == 'a'"),
        (f"{H2}/solution.py", 5, "shift", "out += ALPHABET[ALPHABET.index(c) + k]")]),
    runtime("index_off_by_one", "matrix diagonal", "IndexError: list index out of range", [
        (f"{H3}/matrix.py", 18, "diagonal", "return [m[i][i] for i in range(len(m) + 1)]")], source="runtime", runner=False),
    runtime("index_off_by_one", "window max", "IndexError: list index out of range", [
        (f"{H1}/tests.py", 15, "test_window_three", "assert window_max([4, 1, 7, 2], 3) == [7, 7]"),
        (f"{H1}/solution.py", 6, "window_max", "best = max(best, xs[j + k])")]),

    # --- Wrong answer: right value, wrong type ----------------------------------------------------------
    wrong("assert_wrong_type", "parse int", "assert to_int('42') == 42", "42", "'42'", "test_to_int"),
    wrong("assert_wrong_type", "pair", "assert make_pair(1, 2) == (1, 2)", "(1, 2)", "[1, 2]", "test_pair"),
    wrong_tb("assert_wrong_type", "halve", f"{H2}/tests.py", 4, "test_halve_odd",
             "assert halve(5) == 2.5", "AssertionError: assert '2.5' == 2.5"),
    wrong("assert_wrong_type", "split csv", "assert split_csv('1,2') == ['1', '2']", "['1', '2']", "'1,2'", "test_split"),

    # --- Wrong answer: empty result -----------------------------------------------------------------------
    wrong("assert_empty", "evens", "assert evens([1, 2, 3, 4]) == [2, 4]", "[2, 4]", "[]", "test_evens"),
    wrong("assert_empty", "initials", "assert initials('Ada Lovelace') == 'AL'", "'AL'", "''", "test_initials"),
    wrong_tb("assert_empty", "index words", f"{H1}/tests.py", 7, "test_index",
             "assert index_words('a b a') == {'a': [0, 2], 'b': [1]}", "AssertionError: assert {} == {'a': [0, 2], 'b': [1]}"),
    wrong("assert_empty", "common", "assert common([1, 2], [2, 3]) == [2]", "[2]", "[]", "test_common"),

    # --- Wrong answer: off by one -------------------------------------------------------------------------
    wrong("assert_off_by_one", "leap years", "assert count_leap_years(2000, 2020) == 6", "6", "5", "test_leap"),
    wrong("assert_off_by_one", "digits", "assert num_digits(1000) == 4", "4", "3", "test_digits"),
    wrong_tb("assert_off_by_one", "pages", f"{H2}/tests.py", 8, "test_exact_pages",
             "assert pages(100, 10) == 10", "AssertionError: assert 11 == 10"),
    wrong("assert_off_by_one", "countdown", "assert countdown(3) == [3, 2, 1, 0]", "[3, 2, 1, 0]", "[3, 2, 1]", "test_countdown"),

    # --- Variable used before assignment --------------------------------------------------------------
    runtime("unbound_local", "running max", "UnboundLocalError: cannot access local variable 'best' where it is not associated with a value", [
        (f"{H1}/tests.py", 3, "test_empty", "assert running_max([]) == []"),
        (f"{H1}/solution.py", 6, "running_max", "return best")]),
    runtime("unbound_local", "counter", "UnboundLocalError: local variable 'count' referenced before assignment", [
        ("/home/sam/tools/tally.py", 11, "bump", "count += 1")], source="runtime", runner=False),
    runtime("unbound_local", "result", "UnboundLocalError: cannot access local variable 'result' where it is not associated with a value", [
        (f"{H2}/tests.py", 6, "test_no_match", "assert lookup('zz') is None"),
        (f"{H2}/solution.py", 8, "lookup", "return result")]),

    # --- Missing input file ---------------------------------------------------------------------------
    runtime("missing_file", "load csv", "FileNotFoundError: [Errno 2] No such file or directory: 'data/input.csv'", [
        (f"{H3}/load.py", 12, "load", "with open(path) as f:")], source="runtime", runner=False),
    runtime("missing_file", "read template", "FileNotFoundError: [Errno 2] No such file or directory: '/home/sam/site/templates/base.html'", [
        ("/home/sam/site/render.py", 30, "render", "template = Path(TEMPLATES, name).read_text()")], source="runtime", runner=False),
    runtime("missing_file", "fixtures", "FileNotFoundError: [Errno 2] No such file or directory: 'fixtures/users.json'", [
        (f"{H1}/tests.py", 4, "test_load_users", "assert len(load_users()) == 3"),
        (f"{H1}/solution.py", 5, "load_users", "with open('fixtures/users.json') as fh:")]),

    # --- Permission denied ----------------------------------------------------------------------------
    runtime("permission_denied", "write log", "PermissionError: [Errno 13] Permission denied: '/var/log/app.log'", [
        ("/srv/api/logging_setup.py", 9, "setup", "handler = open(LOG_PATH, 'a')")], source="runtime", runner=False),
    runtime("permission_denied", "save cache", "PermissionError: [Errno 13] Permission denied: '/usr/share/cache.db'", [
        ("/home/sam/tools/cache.py", 44, "save", "with open(self.path, 'wb') as fh:")], source="runtime", runner=False),
    runtime("permission_denied", "delete", "PermissionError: [Errno 13] Permission denied: 'C:\\\\ProgramData\\\\app\\\\lock'", [
        ("C:\\Users\\kim\\app\\cleanup.py", 7, "cleanup", "os.remove(LOCK)")], source="runtime", runner=False),

    # --- Dict or set changed while iterating it ------------------------------------------------------
    runtime("mutated_while_iterating", "prune", "RuntimeError: dictionary changed size during iteration", [
        (f"{H2}/tests.py", 5, "test_prune_zero", "assert prune({'a': 0, 'b': 1}) == {'b': 1}"),
        (f"{H2}/solution.py", 2, "prune", "for key in counts:")]),
    runtime("mutated_while_iterating", "dedupe set", "RuntimeError: Set changed size during iteration", [
        ("/home/sam/tools/tags.py", 15, "clean", "for tag in tags:")], source="runtime", runner=False),
    runtime("mutated_while_iterating", "expire", "RuntimeError: dictionary changed size during iteration", [
        (f"{H3}/sessions.py", 61, "expire", "for sid, session in self.sessions.items():")], source="runtime", runner=False),

    # --- Static findings -------------------------------------------------------------------------------
    static("unused_import", "stats", "F401", "`os` imported but unused", "import os\n\n\ndef mean(xs):\n    return sum(xs) / len(xs)\n", 1),
    static("unused_import", "dates", "F401", "`datetime.timedelta` imported but unused",
           "from datetime import date, timedelta\n\n\ndef today():\n    return date.today()\n", 1),
    static("unused_import", "typing", "F401", "`typing.Dict` imported but unused",
           "from typing import Dict, List\n\n\ndef first(xs: List[int]) -> int:\n    return xs[0]\n", 1, via_evidence=False),
    static("none_comparison", "find", "E711", "Comparison to `None` should be `cond is None`",
           "def find(xs, x):\n    r = index(xs, x)\n    if r == None:\n        return -1\n    return r\n", 3),
    static("none_comparison", "config", "E711", "Comparison to `None` should be `cond is not None`",
           "def has_port(cfg):\n    return cfg.get('port') != None\n", 2),
    static("none_comparison", "cache", "E711", "Comparison to `None` should be `cond is None`",
           "class Cache:\n    def get(self, key):\n        value = self.data.get(key)\n        if value == None:\n            return self.load(key)\n        return value\n", 4, via_evidence=False),
]

KINDS = sorted({e.kind for e in ERRORS})
