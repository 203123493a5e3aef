"""The container recipe (deploy/): its required properties, and its entry points run here.

This machine has a docker client but no container engine (no daemon, no compose), so the
image is not built in these tests. What the image runs is tested without it: the
HEALTHCHECK command and the start command (with the image's environment) are taken from
the Dockerfile and run as they are, against a real Streamlit server.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from geo.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def exec_form(arguments: str) -> list[str]:
    """The JSON array of an exec-form CMD/HEALTHCHECK CMD."""
    import json

    return json.loads(arguments[arguments.index("["):])


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in final_stage():
        if word == "ENV":
            for pair in shlex.split(rest):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def healthcheck_command() -> list[str]:
    [rest] = [rest for word, rest in final_stage() if word == "HEALTHCHECK"]
    return exec_form(rest[rest.index("CMD"):])


def start_command() -> list[str]:
    [rest] = [rest for word, rest in final_stage() if word == "CMD"]
    return exec_form(rest)


# -- the recipe -------------------------------------------------------------------------


def test_image_runs_as_a_user_with_read_only_code_and_one_data_volume():
    stage = final_stage()
    assert stage[0] == ("FROM", "python:3.11-slim")
    users = [rest for word, rest in stage if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("VOLUME", '["/data"]') in stage
    env = image_env()
    assert env["INFRAKAART_VAR_DIR"] == "/data"
    # code is copied before USER, so it belongs to root and the app's user cannot change it
    user_at = [i for i, (word, _) in enumerate(stage) if word == "USER"][-1]
    assert all(i < user_at for i, (word, _) in enumerate(stage) if word in ("COPY", "RUN"))


def test_leaflet_assets_are_built_into_the_image():
    steps = instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    runs = " ".join(rest for word, rest in steps if word == "RUN")
    assert "geo.output.assets static" in runs  # the same list as make setup
    assert "test -s static/leaflet/leaflet.js" in runs
    final = " ".join(rest for word, rest in final_stage())
    assert "npm" not in final  # the running image needs no npm registry
    assert ("COPY", "--from=build /app /app") in final_stage()


def test_healthcheck_is_infrakaart_status():
    command = healthcheck_command()
    assert command[:2] == ["infrakaart", "status"]
    assert "--zonder-geocoder" in command and "--app" in command


def test_compose_has_volume_health_check_restart_secrets_and_optional_https():
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "- infrakaart-data:/data" in text
    assert re.search(r"^volumes:\n  infrakaart-data:", text, re.MULTILINE)
    assert text.count("restart: unless-stopped") == 2
    assert "read_only: true" in text
    assert "healthcheck:" in text and "condition: service_healthy" in text
    compose_check = re.search(r"test: (\[.*?\])", text, re.DOTALL)[1]
    assert [part.strip(' "\n') for part in compose_check.strip("[]").split(",")] == \
        ["CMD", *healthcheck_command()]
    assert 'profiles: ["https"]' in text  # Caddy only with COMPOSE_PROFILES=https
    assert '"127.0.0.1:${INFRAKAART_PORT:-8501}:8501"' in text  # not public without Caddy
    assert "file: ./secrets/streamlit-secrets.toml" in text
    target = re.search(r"target: (\S+)", text)[1]
    assert start_command()[-1] == f"/run/secrets/{target}"
    subnet = re.search(r"subnet: (\S+)", text)[1]
    assert f"INFRAKAART_TRUSTED_PROXIES: ${{INFRAKAART_TRUSTED_PROXIES:-{subnet}}}" in text


def test_caddy_proxies_the_domain_to_the_app():
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "{$INFRAKAART_DOMAIN} {" in text
    assert "reverse_proxy app:8501" in text
    env = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    for name in ("COMPOSE_PROFILES", "INFRAKAART_DOMAIN", "ACME_EMAIL"):
        assert re.search(rf"^{name}=", env, re.MULTILINE)
    settings_names = {f"INFRAKAART_{f.upper()}" for f in Settings.__dataclass_fields__}
    for name in re.findall(r"^(INFRAKAART_\w+)=", env, re.MULTILINE):
        assert name in settings_names | {"INFRAKAART_DOMAIN", "INFRAKAART_PORT"}, name


def test_a_setting_can_come_from_a_secrets_file(tmp_path):
    secret = tmp_path / "pdok_url"
    secret.write_text("https://pdok.example.invalid/\n", encoding="utf-8")
    settings = Settings.from_env({"INFRAKAART_PDOK_URL_FILE": str(secret),
                                  "INFRAKAART_VAR_DIR": str(tmp_path)})
    assert settings.pdok_url == "https://pdok.example.invalid/"
    assert settings.backup_dir == tmp_path / "backups"
    with pytest.raises(ValueError, match="kan niet worden gelezen"):
        Settings.from_env({"INFRAKAART_PDOK_URL_FILE": str(tmp_path / "ontbreekt")})
    with pytest.raises(ValueError, match="INFRAKAART_BACKUP_KEEP"):
        Settings.from_env({"INFRAKAART_BACKUP_KEEP": "0"})


# -- the entry points, without the container -----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_healthcheck(env: dict[str, str], port: int) -> subprocess.CompletedProcess:
    command = [part.replace(":8501/", f":{port}/") for part in healthcheck_command()]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_the_image_start_command_serves_and_passes_its_healthcheck(tmp_path):
    port = free_port()
    env = {**os.environ, **image_env()}
    env.update({
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "INFRAKAART_VAR_DIR": str(tmp_path / "data"),  # the volume
        "INFRAKAART_OFFLINE": "true",
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
    })
    command = start_command()
    assert command[:3] == ["streamlit", "run", "serve.py"]
    server = subprocess.Popen([str(BIN / command[0]), *command[1:]], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "Streamlit did not start"
            time.sleep(0.5)
        # the local assets are served as the image serves them
        assert requests.get(f"http://127.0.0.1:{port}/app/static/leaflet/leaflet.js",
                            timeout=10).ok
        check = run_healthcheck(env, port)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "App: antwoordt" in check.stdout
        assert "Status: in orde." in check.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    down = run_healthcheck(env, port)
    assert down.returncode == 1
    assert "App: antwoordt niet" in down.stdout
