#!/bin/sh
# slurm_shard.sh CLI FIXTURES — the documented way past one machine (docs/shards.md), run on a
# real Slurm: a single-node slurmctld + slurmd (and their own munged) started here in a temp
# folder, a sharded `sweep` submitted as an `sbatch --array` job, `merge` as a job after it
# (--dependency=afterok), the merged folder compared byte for byte with the one-machine run
# (run times aside, as in shard_merge.sh).
# Needs Debian's slurm-wlm and munge (the Makefile's PKGS: `make deps` installs them; this
# script installs nothing: a test that changes the machine would need root and the network).
# Where the daemons cannot start (packages missing, no root, a container that forbids them)
# it exits 77 (ctest: skipped) with one line saying why. Every daemon it started is stopped
# and the temp folder removed on any exit.
# SLURM_SHARD_KEEP=1 keeps the temp folder (logs) for a look after a failure.
set -u
B=$1; F=$2; M=$F/rand-small
N=3 # parts
skip() { echo "slurm_shard: skipped: $*"; exit 77; }
for c in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
    command -v $c > /dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
    command -v $c > /dev/null 2>&1 || skip "$c not found (Debian slurm-wlm and munge: make deps)"
done
# slurmd starts each job step as the job's user: root only
[ "$(id -u)" = 0 ] || skip "not root (slurmd starts job steps as their user: needs root)"

T=$(mktemp -d "${TMPDIR:-/tmp}/clslurm.XXXXXX") || exit 1
chmod 711 "$T" # munged wants its socket reachable by all (the key stays 0600)
PIDS=""; jid=""; mid=""
stop() {
    # jobs still running (the test interrupted): cancelled while slurmctld can, so that no
    # slurmstepd outlives its slurmd
    [ -n "$jid$mid" ] && scancel $jid $mid 2> /dev/null && sleep 1
    for p in $PIDS; do kill "$p" 2> /dev/null; done
    # wait for them (by id, at most 10 s): a folder removed under a running daemon
    i=0
    while [ $i -lt 50 ]; do
        alive=""; for p in $PIDS; do kill -0 "$p" 2> /dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.2; i=$((i + 1))
    done
    for p in $PIDS; do kill -9 "$p" 2> /dev/null; done
    [ "${SLURM_SHARD_KEEP:-0}" = 1 ] && echo "kept: $T" || rm -rf "$T"
}
trap stop EXIT
trap 'exit 1' INT TERM HUP
# why LOG...: a daemon's reason, for the one line of a skip: its last fatal line, else its
# last line (stderr holds what comes before the log opens)
why() {
    l=$(cat "$@" 2> /dev/null | grep -i fatal | tail -n 1)
    [ -n "$l" ] || l=$(cat "$@" 2> /dev/null | tail -n 1)
    echo "$l" | cut -c1-200
}
# wait_for S PID CMD...: until CMD succeeds, at most S seconds, as long as daemon PID lives
wait_for() {
    s=$1; p=$2; shift 2; i=0
    while [ $i -lt $((s * 5)) ] && kill -0 "$p" 2> /dev/null; do
        "$@" > /dev/null 2>&1 && return 0
        sleep 0.2; i=$((i + 1))
    done
    return 1
}

# munge: a fresh key, a munged of our own on its own socket (the machine's, if any, untouched)
mkdir -p "$T/munge" "$T/spool" "$T/state" && chmod 711 "$T/munge"
mungekey -c -k "$T/munge/key" > /dev/null 2>&1 || skip "mungekey could not write a key"
MS=$T/munge/socket
munged -F -S "$MS" --key-file="$T/munge/key" --pid-file="$T/munge/pid" \
    --log-file="$T/munge/log" --seed-file="$T/munge/seed" 2> "$T/munge/err" &
PIDS="$! $PIDS"
wait_for 10 $! munge -S "$MS" -n || skip "munged did not start: $(why "$T/munge/err")"

# slurm.conf: this host as the only node (its CPUs and memory as slurmd -C sees them), no
# cgroups (a container may not delegate them), no accounting; ports from our pid, so two
# runs of this test at once do not meet
H=$(hostname -s)
NODE=$(slurmd -C 2> /dev/null | head -n 1 | sed 's/^NodeName=[^ ]*//')
[ -n "$NODE" ] || skip "slurmd -C says nothing of this machine"
PORT=$((20000 + ($$ % 20000) * 2))
cat > "$T/slurm.conf" << EOF
ClusterName=cltest
SlurmctldHost=$H(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MS
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
# a job array of small tasks: start the next task at once, not within 3 s (the default)
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
MpiDefault=none
NodeName=$H NodeAddr=127.0.0.1 $NODE State=UNKNOWN
PartitionName=test Nodes=$H Default=YES MaxTime=10 State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -D -c -f "$SLURM_CONF" > "$T/slurmctld.out" 2>&1 &
CTLD=$!; PIDS="$CTLD $PIDS"
slurmd -D -N "$H" -f "$SLURM_CONF" > "$T/slurmd.out" 2>&1 &
SLURMD=$!; PIDS="$SLURMD $PIDS" # stopped in this order: slurmd, slurmctld, munged
wait_for 20 $CTLD scontrol ping || skip "slurmctld did not start: $(why "$T/slurmctld.out" "$T/slurmctld.log")"
idle() { sinfo -h -n "$H" -o %t | grep -q '^idle'; }
wait_for 20 $SLURMD idle || skip "slurmd did not register: $(why "$T/slurmd.out" "$T/slurmd.log")"

# the one-machine run, then the same grid as an array job of N parts and a merge job
SW="sweep -q --threads 1 --model $M --batch 3 --reps-list 2,3 --len-list 3,5"
$B $SW --out "$T/one" || { echo "one-machine sweep failed"; exit 1; }
cat > "$T/sweep.sbatch" << EOF
#!/bin/sh
#SBATCH --array=1-$N
#SBATCH --cpus-per-task=1
#SBATCH --output=$T/part-%a.log
exec $B $SW --shard \${SLURM_ARRAY_TASK_ID}/$N --out $T/parts/sweep-\${SLURM_ARRAY_TASK_ID}
EOF
mkdir "$T/parts" # --out's parent must exist (as on a cluster: mkdir -p parts)
jid=$(sbatch --parsable --chdir="$T" "$T/sweep.sbatch") || { echo "sbatch failed"; exit 1; }
mid=$(sbatch --parsable --chdir="$T" --dependency=afterok:$jid --kill-on-invalid-dep=yes --output="$T/merge.log" \
    --wrap "$B merge -q $T/parts/sweep-* --out $T/merged") || { echo "sbatch (merge) failed"; exit 1; }
# done when no task of either job is pending or running (60 s at most; a merge whose parts
# failed is cancelled, --kill-on-invalid-dep)
busy() { squeue -h -j "$jid,$mid" -t PD,R,CF,CG -o %i | grep -q .; }
end=$(($(date +%s) + 60))
while busy; do
    [ "$(date +%s)" -lt $end ] || { echo "jobs not done in 60 s:"; squeue -j "$jid,$mid" -t all; exit 1; }
    sleep 0.2
done
# every task and the merge COMPLETED (the records stay in slurmctld for MinJobAge, 300 s)
states=$(squeue -h -j "$jid,$mid" -t all -o "%i %T")
bad=$(echo "$states" | grep -v ' COMPLETED$')
n=$(echo "$states" | grep -c ' COMPLETED$')
[ -z "$bad" ] && [ "$n" = $((N + 1)) ] || {
    echo "jobs not completed:"; echo "$states"; cat "$T"/part-*.log "$T/merge.log" 2> /dev/null; exit 1; }

# the merged folder = the one-machine run, file for file, byte for byte (run times aside)
(cd "$T/one" && find . -type f | sort) > "$T/la"
(cd "$T/merged" && find . -type f | sort) > "$T/lb"
cmp -s "$T/la" "$T/lb" || { echo "different files:"; diff "$T/la" "$T/lb"; exit 1; }
for f in $(cat "$T/la"); do
    case $f in
    *.json) grep -v '"seconds"' "$T/one/$f" > "$T/a"; grep -v '"seconds"' "$T/merged/$f" > "$T/b" ;;
    *) cp "$T/one/$f" "$T/a"; cp "$T/merged/$f" "$T/b" ;;
    esac
    cmp -s "$T/a" "$T/b" || { echo "differs: $f"; exit 1; }
done
echo "slurm array of $N parts + merge job = one run ($(wc -l < "$T/la") files)"
