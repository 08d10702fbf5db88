# Shared by bin/start and bin/test: find Python 3.11, create .venv, install the project when its requirements change.
# Usage: source bin/_venv.sh; ensure_venv "" | ensure_venv "[dev]"
find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "qualify needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local extras="$1" python stamp want
  python=$(find_python)
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)$extras"
  stamp=.venv/.qualify-installed
  if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
    echo "Installing qualify$extras into .venv …"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$extras"
    echo "$want" >> "$stamp"
  fi
}
