#!/usr/bin/env bash
# Instruction counts per call under callgrind (deterministic, independent of load), SDK and
# floor, with the share of the software SHA-256 stated: under valgrind the sha2 crate cannot
# use the CPU's SHA extensions, so both variants spend ~100 k instructions per request in
# sha2::sha256::compress256 that a real CPU with SHA-NI mostly does not. Counts are
# (Ir(N + D) - Ir(N)) / D over whole client processes; allocations per call the same way.
#
#   benches/instructions.sh        (from the workspace root; builds the runner; ~3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p ivschat-bench --bin ivschat-bench >&2
bench=$PWD/target/release/ivschat-bench
scratch=$(mktemp -d /tmp/instructions.XXXXXX)
"$bench" server >"$scratch/server.txt" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do grep -q listening "$scratch/server.txt" 2>/dev/null && break; sleep 0.1; done
endpoint=$(grep -o 'http://127.0.0.1:[0-9]*' "$scratch/server.txt")

# Ir of the whole program, and of compress256 (inclusive), in one callgrind output.
counts() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | awk '
    /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
    /sha2::sha256::compress256 / { gsub(",", "", $1); if (sha == "") sha = $1 }
    END { print total, (sha == "" ? 0 : sha) }'
}
allocs() { sed 's/.*"allocs_per_op":\([0-9.]*\).*"ops":\([0-9]*\).*/\1 \2/' "$1" | awk '{ printf "%.0f", $1 * $2 }'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| operation | SDK Ir/call | floor Ir/call | SDK / floor | software SHA-256 Ir/call (each) | SDK without it | floor without it | SDK / floor without it | allocations/call SDK | floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for op in get-room create-chat-token list-rooms-5p; do
  if [ "$op" = list-rooms-5p ]; then low=20 high=220; else low=100 high=1100; fi
  declare -A ir sha al
  for variant in sdk floor; do
    for n in $low $high; do
      out=$scratch/$op-$variant-$n
      valgrind --tool=callgrind --callgrind-out-file="$out.cg" "$bench" client --variant "$variant" \
        --op "$op" --endpoint "$endpoint" --count "$n" >"$out.json" 2>/dev/null
      read -r total sha256 < <(counts "$out.cg")
      ir[$variant$n]=$total sha[$variant$n]=$sha256 al[$variant$n]=$(allocs "$out.json")
      rm -f "$out.cg"
    done
  done
  awk -v d=$((high - low)) -v op="$op" \
    -v s1="${ir[sdk$low]}" -v s2="${ir[sdk$high]}" -v f1="${ir[floor$low]}" -v f2="${ir[floor$high]}" \
    -v ss1="${sha[sdk$low]}" -v ss2="${sha[sdk$high]}" -v fs1="${sha[floor$low]}" -v fs2="${sha[floor$high]}" \
    -v sa1="${al[sdk$low]}" -v sa2="${al[sdk$high]}" -v fa1="${al[floor$low]}" -v fa2="${al[floor$high]}" 'BEGIN {
      s = (s2 - s1) / d; f = (f2 - f1) / d; ss = (ss2 - ss1) / d; fs = (fs2 - fs1) / d
      printf "| %s | %.1f k | %.1f k | %.3fx | %.1f k / %.1f k | %.1f k | %.1f k | %.3fx | %.1f | %.1f |\n",
        op, s / 1e3, f / 1e3, s / f, ss / 1e3, fs / 1e3, (s - ss) / 1e3, (f - fs) / 1e3, (s - ss) / (f - fs),
        (sa2 - sa1) / d, (fa2 - fa1) / d
    }'
done
