"""The container image, as far as this machine can check it.

* The deployment files say what docs/deploy.md says (fast, static checks).
* ``test_image_environment_serves_the_demo`` builds what the Dockerfile describes without a Docker
  engine: the build context as ``.dockerignore`` filters it, a fresh virtualenv with only
  ``requirements.txt`` (from PyPI: about 1-2 minutes), the Dockerfile's ``ENV``, then its exact
  ``CMD``/``ENTRYPOINT`` with ``PORT`` set. It checks ``/_stcore/health``, the Dockerfile's own
  ``HEALTHCHECK`` command, the demo page in headless Chromium, a log line per batch, and that
  the server stops on SIGTERM (``docker stop``). Marked ``browser``: ``-m "not browser"`` leaves it out.
* ``test_docker_build`` builds and runs the real image when a Docker engine answers; else it
  skips, saying why.
"""
from __future__ import annotations

import fnmatch
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


# -- reading the Dockerfile -------------------------------------------------------------------
def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, comments dropped and continuation lines joined."""
    result, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, rest = current.partition(" ")
        result.append((keyword.upper(), rest.strip()))
        current = ""
    return result


def last(found: list[tuple[str, str]], keyword: str) -> str | None:
    values = [rest for kw, rest in found if kw == keyword]
    return values[-1] if values else None


def command(rest: str | None) -> list[str]:
    """An instruction's command as argv: exec form (JSON) as is, shell form through /bin/sh -c."""
    if not rest:
        return []
    if rest.startswith("["):
        return json.loads(rest)
    return ["/bin/sh", "-c", rest]


def image_env(found: list[tuple[str, str]]) -> dict[str, str]:
    """The ENV of the image (``KEY=value`` pairs; the old ``ENV KEY value`` form too)."""
    env: dict[str, str] = {}
    for keyword, rest in found:
        if keyword != "ENV":
            continue
        parts = shlex.split(rest)
        if parts and "=" not in parts[0]:
            env[parts[0]] = " ".join(parts[1:])
        else:
            env.update(part.split("=", 1) for part in parts)
    return env


def start_command(found: list[tuple[str, str]]) -> list[str]:
    """What ``docker run`` executes: ENTRYPOINT + CMD (CMD alone without an ENTRYPOINT)."""
    entrypoint, cmd = command(last(found, "ENTRYPOINT")), command(last(found, "CMD"))
    if entrypoint and last(found, "ENTRYPOINT").startswith("["):
        return entrypoint + cmd
    return entrypoint or cmd


def healthcheck_command(found: list[tuple[str, str]]) -> list[str]:
    rest = last(found, "HEALTHCHECK") or ""
    match = re.search(r"\bCMD\s+(.*)$", rest)
    assert match, f"no HEALTHCHECK ... CMD in the Dockerfile: {rest!r}"
    return command(match.group(1))


# -- the build context ------------------------------------------------------------------------
def ignore_patterns() -> list[tuple[str, bool]]:
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negate = line.startswith("!")
            patterns.append((line.lstrip("!").strip("/").removeprefix("./"), negate))
    return patterns


def ignored(relative: str, patterns: list[tuple[str, bool]]) -> bool:
    """Docker's rule, near enough: the last matching pattern wins; a match on a parent counts."""
    parts = relative.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for pattern, negate in patterns:
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern) or (
                    pattern.startswith("**/") and fnmatch.fnmatchcase(candidate.rsplit("/", 1)[-1],
                                                                      pattern.removeprefix("**/"))):
                result = not negate
                break
    return result


def build_context(target: pathlib.Path) -> pathlib.Path:
    """Copy what ``COPY . .`` would copy (the context minus .dockerignore) into ``target``."""
    patterns = ignore_patterns()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        here = pathlib.Path(dirpath).relative_to(ROOT)
        dirnames[:] = [d for d in dirnames if not ignored((here / d).as_posix(), patterns)]
        for name in filenames:
            relative = (here / name).as_posix()
            if not ignored(relative, patterns):
                (target / here).mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, target / relative)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen | None, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the app exited with {process.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} not healthy within {timeout} s")


# -- static checks ----------------------------------------------------------------------------
def test_dockerfile_shape():
    found = instructions(DOCKERFILE.read_text())
    keywords = [kw for kw, _ in found]
    base = last(found, "FROM")
    arg = dict(a.split("=", 1) for kw, a in found if kw == "ARG" and "=" in a)
    base = re.sub(r"\$\{?(\w+)\}?", lambda m: arg.get(m.group(1), m.group(0)), base)
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base), base
    user = last(found, "USER")
    assert user and user not in ("root", "0"), "the app must not run as root"
    copies = [(i, rest) for i, (kw, rest) in enumerate(found) if kw == "COPY"]
    requirements = next(i for i, rest in copies if rest.split()[0] == "requirements.txt")
    install = next(i for i, (kw, rest) in enumerate(found) if kw == "RUN" and "-r requirements.txt" in rest)
    everything = next(i for i, rest in copies if rest.split()[0] == ".")
    assert requirements < install < everything, "requirements are installed in a layer before the code"
    assert keywords.index("USER") > install
    assert image_env(found).get("PORT") == "8501"
    start = " ".join(start_command(found))
    for flag in ("streamlit run app.py", "--server.port=$PORT", "--server.address=0.0.0.0",
                 "--server.headless=true"):
        assert flag in start, (flag, start)
    health = " ".join(healthcheck_command(found))
    assert "/_stcore/health" in health and "python" in health and "curl" not in health
    assert not re.search(r"(?i)(password|secret|login)\s*=", DOCKERFILE.read_text()), "no secrets in the image"


def test_dockerignore_keeps_secrets_and_clutter_out_but_the_app_in():
    patterns = ignore_patterns()
    for path in (".venv/bin/python", ".git/HEAD", "tests/artifacts/shot.png", "core/__pycache__/x.pyc",
                 ".streamlit/secrets.toml", ".env"):
        assert ignored(path, patterns), path
    for path in ("app.py", "pages/domains.py", "ui/gate.py", "core/data/demo_replies.json",
                 ".streamlit/config.toml", "requirements.txt"):
        assert not ignored(path, patterns), path


def test_compose_file_shape():
    text = (ROOT / "compose.yaml").read_text()
    assert re.search(r"^\s+image: postgres:16\s*$", text, re.M)
    assert "AIVIS_ARCHIVE_URL: \"postgresql+psycopg://aivis:${POSTGRES_PASSWORD" in text
    assert "@db:5432/aivis" in text
    assert "condition: service_healthy" in text and "pg_isready" in text
    assert re.search(r"^\s+- pgdata:/var/lib/postgresql/data\s*$", text, re.M)
    assert re.search(r"^volumes:\n\s+pgdata:", text, re.M)
    # every credential is interpolated from the environment / .env, none is written here
    for name in ("POSTGRES_PASSWORD", "DATAFORSEO_PASSWORD", "DATAFORSEO_LOGIN", "AIVIS_PASSWORD_SHA256"):
        for value in re.findall(rf"^\s+{name}:\s*(.*)$", text, re.M):
            assert value.strip('"').startswith("${"), (name, value)


def test_secrets_example_parses_and_has_every_section():
    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text()
    parsed = tomllib.loads(text)
    assert set(parsed["dataforseo"]) == {"login", "password"}
    assert "aivis" in parsed
    uncommented = tomllib.loads(re.sub(r"(?m)^# ?(\w+ = |\[)", r"\1", text).split("# Or a named provider")[0])
    assert {"demo_only", "password_sha256", "max_password_tries"} <= set(uncommented["aivis"])
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} \
        <= set(uncommented["auth"])
    assert "base_url" in uncommented["dataforseo"]


# -- the environment the Dockerfile describes -------------------------------------------------
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.browser
def test_image_environment_serves_the_demo(tmp_path):
    """The Dockerfile's environment, built without Docker: fresh venv, its ENV, its CMD, no configuration."""
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium): the browser check cannot run")
    from playwright.sync_api import sync_playwright

    found = instructions(DOCKERFILE.read_text())
    app_dir = build_context(tmp_path / "app")
    assert not (app_dir / ".streamlit" / "secrets.toml").exists()
    assert (app_dir / "app.py").exists() and (app_dir / ".streamlit" / "config.toml").exists()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATAFORSEO_", "AIVIS_", "STREAMLIT_", "PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(image_env(found))
    venv = tmp_path / "venv"
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"),  # /data in the image
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", PORT=str(free_port()))

    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", "requirements.txt"],
                             cwd=app_dir, env=env, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    install_seconds = time.monotonic() - started

    log_path = tmp_path / "app.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(start_command(found), cwd=app_dir, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{env['PORT']}"
        start_seconds = wait_healthy(f"{base}/_stcore/health", process, timeout=120)
        health = subprocess.run(healthcheck_command(found), env=env, cwd=app_dir, timeout=30)
        assert health.returncode == 0, "the Dockerfile's HEALTHCHECK command fails against a healthy app"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(base + "/", wait_until="domcontentloaded")
                page.get_by_text("Demo data", exact=False).first.wait_for(timeout=60_000)
                page.goto(base + "/domains", wait_until="domcontentloaded")
                page.get_by_text("Demo data", exact=False).first.wait_for(timeout=60_000)
                page.get_by_text("Citations", exact=True).first.wait_for(timeout=60_000)
            finally:
                browser.close()
        stopping = time.monotonic()
        os.kill(process.pid, signal.SIGTERM)  # what `docker stop` sends to PID 1
        process.wait(timeout=15)
        stop_seconds = time.monotonic() - stopping
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output = log_path.read_text(errors="replace")
    demo_ids = len(json.loads((ROOT / "core" / "data" / "demo_replies.json").read_text(encoding="utf-8"))["replies"])
    assert re.search(rf"ui\.data: load engine=\w+ ids={demo_ids} source=demo outcomes=\{{.*\}} seconds=", output), \
        output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    print(f"\nimage environment: fresh venv + requirements.txt {install_seconds:.0f} s, app healthy after "
          f"{start_seconds:.1f} s, stopped on SIGTERM in {stop_seconds:.1f} s", file=sys.stderr)


def docker_engine() -> str | None:
    """Why Docker cannot be used here, or None when an engine answers."""
    if shutil.which("docker") is None:
        return "the docker command is not installed"
    try:
        info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                              text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 30 s"
    if info.returncode != 0:
        return "no Docker engine answers `docker info` (" + (info.stderr.strip().splitlines() or ["?"])[-1] + ")"
    return None


def test_docker_build_and_run():
    """The real image: build, run with no configuration, healthy, its HEALTHCHECK passes."""
    why = docker_engine()
    if why:
        pytest.skip(f"docker build not run: {why}; the image's environment is checked without Docker by "
                    "test_image_environment_serves_the_demo")
    tag = "aivis-dashboard:test"
    build = subprocess.run(["docker", "build", "-t", tag, "."], cwd=ROOT, capture_output=True, text=True,
                           timeout=1200)
    assert build.returncode == 0, build.stderr[-3000:]
    port = free_port()
    run = subprocess.run(["docker", "run", "-d", "--rm", "-p", f"127.0.0.1:{port}:8501", tag],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    container = run.stdout.strip()
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", None, timeout=120)
        user = subprocess.run(["docker", "exec", container, "id", "-u"], capture_output=True, text=True)
        assert user.stdout.strip() not in ("", "0"), "the container runs as root"
        deadline = time.monotonic() + 120
        status = ""
        while time.monotonic() < deadline and status != "healthy":
            status = subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}", container],
                                    capture_output=True, text=True).stdout.strip()
            time.sleep(2)
        assert status == "healthy", status
    finally:
        subprocess.run(["docker", "stop", "-t", "15", container], capture_output=True, timeout=60)
