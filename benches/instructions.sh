#!/usr/bin/env bash
# Instruction counts per call under callgrind (deterministic, independent of load), SDK and
# floor, with the share of the software SHA-256 stated: under valgrind the sha2 crate cannot
# use the CPU's SHA extensions, so both variants spend ~100 k instructions per request in
# sha2::sha256::compress256 that a real CPU with SHA-NI mostly does not. Counts are
# (Ir(N + D) - Ir(N)) / D over whole client processes; allocations per call the same way.
#
# The same runs simulate the first-level caches (callgrind --cache-sim=yes, with the host's
# L1 geometry; on the AMD host of BENCHMARKS.md 32 KiB, 8-way, 64-byte lines each for code and
# data). The misses per call say how much code and data a call touches beyond what stays
# cached between its steps, which instruction counts cannot show. The estimated cycles are
# Ir + 10 x L1 misses + 100 x last-level misses, all without the software SHA-256 (its
# instructions and its misses): a simulation of one core, not a measurement of this CPU, and
# not deterministic (threads interleave differently between runs: up to 5 % on the misses).
#
# They also simulate branch prediction (--branch-sim=yes): mispredicted conditional and
# indirect branches per call, and a second estimate that adds 15 cycles for each (valgrind's
# manual puts a misprediction at 10 to 30 cycles). Callgrind's predictor is a simple model of
# its own, not this CPU's, so these are indications of how much more branching code a call
# runs, in the same spirit as the cache figures.
#
#   benches/instructions.sh        (from the workspace root; builds the runner; ~2 min)
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

# Of the whole program, and of compress256 (inclusive), in one callgrind output: Ir, L1
# misses of code, L1 misses of data, last-level misses, mispredicted conditional and indirect
# branches (events in the order callgrind lists them: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
# Bc Bcm Bi Bim; "." is zero).
counts() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | awk '
    function pick(line,   n, f, i, v) {
      gsub(/\([^)]*\)/, " ", line); gsub(",", "", line)
      n = split(line, f, " ")
      for (i = 1; i <= 13; i++) { v[i] = (f[i] == "." ? 0 : f[i] + 0) }
      return v[1] " " v[4] " " (v[5] + v[6]) " " (v[7] + v[8] + v[9]) " " v[11] " " v[13]
    }
    /PROGRAM TOTALS/ { total = pick($0) }
    /sha2::sha256::compress256 / { if (sha == "") sha = pick($0) }
    END { print total, (sha == "" ? "0 0 0 0 0 0" : sha) }'
}
allocs() { sed 's/.*"allocs_per_op":\([0-9.]*\).*"ops":\([0-9]*\).*/\1 \2/' "$1" | awk '{ printf "%.0f", $1 * $2 }'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| operation | SDK Ir/call | floor Ir/call | SDK / floor | software SHA-256 Ir/call (each) | SDK without it | floor without it | SDK / floor without it | allocations/call SDK | floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
sim_rows=()
for op in get-room create-chat-token list-rooms-5p; do
  if [ "$op" = list-rooms-5p ]; then low=20 high=220; else low=100 high=1100; fi
  declare -A ir sha al sim
  for variant in sdk floor; do
    for n in $low $high; do
      out=$scratch/$op-$variant-$n
      valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes --callgrind-out-file="$out.cg" \
        "$bench" client --variant "$variant" --op "$op" --endpoint "$endpoint" --count "$n" \
        >"$out.json" 2>/dev/null
      read -r total i1 d1 ll bc bi sha256 si1 sd1 sll sbc sbi < <(counts "$out.cg")
      ir[$variant$n]=$total sha[$variant$n]=$sha256 al[$variant$n]=$(allocs "$out.json")
      # Without the software SHA-256: instructions, L1 code, L1 data and last-level misses,
      # mispredicted conditional and indirect branches.
      sim[$variant$n]="$((total - sha256)) $((i1 - si1)) $((d1 - sd1)) $((ll - sll)) $((bc - sbc)) $((bi - sbi))"
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
  # One line per operation: the cache table's row, a tab, the branch table's row.
  sim_rows+=("$(awk -v d=$((high - low)) -v op="$op" \
    -v s1="${sim[sdk$low]}" -v s2="${sim[sdk$high]}" \
    -v f1="${sim[floor$low]}" -v f2="${sim[floor$high]}" 'BEGIN {
    split(s1, a, " "); split(s2, b, " "); split(f1, c, " "); split(f2, e, " ")
    for (i = 1; i <= 6; i++) { s[i] = (b[i] - a[i]) / d; f[i] = (e[i] - c[i]) / d }
    sc = s[1] + 10 * (s[2] + s[3]) + 100 * s[4]; fc = f[1] + 10 * (f[2] + f[3]) + 100 * f[4]
    sm = s[5] + s[6]; fm = f[5] + f[6]; sb = sc + 15 * sm; fb = fc + 15 * fm
    printf "| %s | %.0f / %.0f | %.0f / %.0f | %.3fx / %.3fx | %.1f / %.1f | %.1f k | %.1f k | %.3fx |\t",
      op, s[2], s[3], f[2], f[3], s[2] / f[2], s[3] / f[3], s[4], f[4], sc / 1e3, fc / 1e3, sc / fc
    printf "| %s | %.0f / %.0f | %.0f / %.0f | %.3fx | %.1f k | %.1f k | %.3fx |",
      op, s[5], s[6], f[5], f[6], sm / fm, sb / 1e3, fb / 1e3, sb / fb
  }')")
done
echo
echo "Simulated L1 caches (callgrind --cache-sim=yes), per call, without the software SHA-256:"
echo
echo "| operation | SDK L1 misses, code / data | floor | SDK / floor, code / data | last-level misses SDK / floor | SDK est. cycles | floor | SDK / floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${sim_rows[@]}" | cut -f1
echo
echo "Simulated branch prediction (callgrind --branch-sim=yes), per call, without the software"
echo "SHA-256; the estimate adds 15 cycles per mispredicted branch to the one above:"
echo
echo "| operation | SDK mispredicted, conditional / indirect | floor | SDK / floor, all | SDK est. cycles | floor | SDK / floor |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${sim_rows[@]}" | cut -f2
