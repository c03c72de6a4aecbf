#!/usr/bin/env bash
# Library-level decoding benchmark (see docs/benchmarks.md). Options: --model DIR, --quick, --threads N.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=(modeling/target/modeling-*.jar)
if [ ! -f "${jar[0]}" ] || [ ! -d modeling/target/lib ]; then
  mvn -B -q -pl modeling -am package -DskipTests
  jar=(modeling/target/modeling-*.jar)
fi
exec "$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "${jar[0]}:modeling/target/lib/*" ai.aster.modeling.bench.ModelingBenchmark "$@"
