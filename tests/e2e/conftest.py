"""Browser tests: a real Chromium drives the app served by pytest-django's live server.

Chromium is the system one (Debian's `chromium`), or INVENTERA_CHROMIUM. Without it the
tests are skipped with a message, unless INVENTERA_REQUIRE_BROWSER=1 (as in CI), when a
missing browser is a failure.

Every test fails on any console message about the Content-Security-Policy (something
the policy blocked) or the Permissions-Policy (a header the browser could not read).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).parent
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
POLICY_MESSAGES = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


class PolicyViolation(AssertionError):
    """The browser reported a Content-Security-Policy or Permissions-Policy problem."""


def find_chromium() -> str | None:
    configured = os.environ.get("INVENTERA_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pytest_collection_modifyitems(config, items):
    e2e = [item for item in items if HERE in Path(str(item.fspath)).parents]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
        item.add_marker(pytest.mark.django_db(transaction=True))
    if not e2e or find_chromium():
        return
    message = (
        "no Chromium found: install it (apt-get install chromium) or set "
        "INVENTERA_CHROMIUM=/path/to/chromium to run the browser tests"
    )
    if os.environ.get("INVENTERA_REQUIRE_BROWSER") == "1":
        for item in e2e:
            item.add_marker(pytest.mark.xfail(reason=message, run=False, strict=True))
        raise pytest.UsageError(message)
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(autouse=True)
def policy_console(request, page):
    """Collects the page's console messages about the policies, for the check below."""
    messages: list[str] = []

    def listen(message):
        if any(words in message.text for words in POLICY_MESSAGES):
            messages.append(f"{message.type} on {page.url}: {message.text}")

    page.on("console", listen)
    request.node.policy_messages = messages
    return messages


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    messages = getattr(item, "policy_messages", None)
    if messages:
        raise PolicyViolation("the browser reported policy problems:\n" + "\n".join(messages))
    return result


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": find_chromium(),
        # No background traffic: this machine, and CI, have no network beyond loopback.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def demo(transactional_db, migration_data):
    """The demo municipality, as `make run` shows it."""
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", allow_production=True, stdout=quiet)


@pytest.fixture
def login(page, live_server):
    def do(username: str, password: str = "inventera-demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(password)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


@pytest.fixture
def axe_check(page):
    """Run axe's WCAG 2.1 A and AA rules on the current page; fail with the violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(label: str):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = results.response["violations"]
        details = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(node["target"][0] for node in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"axe found problems on {label}:\n{details}"

    return check
