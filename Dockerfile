# The CRM bot as an image: `docker build -t crm-bot .`; run it with compose.yaml (see docs/deploy.md).
# It needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET): without a
# Slack token app.py opens the local playground instead, which a container has no use for.

# --- build: a virtualenv with the dependencies (all ship wheels: no compiler is needed) -------------------
FROM python:3.12-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src

# The dependencies first, from pyproject.toml alone, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt

# Then the packages themselves (this also installs the crm-import command).
COPY bot/ bot/
COPY store/ store/
COPY scheduler/ scheduler/
COPY playground/ playground/
RUN pip install --no-cache-dir --no-deps .

# --- runtime: the virtualenv, the source tree, a user without privileges -------------------------------
FROM python:3.12-slim

LABEL org.opencontainers.image.title="slack-crm-bot" \
      org.opencontainers.image.description="A CRM that lives in Slack" \
      org.opencontainers.image.documentation="docs/deploy.md"

# DATABASE_URL: SQLite in /data unless set (compose.yaml sets PostgreSQL). Mount a volume on /data to keep it.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/crm.db

RUN groupadd --system --gid 10001 crm \
    && useradd --system --no-log-init --uid 10001 --gid crm --create-home --home-dir /home/crm \
        --shell /usr/sbin/nologin crm \
    && install -d -o crm -g crm -m 0750 /data

COPY --from=build /opt/venv /opt/venv

# app.py is not installed by `pip install .`: the bot runs from its source tree (owned by root, read-only to it).
WORKDIR /app
COPY app.py alembic.ini pyproject.toml ./
COPY bot/ bot/
COPY store/ store/
COPY scheduler/ scheduler/
COPY playground/ playground/

# The user crm, by number (so that a runtime's "must not run as root" check can see it without /etc/passwd).
USER 10001:10001
# Matplotlib's font cache (NanumGothic from koreanize-matplotlib included), built once here, not at each start.
RUN python -c "import bot.views.charts"

EXPOSE 3000
# app.py stops the server and the sweeps cleanly on SIGTERM (docker stop).
STOPSIGNAL SIGTERM
# GET /healthz answers 200 when the database does, in HTTP mode and in Socket Mode alike (the HTTP side keeps
# serving /healthz and the lead intake while Slack's traffic comes over the socket). Slim images have no curl:
# Python's urllib does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["python", "app.py"]
