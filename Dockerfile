# release-publisher: the GitHub Action (ENTRYPOINT maps the action inputs to
# `release-publisher publish`) and the GitLab CI image (`entrypoint: [""]`, then
# `script: release-publisher publish ...`; the console script is /usr/local/bin/
# release-publisher and /bin/sh is kept for GitLab's job script).
#
# Only the package and its LOCKED runtime dependencies are installed
# (constraints/runtime.txt, with --no-deps: the lock is complete, `pip check` proves
# it); no sandbox extra, no test tools. Nothing relies on PATH, HOME, WORKDIR or USER:
# GitHub runs the container as root in /github/workspace with the step's own PATH
# and HOME.
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# Dependencies first: this layer is rebuilt only when the lock changes.
COPY constraints/runtime.txt /tmp/build/constraints/runtime.txt
RUN /usr/local/bin/python -m pip install --no-cache-dir --no-deps --only-binary=:all: \
        -r /tmp/build/constraints/runtime.txt \
    && rm -rf /tmp/build

COPY . /tmp/build/
RUN /usr/local/bin/python -m pip install --no-cache-dir --no-deps /tmp/build \
    && /usr/local/bin/python -m pip check \
    && /usr/local/bin/python -m release_publisher --version \
    && rm -rf /tmp/build

COPY entrypoint.py /app/entrypoint.py

ENTRYPOINT ["/usr/local/bin/python", "/app/entrypoint.py"]
