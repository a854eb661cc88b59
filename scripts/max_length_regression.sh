#!/usr/bin/env bash
# One model, two quick runs that differ only in --max-length (512 vs 16), then `cmteb compare`
# (the example of docs/benchmarks.md). Prints the timings and writes the report.
#
#   scripts/max_length_regression.sh MODEL_DIR DATA_DIR [OUT_DIR]
#
# MODEL_DIR: a multilingual-e5-small checkpoint (sentence-transformers layout; e5 prefixes are
# passed here), or $CMTEB_BENCH_MODEL. DATA_DIR: real C-MTEB data in the local layout holding the
# tasks below and QBQTCDevRetrieval, or $CMTEB_BENCH_DATA. OUT_DIR default: /tmp/cmteb-max-length.
set -uo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-${CMTEB_BENCH_MODEL:?usage: $0 MODEL_DIR DATA_DIR [OUT_DIR] (or set CMTEB_BENCH_MODEL)}}
DATA=${2:-${CMTEB_BENCH_DATA:?usage: $0 MODEL_DIR DATA_DIR [OUT_DIR] (or set CMTEB_BENCH_DATA)}}
OUT=${3:-/tmp/cmteb-max-length}
PY=${PY:-.venv/bin/python}
TASKS=STSB,AFQMC,ATEC,PAWSX,Ocnli,TNews,Waimai,OnlineShopping,ThuNewsClusteringS2S,CLSClusteringS2S

for length in 512 16; do
  start=$(date +%s)
  "$PY" -m cmteb run --model "$MODEL" --query-prefix "query: " --passage-prefix "passage: " \
    --max-length "$length" --quick --data-dir "$DATA" --tasks "$TASKS" \
    --task-file scripts/tasks/QBQTCDevRetrieval.yaml --output-dir "$OUT/len$length" \
    --batch-size 64 --no-progress || exit 1
  echo "max-length $length: $(( $(date +%s) - start )) s wall"
done
"$PY" -m cmteb compare "$OUT/len512" "$OUT/len16" --report "$OUT/report.md"
echo "compare exit $? (1 = regression found); report: $OUT/report.md"
