# bulletin-bot: slim Python, installed as a package, run as a non-root user, data on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
RUN pip install -c constraints.txt . && useradd --system --uid 10001 --home-dir /data bulletin \
    && mkdir -p /data && chown bulletin /data

USER bulletin
WORKDIR /data
VOLUME /data
# Configuration: a file at /data/config.toml, or BULLETIN_BOT_CONFIG=PATH, or --config PATH;
# the token (and webhook secret) by environment:
#   docker run -v bulletin-data:/data -e BULLETIN_BOT_TOKEN=... bulletin-bot run
# Healthy while the bot keeps polling (at most 3 poll intervals, 30 min, since the last) and
# the database takes writes.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m CMD ["bulletin-bot", "health"]
# SIGTERM stops the bot within seconds, mid-broadcast included (docker stop's 10 s grace is enough).
STOPSIGNAL SIGTERM
ENTRYPOINT ["bulletin-bot"]
CMD ["run"]
