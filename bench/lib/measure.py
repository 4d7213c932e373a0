"""measure.py OUT TIMEFILE CMD...: run CMD with stdout to OUT and write
"WALL_S MAXRSS_KB USER_S SYS_S" of it to TIMEFILE (no /usr/bin/time needed).
Exits with CMD's status."""
import resource, subprocess, sys, time

t0 = time.monotonic()
with open(sys.argv[1], "w") as out:
    rc = subprocess.run(sys.argv[3:], stdout=out).returncode
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[2], "w") as f:
    f.write("%.3f %d %.3f %.3f\n" % (wall, ru.ru_maxrss, ru.ru_utime, ru.ru_stime))
sys.exit(rc)
