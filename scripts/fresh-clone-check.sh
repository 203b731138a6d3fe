#!/usr/bin/env bash
# Runs the README's commands on a clean clone of this repository:
#   npm install && npm start   → /healthz 200 within 60 s with no environment set, a sandbox message answered
#   --with-tests               → also `npm test` in the clone
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/aftersales-fresh-XXXXXX)"
port="${FRESH_PORT:-3000}"
trap '[[ "${pid:-0}" != 0 ]] && kill -- -"$pid" 2>/dev/null; sleep 1; [[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT

git clone -q "$repo" "$work/app"
cd "$work/app"
echo "== npm install (clean clone at $work/app)"
npm install --no-audit --no-fund >"$work/install.log" 2>&1 || { tail -40 "$work/install.log"; exit 1; }

echo "== npm start (no environment)"
start=$(date +%s)
# setsid: npm start runs node as a child; the whole process group is stopped at the end.
setsid env -i PATH="$PATH" HOME="$HOME" PORT="$port" npm start >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
elapsed=$(( $(date +%s) - start ))
health=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz" || true)
echo "healthz after ${elapsed}s: $health"
[[ "$health" == *" 200" && $elapsed -le 60 ]] || { tail -30 "$work/serve.log"; exit 1; }

reply=$(curl -s "http://127.0.0.1:$port/api/sandbox/messages" -H 'content-type: application/json' -d '{"user":"c1","text":"我的快递到哪了"}')
echo "sandbox: $reply" | cut -c1-300
[[ "$reply" == *'"replies":[{'* ]] || { tail -20 "$work/serve.log"; exit 1; }
curl -fs "http://127.0.0.1:$port/sandbox" -o "$work/page.html" && grep -q '售后分诊助手' "$work/page.html" || exit 1
kill -TERM -- -"$pid"; wait "$pid" 2>/dev/null || true; pid=0
echo "== start/stop OK"

if [[ "${1:-}" == "--with-tests" ]]; then
  echo "== npm test"
  npm test
fi
echo "== fresh clone check passed"
