# Sourced by the other scripts: makes sure uv exists and the project's locked environment
# (library, runtime extra and dev tools) is installed in .venv. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export UV_PYTHON_DOWNLOADS=never
# Trust the machine's certificate store (it may hold a proxy's CA that uv's bundled roots lack).
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"
if [ -z "${SSL_CERT_FILE:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
fi
if ! command -v uv >/dev/null 2>&1; then
  if [ ! -x "$ROOT/.tools/bin/uv" ]; then
    echo "bootstrap: installing uv into .tools/" >&2
    python3 -m venv "$ROOT/.tools"
    "$ROOT/.tools/bin/pip" install --quiet "uv>=0.5,<1"
  fi
  export PATH="$ROOT/.tools/bin:$PATH"
fi
uv sync --quiet --frozen --all-extras --python "${PYTHON:-python3}"
