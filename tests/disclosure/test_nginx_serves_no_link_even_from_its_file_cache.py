"""nginx, as deployed (deploy/nginx/disclosure-*.conf), serves a published page from the public
folder but never through a symbolic link — also with its open file cache, also once a real file
it has cached is replaced by a link (after the cache's 10 s)."""
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.fixtures.processes import free_port

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = Path(settings.BASE_DIR) / "deploy" / "nginx"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.fixture
def nginx():
    # Not pytest's tmp_path: its folders are private (0700) and nginx's workers run as another user.
    tmp_path = Path(tempfile.mkdtemp(prefix="nginx-links-"))
    tmp_path.chmod(0o755)
    public = tmp_path / "public" / "zh-hans" / "statements"
    for n in ("1", "2"):
        (public / n).mkdir(parents=True)
    (public / "1" / "index.html").write_text("公示")
    (public / "2" / "index.html").symlink_to("/etc/passwd")
    (public / "3").symlink_to("/etc")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{ include /etc/nginx/mime.types; access_log off; include {DEPLOY}/disclosure-map.conf;
  server {{ listen 127.0.0.1:{port}; set $fundportal_public_root {tmp_path}/public;
    include {DEPLOY}/disclosure-locations.conf;
    location @app {{ return 418; }} }} }}
""")
    subprocess.run([NGINX, "-c", str(conf)], check=True)
    time.sleep(0.3)
    yield f"http://127.0.0.1:{port}", public
    subprocess.run([NGINX, "-c", str(conf), "-s", "stop"], check=False)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_link_in_the_public_folder_is_never_served_by_nginx_even_from_its_cache(nginx):
    base, public = nginx
    for _twice in range(2):  # the second time from the open file cache
        assert _status(f"{base}/disclosure/statements/1/") == 200
        assert _status(f"{base}/disclosure/statements/2/") == 418  # a linked file: to Django (here 418)
        assert _status(f"{base}/disclosure/statements/3/") == 418  # a linked folder
    page = public / "1" / "index.html"
    page.unlink()
    page.symlink_to("/etc/passwd")
    time.sleep(11)  # open_file_cache_valid 10s
    assert _status(f"{base}/disclosure/statements/1/") == 418
