import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.log_error.scrub import Scrubber, scrub

SECRETS = [
    ("api_key", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    ("api_key", "sk-proj-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"),
    ("api_key", "sk-ABCDEFGHIJKLMNOPQRSTUVWX12345678"),
    ("api_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("aws_key", "AKIAIOSFODNN7EXAMPLE"),
    ("github_token", "ghp_1234567890abcdefghijABCDEFGHIJklmnopqr"),
    ("github_token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
    ("slack_token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKl"),
    ("google_api_key", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
]


@pytest.mark.parametrize(("kind", "secret"), SECRETS)
def test_api_keys_and_tokens_are_replaced_by_a_marker_naming_their_kind(kind: str, secret: str) -> None:
    text, removed = scrub(f"Error calling the API with key {secret} (status 401)")
    assert secret not in text
    assert f"[REDACTED:{kind}]" in text
    assert removed == {kind: 1}


@pytest.mark.parametrize(
    ("text", "leaked", "kind"),
    [
        ("Authorization: Bearer abc123def456ghi789", "abc123def456ghi789", "bearer"),
        ("password=hunter2 user=bob", "hunter2", "password"),
        ("DB_PASSWORD: s3cr3t-value", "s3cr3t-value", "password"),
        ('{"api_key": "k-12345", "user": "x"}', "k-12345", "api_key"),
        ("GITHUB_TOKEN=abcdef123456", "abcdef123456", "token"),
        ("client_secret = 'oauth-shh-42'", "oauth-shh-42", "secret"),
        ("connect postgresql://app:pa55word@db.internal:5432/prod failed", "pa55word", "password"),
        ("GET https://api.example.org/v1/items?token=ab12cd34&page=2", "ab12cd34", "token"),
        ("mail ada.lovelace@example.com about it", "ada.lovelace@example.com", "email"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----\nafter",
            "MIIEowIBAAKCAQEA7",
            "private_key",
        ),
    ],
)
def test_assignments_urls_headers_keys_and_emails_are_scrubbed(text: str, leaked: str, kind: str) -> None:
    scrubbed, removed = scrub(text)
    assert leaked not in scrubbed
    assert removed[kind] == 1


def test_private_key_block_cut_off_by_truncation_is_still_removed() -> None:
    scrubbed, _ = scrub("key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA")
    assert "b3BlbnNzaC1rZXktdjEAAAAA" not in scrubbed


def test_code_keeps_parsing_after_quoted_secrets_are_removed() -> None:
    code = 'API_KEY = "live-0123456789"\npassword: str = "hunter2"\ntoken = read_token()\nurl = "https://u:p4ss@h/x"\n'
    scrubbed, removed = scrub(code, code=True)
    ast.parse(scrubbed)
    assert "live-0123456789" not in scrubbed and "hunter2" not in scrubbed and "p4ss" not in scrubbed
    assert "token = read_token()" in scrubbed
    assert sum(removed.values()) == 3


@pytest.mark.parametrize(
    "text",
    [
        "Invalid token provided",
        "basic arithmetic error",
        "max_tokens = 512",
        "token = tokens[0]",
        "password = get_password()",
        "tokenizer = load('bert')",
        "def check(password=None):",
        "KeyError: 'password'",
    ],
)
def test_ordinary_code_and_prose_about_secrets_is_left_alone(text: str) -> None:
    assert scrub(text) == (text, {})


def test_note_counts_removed_secrets_by_kind() -> None:
    scrubber = Scrubber()
    scrubber.text("key sk-ant-api03-AbCdEfGhIjKlMnOpQrSt and ops@example.com")
    assert scrubber.note() == "removed 2 secrets: api_key, email"


def test_structures_are_scrubbed_including_values_under_secret_names() -> None:
    scrubber = Scrubber()
    value = scrubber.value({"password": "hunter2", "log": ["sent to ops@example.com"], "n": 3, "token": None})
    assert value == {
        "password": "[REDACTED:password]",
        "log": ["sent to [REDACTED:email]"],
        "n": 3,
        "token": None,
    }


# Property tests ----------------------------------------------------------------------------------

_B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _body(size: int, alphabet: str = _B62) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size + 12)


generated_keys = st.one_of(
    _body(24, _B62 + "-_").map(lambda s: "sk-ant-api03-" + s),
    _body(32, _B62 + "-_").map(lambda s: "sk-proj-" + s),
    _body(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").map(lambda s: "AKIA" + s[:16]),
    _body(36).map(lambda s: "ghp_" + s),
    _body(40, _B62 + "_").map(lambda s: "github_pat_" + s),
    _body(24, _B62 + "-").map(lambda s: "xoxb-" + s),
    _body(35, _B62 + "-_").map(lambda s: "AIza" + s[:35]),
    st.tuples(_body(10, _B62 + "-_"), _body(12, _B62 + "-_"), _body(16, _B62 + "-_")).map(
        lambda p: f"eyJ{p[0]}.eyJ{p[1]}.{p[2]}"
    ),
)
surroundings = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=60)
separators = st.sampled_from([" ", "\n", "=", ": ", '"', "'", "(", ",", "\t"])


@given(before=surroundings, left=separators, key=generated_keys, right=separators, after=surroundings)
def test_a_generated_key_never_survives_scrubbing(
    before: str, left: str, key: str, right: str, after: str
) -> None:
    scrubbed, removed = scrub(before + left + key + right + after)
    assert key not in scrubbed
    assert sum(removed.values()) >= 1


secretish_text = st.lists(
    st.one_of(
        surroundings,
        generated_keys,
        st.sampled_from(
            ["password=", "token: ", "api_key = '", "Bearer ", "postgresql://u:", "@example.com", "x@y.io"]
        ),
        st.sampled_from(["-----BEGIN PRIVATE KEY-----", "[REDACTED:", "sk-", "eyJ"]),
    ),
    max_size=8,
).map("".join)


@given(text=secretish_text)
def test_scrubbing_is_idempotent(text: str) -> None:
    once, _ = scrub(text)
    twice, removed_again = scrub(once)
    assert twice == once
    assert not removed_again


@given(text=secretish_text)
def test_code_scrubbing_is_idempotent(text: str) -> None:
    once, _ = scrub(text, code=True)
    assert scrub(once, code=True) == (once, {})


def _every_pass(text: str, *, code: bool) -> tuple[str, dict[str, int]]:
    """Scrubbing without the quick search that lets most texts skip the substitutions."""
    scrubber = Scrubber()
    while (scrubbed := scrubber._pass(text, code=code)) != text:
        text = scrubbed
    return text, dict(scrubber.removed)


_NAMES = ["DB_PASSWD=", "pwd: ", "client-secret ", "auth_key='", "Basic ", "credentials=", "https://a:b@",
          "KeyError", "passphrase", "ACCESS-KEY=", "private.key:", "rk_test_", "x_token="]  # fmt: skip
names_and_values = st.lists(
    st.one_of(
        surroundings,
        generated_keys,
        st.sampled_from(_NAMES),
        st.text(alphabet=_B62 + "=:'\" _-@./", max_size=30),
    ),
    max_size=8,
).map("".join)


@given(text=st.one_of(secretish_text, names_and_values), code=st.booleans())
def test_skipping_texts_with_no_secret_shape_changes_nothing(text: str, code: bool) -> None:
    scrubber = Scrubber()
    assert (scrubber.text(text, code=code), dict(scrubber.removed)) == _every_pass(text, code=code)
