#!/usr/bin/env bash
# Create the virtual environment and install tonghop with its test dependencies (idempotent).
set -euo pipefail
venv="${1:-.venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  echo "Tạo môi trường Python trong $venv …"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip uv
"$venv/bin/uv" pip install -q --python "$venv/bin/python" -e ".[test]"
echo "Môi trường sẵn sàng: $venv"
