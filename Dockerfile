# syntax=docker/dockerfile:1
# One image for every Python role of the production stack (web, worker, beat, migrate);
# docker-compose.yml picks the role. See deploy/entrypoint.sh.
FROM python:3.11-slim-bookworm

# The portal runs from its source tree: templates/ and static/ sit beside the packages and
# settings find them through BASE_DIR, so /app comes first on the import path.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# WeasyPrint (PDF receipts in Chinese): Pango + a CJK font. libharfbuzz-subset0 lets
# WeasyPrint subset the large Noto CJK fonts natively instead of slowly through fontTools;
# fontconfig builds the system font cache once here (the app user cannot write one).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig \
 && fc-cache -f \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
# (With no package directories present this installs the pinned dependencies and an empty
# "fundportal" distribution; the code itself is imported from /app.)
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected into the image (STATIC_ROOT = /app/staticfiles). The dummy
# key and DEBUG=False exist for this step only; they are not in the image's environment.
# var/ (created by settings at import) and the volume mount points belong to the app user;
# an empty named volume takes the ownership of its mount point when first mounted.
RUN SECRET_KEY=collectstatic-build-only DEBUG=False python manage.py collectstatic --noinput \
 && python -m compileall -q . \
 && mkdir -p var /srv/static /srv/media \
 && chown app:app var /srv/static /srv/media \
 && chmod 0750 /srv/media \
 && chmod 0755 deploy/entrypoint.sh

USER app
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
