#!/usr/bin/env bash
# Benchmark of sandbox-service (what `./aster bench sandbox` runs): starts the packaged service on a free port with
# its default pool and limits, runs bench/SandboxBench.java against it and against `docker run --rm` of the same
# image with the same limits, then stops the service (which removes all its containers).
# Env: JAVA_HOME (JDK 21+), DOCKER_HOST (default unix:///run/podman/podman.sock), BENCH_* (see SandboxBench.java).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
export DOCKER_HOST=${DOCKER_HOST:-unix:///run/podman/podman.sock}
CLI=${BENCH_CLI:-$(command -v docker || command -v podman)}
JAR="$HERE/target/quarkus-app/quarkus-run.jar"

if [[ ! -f "$JAR" || -n "${BENCH_REBUILD:-}" ]]; then
  (cd "$ROOT" && mvn -B -q -pl sandbox-service -am package -DskipTests)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp /tmp/sandbox-bench.XXXXXX.log)
# The service requires the internal token; the benchmark's client sends the same one.
export ASTER_INTERNAL_TOKEN=${ASTER_INTERNAL_TOKEN:-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}
"$JAVA" -Dquarkus.http.port="$PORT" -Dquarkus.otel.sdk.disabled=true -Daster.sandbox.instance=bench \
  -jar "$JAR" >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null; then break; fi
  if ! kill -0 $PID 2>/dev/null; then cat "$LOG" >&2; exit 1; fi
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null || { echo "service not ready; log: $LOG" >&2; exit 1; }
sleep 3 # let the pool fill
echo "engine: $("$CLI" version --format '{{.Server.Version}}' 2>/dev/null || echo unknown), $(nproc) cores, $(date -u +%FT%TZ)"
"$JAVA" "$HERE/bench/SandboxBench.java" "http://127.0.0.1:$PORT" "$CLI"
kill $PID; wait $PID 2>/dev/null || true
trap - EXIT
LEFT=$("$CLI" ps -a -q --filter label=ai.aster.sandbox.instance=bench | wc -l)
echo "containers of the service left after shutdown: $LEFT"
[[ "$LEFT" == 0 ]]
