#!/usr/bin/env bash
# ./aster bench train: training throughput of modeling's PolicyTrainer (the step trainer-service's SFT and GRPO jobs
# run) on the 24M-parameter model `./aster model init DIR --hidden 512 --layers 8 --heads 8 --kv-heads 2` writes:
# SFT tokens/s on a batch of 8 x 512 tokens against a plain eager PyTorch fp32 training step (AdamW) of the same
# architecture and batch in the same run, then GRPO step time split into forward/backward and optimizer. See
# docs/benchmarks.md "Training". Options go to TrainingBenchmark (--quick, --steps N, --warmup N, --grpo-steps N,
# --batch N, --length N, --threads N: PyTorch threads of both sides, default 1); --no-torch skips the baseline.
# With --job, then the same SFT step as a user gets it: an SFT job (POST /v1/jobs) on the packaged trainer-service
# (ai.aster.trainer.bench.SftJobBench, trainer-service's test classes; it needs about 10 GB of memory).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=(modeling/target/modeling-*.jar)
if [ ! -f "${jar[0]}" ] || [ ! -d modeling/target/lib ] \
    || [ -n "$(find modeling/src/main -newer "${jar[0]}" -type f -print -quit)" ]; then
  mvn -B -q -pl modeling -am package -DskipTests
  jar=(modeling/target/modeling-*.jar)
fi
java=("$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED -cp "${jar[0]}:modeling/target/lib/*")

args=()
torch=1
job=0
threads=0
for a in "$@"; do
  case "$a" in
    --no-torch) torch=0 ;;
    --job) job=1 ;;
    --threads) threads=1; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
# one PyTorch thread on each side unless told otherwise: on a shared machine OpenMP's spinning threads distort
# every figure
[ "$threads" = 1 ] || args=(--threads 1 "${args[@]}")

# the model `./aster model init` writes with the issue's sizes (ModelInit's default byte-level vocabulary)
model=modeling/target/bench-cache/qwen3-h512-l8
if [ ! -f "$model/model.safetensors" ]; then
  "${java[@]}" ai.aster.modeling.ModelInit "$model" --hidden 512 --layers 8 --heads 8 --kv-heads 2
fi
args=(--model "$model" "${args[@]}")

if [ "$torch" = 1 ]; then
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bench: installing Debian's python3-torch for the PyTorch baseline" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
    else
      echo "bench: the baseline needs Debian's PyTorch: apt-get install -y python3-torch libopenblas0-pthread" >&2
      exit 2
    fi
  fi
  args+=(--torch modeling/bench/torch_eager_train.py --python /usr/bin/python3)
fi
echo "load before: $(uptime)"
"${java[@]}" ai.aster.modeling.bench.TrainingBenchmark "${args[@]}" | tee modeling/target/bench-train-last.txt
if [ "$job" = 1 ]; then
  V=0.1.0-SNAPSHOT
  if [[ ! -f trainer-service/target/quarkus-app/quarkus-run.jar
        || ! -f trainer-service/target/test-classes/ai/aster/trainer/bench/SftJobBench.class
        || -n "$(find trainer-service/src modeling/src protocol/src grading/src -newer trainer-service/target/quarkus-app/quarkus-run.jar -type f -print -quit)" ]]; then
    mvn -B -q -pl trainer-service -am package -DskipTests
  fi
  [[ -d local-kafka/target/lib ]] || mvn -B -q -pl local-kafka package -DskipTests
  echo
  (cd trainer-service && "$JAVA_HOME/bin/java" -Daster.kafka.lib=../local-kafka/target/lib \
    -cp "target/test-classes:target/quarkus-app/lib/main/*:../local-kafka/target/local-kafka-$V.jar" \
    ai.aster.trainer.bench.SftJobBench --model "../$model") | tee modeling/target/bench-train-job.txt
fi
echo "load after: $(uptime)"
# the headline figure and ratio again, last
grep -E '^sft (tokens/s|ours)' modeling/target/bench-train-last.txt
