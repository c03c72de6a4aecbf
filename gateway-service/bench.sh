#!/usr/bin/env bash
# ./aster bench gateway: what the gateway adds to a request end to end, against the same upstream calls made directly
# (see docs/benchmarks.md). Builds the packaged gateway, model-service and modeling with the reactor (nothing is
# installed into ~/.m2), then runs ai.aster.gateway.bench.GatewayBench from the gateway's test classes.
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
classpath="$PWD/target/bench.classpath"
(cd .. && mvn -B -q -pl gateway-service,model-service -am package -DskipTests)
# in one reactor run, so the sibling modules resolve to their target/ folders
(cd .. && mvn -B -q -pl gateway-service -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$classpath" >/dev/null)
echo "# $(date -u +%FT%TZ) uptime:$(uptime)"
# the knobs are JVM properties (-Dbench.requests1=100 ...): they go before the main class
exec "$JAVA_HOME/bin/java" -Xmx1g "$@" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  ai.aster.gateway.bench.GatewayBench
