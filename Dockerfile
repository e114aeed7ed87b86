# The AI-visibility dashboard: `docker build -t aivis . && docker run -p 8501:8501 aivis`.
# With no configuration it serves the bundled demo data. Credentials and the archive URL come
# from the environment at run time (docker run -e / --env-file, compose.yaml) or from a
# secrets.toml mounted at /app/.streamlit/secrets.toml: never from the image. See docs/deploy.md.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8501 \
    XDG_DATA_HOME=/data \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# An unprivileged user; /data holds the default SQLite archive (/data/aivis/archive.sqlite)
# when AIVIS_ARCHIVE_URL is not set: mount a volume there to keep it.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin aivis \
    && mkdir -p /data && chown aivis:aivis /data

WORKDIR /app
# Dependencies first, in their own layer: a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code, owned by root and read-only for the app's user.
COPY . .

USER aivis
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '8501'), timeout=4)"

# Shell form so $PORT expands; exec so Streamlit is PID 1 and gets docker stop's SIGTERM.
CMD exec streamlit run app.py --server.port=$PORT --server.address=0.0.0.0 --server.headless=true
