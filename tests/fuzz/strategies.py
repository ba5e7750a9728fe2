"""What the fuzz tests send: hostile text, and the settings they run with.

Kept quick for CI: each test tries FORM_EXAMPLES (pages) or FILE_EXAMPLES (the reader)
cases. `HYPOTHESIS_PROFILE=thorough` tries ten times as many, for a deeper run by hand.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "inventera",
    deadline=None,
    database=None,  # no example database in the work tree; failures print their example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("inventera"))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "inventera")
settings.load_profile(PROFILE)
SCALE = 10 if PROFILE == "thorough" else 1
FORM_EXAMPLES = 60 * SCALE
FILE_EXAMPLES = 150 * SCALE

# Markup that must never come back unescaped: each is checked for on the page it is
# shown on.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<b onmouseover='x()'>fet</b>",
    "</textarea><svg onload=alert(1)>",
]
HOSTILE = [
    *MARKUP,
    "'; DROP TABLE inventory_asset; --",
    "' OR '1'='1",
    '"; SELECT pg_sleep(10); --',
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x")',
    "+SUM(1;1)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "%(tag)s %s %d",
    "../../etc/passwd",
    "NaN",
    "Infinity",
    "1e400",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 5000,
    "-1",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "x" * 5000,
    "Å" * 300,
    "",
    " ",
]

control_text = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=20
)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    control_text,
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=20),
        st.sampled_from(HOSTILE),
        st.text(max_size=20),
    ),
    st.integers().map(str),
    st.floats().map(str),
)


def markup_in(values) -> set[str]:
    """The MARKUP fragments inside the given values."""
    found = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                found.update(fragment for fragment in MARKUP if fragment in item)
    return found


def assert_escaped(page: str, submitted) -> None:
    """No fragment of markup that was submitted is on the page as markup."""
    for fragment in markup_in(submitted):
        assert fragment not in page, f"unescaped: {fragment!r}"
