"""`python3 rusage.py OUT command args…` (npm run bench): runs the command and writes to OUT
"wall_ms user_ms system_ms maxrss_kib" for that process alone, from wait4(2) (microsecond CPU times, unlike
/usr/bin/time's 10 ms), with the wall time taken around spawn and wait only (this wrapper's own start-up excluded).
Exits with the command's exit code."""
import os
import sys
import time


def main():
    out, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter() - started) * 1000
    with open(out, "w") as f:
        f.write(f"{wall:.3f} {usage.ru_utime * 1000:.3f} {usage.ru_stime * 1000:.3f} {usage.ru_maxrss}\n")
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
