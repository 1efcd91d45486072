#!/bin/sh
# shard_merge.sh CLI FIXTURES — every study that takes --shard K/N, run whole and in parts
# joined by `chronolens merge`: the merged folder holds exactly the files of the whole run,
# byte for byte (figures included), run times aside ("seconds" in induction.json and
# group_attention.json). Parts are
# given to merge out of order. Also: a part missing or given twice is an error (exit 2).
set -e
B=$1; F=$2; M=$F/rand-small
T=$(mktemp -d "${TMPDIR:-/tmp}/clshard.XXXXXX")
trap 'rm -rf "$T"' EXIT
cp -r "$M" "$T/other" # a second model (another name, the same weights)
same() { # same A B: the same files, the same bytes (run times aside)
    (cd "$1" && find . -type f | sort) > "$T/la"; (cd "$2" && find . -type f | sort) > "$T/lb"
    cmp -s "$T/la" "$T/lb" || { echo "different files: $1 $2"; diff "$T/la" "$T/lb"; exit 1; }
    for f in $(cat "$T/la"); do
        case $f in
        *.json) grep -v '"seconds"' "$1/$f" > "$T/a" || true; grep -v '"seconds"' "$2/$f" > "$T/b" || true ;;
        *) cp "$1/$f" "$T/a"; cp "$2/$f" "$T/b" ;;
        esac
        cmp -s "$T/a" "$T/b" || { echo "differs: $2/$f"; exit 1; }
    done
    echo "same: $2"
}
$B induction -q --model "$M" --model "$T/other" --batch 6 --out "$T/ind"
for k in 1 2; do $B induction -q --model "$M" --model "$T/other" --batch 6 --shard $k/2 --out "$T/ind-$k"; done
$B merge -q "$T/ind-2" "$T/ind-1" --out "$T/ind-m"
same "$T/ind" "$T/ind-m"
# Chronos-Bolt --offsets: units (model, offset), 6 of them in 4 parts (one part holds no
# model of induction.json, only offsets)
BR=$F/bolt-rand; cp -r "$BR" "$T/bother"
OF="--model $BR --model $T/bother --seq-len 4 --batch 6 --offsets 0,4,8"
$B induction -q $OF --out "$T/off"
for k in 1 2 3 4; do $B induction -q $OF --shard $k/4 --out "$T/off-$k"; done
$B merge -q "$T/off-4" "$T/off-2" "$T/off-1" "$T/off-3" --out "$T/off-m"
same "$T/off" "$T/off-m"
$B sweep -q --model "$M" --model "$T/other" --batch 3 --seeds 2 --reps-list 2,3 --len-list 3,5 --out "$T/sw"
for k in 1 2 3; do $B sweep -q --model "$M" --model "$T/other" --batch 3 --seeds 2 --reps-list 2,3 --len-list 3,5 --shard $k/3 --out "$T/sw-$k"; done
$B merge -q "$T/sw-3" "$T/sw-1" "$T/sw-2" --out "$T/sw-m"
same "$T/sw" "$T/sw-m"
$B multisine -q --model "$M" --model "$T/other" --permutations 100 --out "$T/ms" > /dev/null
for k in 1 2; do $B multisine -q --model "$M" --model "$T/other" --permutations 100 --shard $k/2 --out "$T/ms-$k" > /dev/null; done
$B merge -q "$T/ms-1" "$T/ms-2" --out "$T/ms-m"
same "$T/ms" "$T/ms-m"
$B multisine-sweep -q --model "$M" --configs 7 --batch 2 --permutations 100 --out "$T/mss"
for k in 1 2 3; do $B multisine-sweep -q --model "$M" --configs 7 --batch 2 --permutations 100 --shard $k/3 --out "$T/mss-$k"; done
$B merge -q "$T/mss-1" "$T/mss-3" "$T/mss-2" --out "$T/mss-m"
same "$T/mss" "$T/mss-m"
# Chronos-2 group attention: units (lag, noise) cells, 4 of them in 3 parts, two models
C2=$F/chronos2-rand; cp -r "$C2" "$T/c2other"
GA="--model $C2 --model $T/c2other --groups 4 --batch-groups 3 --permutations 50 --lags 0,1 --noises 0,1"
$B group-attention -q $GA --out "$T/ga" > /dev/null
for k in 1 2 3; do $B group-attention -q $GA --shard $k/3 --out "$T/ga-$k"; done
$B merge -q "$T/ga-3" "$T/ga-1" "$T/ga-2" --out "$T/ga-m"
same "$T/ga" "$T/ga-m"
# a part missing, a part twice: exit 2, one line
set +e
$B merge -q "$T/sw-1" "$T/sw-2" --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] || { echo "missing part: exit $s"; cat "$T/err"; exit 1; }
$B merge -q "$T/sw-1" "$T/sw-1" "$T/sw-2" --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && grep -q "part 1" "$T/err" || { echo "part twice: exit $s"; cat "$T/err"; exit 1; }
$B sweep -q --model "$M" --shard 3/2 --out "$T/bad" 2> /dev/null; s=$?
[ $s = 2 ] || { echo "--shard 3/2: exit $s"; exit 1; }
$B merge -q "$T/off-1" "$T/off-2" "$T/off-3" --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] || { echo "offsets, missing part: exit $s"; cat "$T/err"; exit 1; }
$B induction -q $OF --shard 7/7 --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && grep -q "7 parts for 6 units" "$T/err" || { echo "offsets, 7 parts: exit $s"; cat "$T/err"; exit 1; }
$B merge -q "$T/ga-1" "$T/ga-2" --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] || { echo "group attention, missing part: exit $s"; cat "$T/err"; exit 1; }
$B group-attention -q $GA --seed 1 --shard 2/3 --out "$T/ga-s1" # a part of another run (its seed)
$B merge -q "$T/ga-1" "$T/ga-s1" "$T/ga-3" --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && grep -q "settings or models other than" "$T/err" || { echo "group attention, other seed: exit $s"; cat "$T/err"; exit 1; }
$B group-attention -q $GA --shard 5/5 --out "$T/bad" 2> "$T/err"; s=$?
[ $s = 2 ] && grep -q "5 parts for 4" "$T/err" || { echo "group attention, 5 parts: exit $s"; cat "$T/err"; exit 1; }
echo "shard + merge = one run"
