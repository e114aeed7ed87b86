# Sourced by bin/dashboard and bin/test: make .venv and install the requirements once,
# again only when a requirements file changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
ensure_venv() {  # $1: the requirements file to install
  local req="$ROOT/$1" stamp="$VENV/.installed-$1" want
  want="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating the virtualenv in .venv ..." >&2
    python3 -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing $1 (first run or changed requirements) ..." >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
  fi
}
