#!/usr/bin/env bash
# ./aster bench trainer: ingest throughput of the packaged trainer against a plain JDBC INSERT loop, and grading
# throughput (see docs/benchmarks.md). Builds trainer-service and its test classes with the reactor (no install),
# then runs ai.aster.trainer.bench.TrainerBench [--n 300] [--turns 30].
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
V=0.1.0-SNAPSHOT
if [[ ! -f target/quarkus-app/quarkus-run.jar || ! -d target/test-classes/ai/aster/trainer/bench
      || -n "$(find src ../grading/src ../protocol/src -newer target/quarkus-app/quarkus-run.jar -type f -print -quit)" ]]; then
  (cd .. && mvn -B -q -pl trainer-service -am package -DskipTests)
fi
[[ -d ../local-kafka/target/lib ]] || (cd .. && mvn -B -q -pl local-kafka package -DskipTests)
echo "load: $(uptime)"
exec "$JAVA_HOME/bin/java" -Xmx2g -Daster.kafka.lib=../local-kafka/target/lib \
  -cp "target/test-classes:target/quarkus-app/lib/main/*:../local-kafka/target/local-kafka-$V.jar" \
  ai.aster.trainer.bench.TrainerBench "$@"
