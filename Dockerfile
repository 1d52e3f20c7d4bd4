# bulletin-bot: slim Python, installed as a package, run as a non-root user, data on a volume.
#
# The base image is NOT pinned by digest yet: the digest could not be looked up where this was
# written (no registry reachable), and an invented one would not build. To pin it, and to
# update it later (a new Python patch release, security fixes), run
#   docker buildx imagetools inspect python:3.11-slim --format '{{json .Manifest.Digest}}'
# (or: docker pull python:3.11-slim && docker inspect --format '{{index .RepoDigests 0}}'
# python:3.11-slim) and write the line as: FROM python:3.11-slim@sha256:<that digest>
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MPLCONFIGDIR=/opt/matplotlib

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
# Every package at the version CI tests, the build backend included (PIP_CONSTRAINT reaches
# pip's isolated build; -c does not). The user is uid and gid 10001: a bind mount for /data
# must be writable by it (README, "Docker"). matplotlib's font cache is built here, in the
# image (MPLCONFIGDIR), not in the user's home, which is the data volume.
RUN PIP_CONSTRAINT=/app/constraints.txt pip install . \
    && groupadd --system --gid 10001 bulletin \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data bulletin \
    && mkdir -p /data "$MPLCONFIGDIR" && python -c "import matplotlib.pyplot" \
    && chown -R bulletin:bulletin /data "$MPLCONFIGDIR"

USER bulletin
WORKDIR /data
VOLUME /data
# Configuration: a file at /data/config.toml, or BULLETIN_BOT_CONFIG=PATH, or --config PATH;
# the token (and webhook secret) by environment:
#   docker run -v bulletin-data:/data -e BULLETIN_BOT_TOKEN=... bulletin-bot run
# Healthy while the bot keeps polling (at most 3 poll intervals, 30 min, since the last), its
# polls are not failing ([alerts] source_failures in a row), and the database takes writes.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m CMD ["bulletin-bot", "health"]
# SIGTERM stops the bot within seconds, mid-broadcast included (docker stop's 10 s grace is enough).
STOPSIGNAL SIGTERM
ENTRYPOINT ["bulletin-bot"]
CMD ["run"]
