"""Times two commands as whole processes, alternated A B A B ... (the machine's drift hits
both), with the standard library only: wall seconds (monotonic clock around the child), the
child's user + system seconds and peak memory (os.wait4's rusage). Prints each command's
median (min, max) and the median of the per-pair ratios B/A (how many times faster A is).

    python3 bench/alternate.py N 'COMMAND A' 'COMMAND B'

The first run of each is a warm-up (page cache, lazy loading), not counted."""
import os
import shlex
import statistics
import subprocess
import sys
import time


def once(cmd):
    t = time.monotonic()
    p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit("alternate.py: %s exited %d" % (cmd, p.returncode))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def main():
    n, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    once(a), once(b)
    ra, rb = [], []
    for _ in range(n):
        ra.append(once(a))
        rb.append(once(b))
    for name, cmd, r in (("A", a, ra), ("B", b, rb)):
        w = [x[0] for x in r]
        print("%s wall median %.2f s (min %.2f, max %.2f), cpu median %.2f s, peak %.0f MiB: %s" % (
            name, statistics.median(w), min(w), max(w), statistics.median(x[1] for x in r),
            max(x[2] for x in r), cmd))
    ratios = [y[0] / x[0] for x, y in zip(ra, rb)]
    cpu = [y[1] / x[1] for x, y in zip(ra, rb)]
    print("B/A wall: median %.2f (pairs: %s); cpu: median %.2f" % (
        statistics.median(ratios), ", ".join("%.2f" % r for r in ratios), statistics.median(cpu)))
    print("load average: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
