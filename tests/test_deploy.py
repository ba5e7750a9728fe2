"""Production settings: `check --deploy` is clean, and missing secrets stop the start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "false",
    "SECRET_KEY": "k3Jv9-production-like-secret-key-with-enough-length-and-variety-82hQ",
    "ALLOWED_HOSTS": "inventera.kommun.se",
    "DATABASE_URL": "sqlite:///:memory:",
    "MUNICIPALITY_NAME": "Exempelkommunen",
    "MUNICIPALITY_ORG_NUMBER": "212000-0001",
}


def manage(*args, env):
    # The test settings put development values in the environment; a server has none.
    ours = {
        *PRODUCTION,
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "SECURE_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "MUNICIPALITY_NAME",
        "MUNICIPALITY_ORG_NUMBER",
        "DEMO",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_asks_for_the_municipality():
    env = {k: v for k, v in PRODUCTION.items() if k != "MUNICIPALITY_NAME"}
    env["MUNICIPALITY_ORG_NUMBER"] = "212000-0002"  # a wrong check digit
    result = manage("check", "--deploy", env=env)
    assert "inventera.W001" in result.stderr + result.stdout
    assert "MUNICIPALITY_ORG_NUMBER is not a valid organisation number" in (
        result.stderr + result.stdout
    )


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_leaves_the_demo_out_unless_asked():
    result = manage("seed_demo", env=PRODUCTION)
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr
    # With DEMO=true the command is there, and still refuses while DEBUG is off.
    result = manage("seed_demo", env={**PRODUCTION, "DEMO": "true"})
    assert result.returncode != 0
    assert "DEBUG is off: the demo users have a published password" in result.stderr


def test_a_bare_checkout_checks_its_migrations_but_serves_nothing(tmp_path):
    # No DEBUG, no SECRET_KEY: only the commands that work on the source tree run.
    bare = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    result = manage("makemigrations", "--check", "--dry-run", env=bare)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
    result = manage("migrate", env=bare)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
