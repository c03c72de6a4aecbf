#!/usr/bin/env bash
# ./aster bench model: the embedded engine in-process on a ~25M-parameter model made by ModelInit.
# Arguments go to the benchmark (--decode-tokens N, --concurrency 4,16,64, --threads N, --cpu-time); without any,
# it runs as docs/benchmarks.md was made: one PyTorch thread, timed by the engine thread's CPU time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$here/.."
# built in the reactor, never installed: the class path names the sibling modules' own jars
mvn -B -q -pl model-service -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
if [ "$#" -eq 0 ]; then
    set -- --threads 1 --cpu-time
fi
exec "$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -cp "model-service/target/classes:$(cat model-service/target/bench.classpath)" \
    ai.aster.model.bench.EngineBenchmark "$@"
