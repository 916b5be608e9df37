"""Copy the image's collected static files into the volume nginx serves /static/ from.

Run by every web container at start. Each changed file is written to a temporary name and
renamed into place, so nginx never serves a half-written file and several web replicas
may sync at once. Files of older releases are kept: pages rendered by a web container that
is still running an older image keep finding their hashed assets.
A missing or read-only target only logs a warning: whitenoise in the app serves /static/
too, and nginx falls back to the app for files it does not have.
"""
import filecmp
import os
import shutil
import sys
import tempfile


def sync(source: str, target: str) -> int:
    copied = 0
    for directory, _dirs, files in os.walk(source):
        relative = os.path.relpath(directory, source)
        destination_dir = os.path.normpath(os.path.join(target, relative))
        os.makedirs(destination_dir, exist_ok=True)
        for name in files:
            src = os.path.join(directory, name)
            dst = os.path.join(destination_dir, name)
            if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=True):
                continue
            fd, tmp = tempfile.mkstemp(dir=destination_dir, prefix=".sync-")
            os.close(fd)
            try:
                shutil.copy2(src, tmp)
                os.chmod(tmp, 0o644)
                os.replace(tmp, dst)
            except BaseException:
                os.unlink(tmp)
                raise
            copied += 1
    return copied


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    if not os.path.isdir(target) or not os.access(target, os.W_OK):
        print(f"sync_static: {target} is missing or not writable; static files are served by the app",
              file=sys.stderr)
        return
    copied = sync(source, target)
    print(f"sync_static: {copied} file(s) updated in {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
