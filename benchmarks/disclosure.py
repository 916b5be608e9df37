"""How fast the public disclosure pages are served, the production way, against nginx serving the
same bytes as a plain static file, side by side in one run.

    .venv/bin/python benchmarks/disclosure.py [--connections 64] [--seconds 15] [--keep-db]

Sets up a scratch PostgreSQL database with the demo (its 17 published 2023 statements), starts
gunicorn (deploy/gunicorn.conf.py, DEBUG off) and a native nginx with the compose stack's own
disclosure configuration (deploy/nginx/*.conf), then runs wrk against:

  static   the year statement's page copied into a plain static folder (the baseline)
  portal   the same page at its public URL, /disclosure/statements/<n>/ (nginx → pre-rendered file)
  django   the same URL straight to gunicorn, no nginx (for information: the fallback path)

and checks the three answer with the same bytes. Needs Debian's nginx and wrk (`make bench-deps`).
Targets (DESIGN.md / issue 6): portal ≥ 0.5 × static at 64 connections, p99 < 50 ms, no errors.
The last line printed is JSON with `ratio` and `p99_ms`.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NGINX_PORT, GUNICORN_PORT = 18480, 18481
NGINX_CONF = """worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    include {root}/deploy/nginx/disclosure-map.conf;
    upstream fundportal_web {{ server 127.0.0.1:{gunicorn}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        set $fundportal_public_root {public};
        include {root}/deploy/nginx/disclosure-locations.conf;
        location /bench-static/ {{ alias {static}/; }}
        location / {{ proxy_pass http://fundportal_web; }}
        location @app {{ proxy_pass http://fundportal_web; }}
    }}
}}
"""


def environment(database_url: str, public_root: Path) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "PUBLIC_ROOT": str(public_root), "DEBUG": "False",
            "SECRET_KEY": "benchmark-only-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False", "SECURE_HSTS_SECONDS": "0", "LOG_LEVEL": "WARNING",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")}


def run(command: list[str], env: dict, **kwargs) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def prepare(database: str, env: dict, keep: bool) -> None:
    """A scratch database with the demo loaded (once; --keep-db reuses it)."""
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
                            capture_output=True, text=True).stdout.strip() == "1"
    if exists and keep:
        return
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    demo_env = {**env, "DEBUG": "True"}  # load_demo refuses to run with DEBUG off, on purpose
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], demo_env)
    run([PYTHON, "manage.py", "load_demo"], demo_env, stdout=subprocess.DEVNULL)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def wrk(url: str, connections: int, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": round(p99_ms, 2), "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--database", default="fundportal_bench_disclosure")
    parser.add_argument("--keep-db", action="store_true", help="reuse the scratch database if it exists")
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: `make bench-deps` installs Debian's nginx and wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-disclosure-"))
    work.chmod(0o755)  # nginx workers (www-data) read the files
    public, static = work / "public", work / "static"
    env = environment(f"postgres://postgres@127.0.0.1:5432/{args.database}", public)
    prepare(args.database, env, args.keep_db)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)  # DEBUG off: hashed static names
    run([PYTHON, "manage.py", "write_public_files"], env, stdout=subprocess.DEVNULL)
    year = max((path for path in (public / "zh-hans" / "statements").iterdir() if path.name.isdigit()),
               key=lambda path: int(path.name))  # the last published: the year statement, the largest page
    static.mkdir()
    shutil.copy(year / "index.html", static / "statement.html")
    (work / "nginx.conf").write_text(NGINX_CONF.format(dir=work, root=ROOT, public=public, static=static,
                                                       port=NGINX_PORT, gunicorn=GUNICORN_PORT))
    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind",
         f"127.0.0.1:{GUNICORN_PORT}", "--worker-tmp-dir", "/tmp", "fundportal.wsgi"], cwd=ROOT, env=env,
        stderr=open(work / "gunicorn.log", "w"))
    nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-g", "daemon off;"])
    base = f"http://127.0.0.1:{NGINX_PORT}"
    urls = {"static": f"{base}/bench-static/statement.html", "portal": f"{base}/disclosure/statements/{year.name}/",
            "django": f"http://127.0.0.1:{GUNICORN_PORT}/disclosure/statements/{year.name}/"}
    try:
        wait_for(urls["django"])
        wait_for(urls["static"])
        bodies = {name: fetch(url) for name, url in urls.items()}
        assert len(set(bodies.values())) == 1, "the three do not serve the same bytes"
        print(f"page: /disclosure/statements/{year.name}/ ({len(bodies['portal']):,} bytes), "
              f"{args.connections} connections, {args.seconds} s each, wrk -t2")
        results = {}
        for name, url in urls.items():
            wrk(url, args.connections, 3)  # warm-up
            results[name] = wrk(url, args.connections, args.seconds)
            print(f"  {name:7} {results[name]['rps']:>10,.0f} req/s   p99 {results[name]['p99_ms']:7.2f} ms   "
                  f"errors {results[name]['errors']}")
        ratio = results["portal"]["rps"] / results["static"]["rps"]
        print(f"ratio portal/static {ratio:.3f} (target ≥ 0.5); django alone/static "
              f"{results['django']['rps'] / results['static']['rps']:.3f}")
        print(json.dumps({"ratio": round(ratio, 3), "p99_ms": results["portal"]["p99_ms"],
                          "errors": results["portal"]["errors"], "connections": args.connections,
                          "rps_portal": round(results["portal"]["rps"]), "rps_static": round(results["static"]["rps"]),
                          "rps_django": round(results["django"]["rps"]),
                          "p99_ms_django": results["django"]["p99_ms"]}))
    finally:
        for process in (nginx, gunicorn):
            process.send_signal(signal.SIGTERM if process is gunicorn else signal.SIGQUIT)
            process.wait(timeout=30)
        if os.environ.get("BENCH_KEEP_WORK"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
