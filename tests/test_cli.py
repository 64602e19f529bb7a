"""The `anju` command as a user runs it: a fresh data dir, the demo, the production server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ANJU = [sys.executable, "-m", "anju"]


def run(args, env, timeout=300):
    return subprocess.run(
        [*ANJU, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def fresh_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANJU_", "DJANGO_"))}
    env["ANJU_DATA_DIR"] = str(tmp_path / "var")
    if os.environ.get("ANJU_DATABASE_URL"):
        pytest.skip("the command-line journey runs on the embedded SQLite default")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_loads_verifies_and_serves_the_login_page(fresh_env, tmp_path):
    result = run(["demo", "--size", "small", "--no-serve"], fresh_env)
    assert result.returncode == 0, result.stderr
    assert "演示账号" in result.stdout
    assert "演示环境已关闭双因素登录" in result.stdout
    for username in [
        "city",
        "zp_clerk",
        "zp_reviewer",
        "xq_clerk",
        "zp_jijian",
        "zp_data",
        "sysadmin",
        "secadmin",
        "auditor",
    ]:
        assert username in result.stdout
    assert (tmp_path / "var" / "anju.sqlite3").exists()
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0

    again = run(["demo", "--size", "small", "--no-serve"], fresh_env)
    assert again.returncode == 0, again.stderr
    assert "新增 0" in again.stdout

    verify = run(["audit", "verify"], fresh_env)
    assert verify.returncode == 0, verify.stderr
    assert "审计链完整" in verify.stdout

    port = free_port()
    env = dict(fresh_env, ANJU_HTTPS="0")
    server = subprocess.Popen(
        [*ANJU, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                    body = r.read().decode()
                    assert r.headers["X-Frame-Options"] == "DENY"
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "server did not answer"
        assert "工作人员登录" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/anju/app.css") as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as r:
            assert r.read() == b"ok"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_production_settings_pass_the_deploy_check(fresh_env):
    result = run(["manage", "check", "--deploy", "--fail-level", "WARNING"], fresh_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_unknown_file_is_a_clear_error(fresh_env, tmp_path):
    result = run(["import", "regions", str(tmp_path / "missing.csv")], fresh_env)
    assert result.returncode == 1
    assert "找不到文件" in result.stderr


def test_the_shipped_region_file_has_zhangpings_townships():
    path = Path(__file__).resolve().parent.parent / "anju" / "regions" / "data" / "zhangping.csv"
    rows = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["代码", "名称", "上级代码"]
    assert ["350881000000", "漳平市", "350800000000"] in rows
    townships = [r for r in rows[1:] if r[2] == "350881000000"]
    assert len(townships) >= 10
    assert all(len(r[0]) == 12 and r[0].startswith("350881") for r in townships)
