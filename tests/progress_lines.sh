#!/bin/sh
# progress_lines.sh CLI FIXTURES — `--progress` with stderr to a file (no terminal): plain
# lines, one per stage and 10% step, no carriage return or escape; a closing summary line on
# every study command (sweep's included); --quiet silences both; without --progress a file
# gets no progress lines. Also multisine-sweep over two --model (one summary per model).
set -eu
CLI=$1
FX=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
M="--model $FX/rand-small"
fail() { echo "progress_lines: $*"; exit 1; }
plain() { # no CR, no ESC in the file
    if tr -d '\n' < "$1" | grep -q "$(printf '\r')"; then fail "$1: carriage return in line mode"; fi
    if grep -q "$(printf '\033')" "$1"; then fail "$1: escape sequence in line mode"; fi
}
"$CLI" sweep $M --reps-list 2,4 --len-list 2,4 --batch 2 --out "$T/sweep" --progress 2> "$T/sweep.err" >/dev/null
plain "$T/sweep.err"
grep -q '^sweep: .*100% (' "$T/sweep.err" || fail "sweep: no 100% line"
n=$(grep -c '^sweep: ' "$T/sweep.err")
[ "$n" -ge 2 ] && [ "$n" -le 11 ] || fail "sweep: $n progress lines (one per 10% step: 2..11)"
grep -q '^rand-small: 4 of 4 (R, L) cells run; cross-attention heads >= 0.3 (either) of ' "$T/sweep.err" ||
    fail "sweep: no summary line"
"$CLI" induction $M --batch 4 --out "$T/ind" --progress 2> "$T/ind.err" >/dev/null
plain "$T/ind.err"
grep -q '^induction: .*%' "$T/ind.err" || fail "induction: no progress line"
grep -q '^rand-small: .* cross-attention heads >= ' "$T/ind.err" || fail "induction: no summary"
"$CLI" report $M --quick --batch 4 --sweep-batch 2 --configs 2 --out "$T/rep" --progress 2> "$T/rep.err" >/dev/null
plain "$T/rep.err"
for s in 1/6.induction 2/6.induction-all 3/6.sweep 4/6.multisine 5/6.multisine-notebook 6/6.multisine-sweep; do
    grep -q "^report: step $s (" "$T/rep.err" || fail "report: no line of step $s"
done
grep -q '^report of 1 model written in ' "$T/rep.err" || fail "report: no summary"
n=$(grep -c '^report: step' "$T/rep.err")
[ "$n" -le 90 ] || fail "report: $n progress lines (one per stage and 10% step)"
# a label with numbers that change every step (train's "step K/N, loss X") is one stage
"$CLI" train --out "$T/tr" --config nano --context-length 32 --steps 30 --batch 2 --eval-batches 1 --checkpoint-every 30 \
    --threads 1 --progress 2> "$T/tr.err" >/dev/null
plain "$T/tr.err"
n=$(grep -c '^train: step ' "$T/tr.err")
[ "$n" -ge 2 ] && [ "$n" -le 12 ] || fail "train: $n progress lines for 30 steps (one per 10% step)"
# --quiet: nothing; no --progress on a file: no progress lines, the summary stays
"$CLI" sweep $M --reps-list 2 --len-list 2 --batch 2 --out "$T/q" --progress --quiet 2> "$T/q.err" >/dev/null
[ ! -s "$T/q.err" ] || fail "--quiet: stderr not empty: $(head -c 200 "$T/q.err")"
"$CLI" sweep $M --reps-list 2 --len-list 2 --batch 2 --out "$T/n" 2> "$T/n.err" >/dev/null
! grep -q '%' "$T/n.err" || fail "no --progress, stderr a file: progress shown"
grep -q '^rand-small: 1 of 1 (R, L) cells run' "$T/n.err" || fail "sweep: no summary without --progress"
# multisine-sweep over two models: one folder and one summary per model
"$CLI" multisine-sweep $M --name a $M --name b --configs 2 --permutations 10 --out "$T/mss" --progress \
    2> "$T/mss.err" > "$T/mss.out"
plain "$T/mss.err"
for k in a b; do
    [ -s "$T/mss/$k/sweep.csv" ] || fail "multisine-sweep: no $k/sweep.csv"
    grep -q "^## $k\$" "$T/mss.out" || fail "multisine-sweep: no summary of $k"
    grep -q "^$k: wrote " "$T/mss.err" || fail "multisine-sweep: no line of $k"
done
cmp -s "$T/mss/a/sweep.csv" "$T/mss/b/sweep.csv" || fail "multisine-sweep: the same model twice differs"
if "$CLI" multisine-sweep $M $M --configs 2 --out "$T/mss2" 2> "$T/dup.err"; then fail "two models of one name accepted"; fi
[ "$(wc -l < "$T/dup.err")" = 1 ] || fail "two models of one name: not one line"
[ ! -e "$T/mss2" ] || fail "two models of one name: output left"
echo "progress_lines: ok"
