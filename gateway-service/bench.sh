#!/usr/bin/env bash
# ./aster bench gateway: the gateway's overhead per agent-loop turn and 256 held streams (see docs/benchmarks.md).
# Builds the packaged gateway and the test classes if needed, then runs ai.aster.gateway.bench.GatewayBench.
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [[ ! -f target/quarkus-app/quarkus-run.jar || ! -d target/test-classes/ai/aster/gateway/bench ]]; then
  (cd .. && mvn -B -q -pl gateway-service -am install -DskipTests)
  mvn -B -q test-compile
fi
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec "$JAVA_HOME/bin/java" -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  ai.aster.gateway.bench.GatewayBench "$@"
