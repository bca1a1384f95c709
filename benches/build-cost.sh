#!/usr/bin/env bash
# Build cost of a one-call program (one GetRoom): ivschat, the floor (reqwest + aws-sigv4 +
# serde_json) and the official aws-sdk-ivschat, each built cold (`cargo build --release` into a
# fresh target directory, dependencies downloaded beforehand) in the same run, one after the
# other. Prints CPU (user + sys of cargo and everything it ran), wall time, the crates compiled
# and the load average; the ratio to the official SDK is the figure to compare.
#
#   benches/build-cost.sh [sdk floor aws-sdk]    (from the workspace root; about 10 min on 2 cores)
#
# A program may be named more than once (`sdk aws-sdk sdk floor`): each build is a row, and the
# ratios use each program's mean. Bracketing the long aws-sdk build between two sdk builds
# cancels a machine whose speed drifts during the run (a shared host can drift by 15 % within
# an hour).
#
# BUILD_JOBS=1 builds one crate at a time (`cargo build -j 1`, which also leaves rustc one
# codegen thread): slower, but each compiler has the CPU to itself, so its CPU time no longer
# depends on what the other CPU runs at the same time (the parallel build of one program has
# moved by ±10 % between two runs minutes apart).
#
# The first two are workspace members (the workspace's Cargo.lock); the official one has its
# own lockfile in benches/one-call/aws-sdk. Needs /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
programs=("${@:-sdk floor aws-sdk}")
read -r -a programs <<<"${programs[*]}"

scratch=$(mktemp -d /tmp/build-cost.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

printf '%s\n' "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(rustc --version), jobs: ${BUILD_JOBS:-default}"
printf '| program | crates compiled | CPU s (user + sys) | wall s | load avg at start → end |\n'
printf '|---|---:|---:|---:|---|\n'
declare -A cpu runs
for program in "${programs[@]}"; do
  manifest="$root/benches/one-call/$program/Cargo.toml"
  [ -f "$manifest" ] || { echo "no program $program ($manifest)" >&2; exit 2; }
  cargo fetch --locked --manifest-path "$manifest" >/dev/null 2>&1
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  CARGO_TARGET_DIR="$scratch/$program" CARGO_INCREMENTAL=0 /usr/bin/time -f '%U %S %e' \
    -o "$scratch/$program.time" \
    cargo build --release --locked --offline ${BUILD_JOBS:+-j "$BUILD_JOBS"} --manifest-path "$manifest" \
    >"$scratch/$program.log" 2>&1 || { cat "$scratch/$program.log" >&2; exit 1; }
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r user sys wall <"$scratch/$program.time"
  this=$(echo "$user + $sys" | bc)
  cpu[$program]=$(echo "${cpu[$program]:-0} + $this" | bc)
  runs[$program]=$(( ${runs[$program]:-0} + 1 ))
  crates=$(grep -c '^ *Compiling ' "$scratch/$program.log")
  printf '| %s | %d | %.1f | %.0f | %s → %s |\n' "$program" "$crates" "$this" "$wall" \
    "$load_start" "$load_end"
  rm -rf "${scratch:?}/$program"
done
for program in "${!cpu[@]}"; do
  cpu[$program]=$(echo "${cpu[$program]} / ${runs[$program]}" | bc -l)
  if [ "${runs[$program]}" -gt 1 ]; then
    printf '\nmean of %d %s builds: %.1f s' "${runs[$program]}" "$program" "${cpu[$program]}"
  fi
done
echo
if [ -n "${cpu[sdk]:-}" ] && [ -n "${cpu[aws-sdk]:-}" ]; then
  printf '\nbuild CPU sdk / aws-sdk: %.3fx\n' "$(echo "${cpu[sdk]} / ${cpu[aws-sdk]}" | bc -l)"
fi
if [ -n "${cpu[sdk]:-}" ] && [ -n "${cpu[floor]:-}" ]; then
  printf 'build CPU sdk / floor: %.3fx\n' "$(echo "${cpu[sdk]} / ${cpu[floor]}" | bc -l)"
fi
