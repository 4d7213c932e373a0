#!/usr/bin/env python3
"""A CPU-bound task with a known duty cycle: busy BURST seconds every
PERIOD seconds for TOTAL seconds. Run it SCHED_FIFO on the receiver's CPU
(chrt -f 50 taskset -c 0 ...): a receiver woken during a burst waits for
its end, so the injected wakeup-to-run delay is at most BURST."""
import sys
import time

burst, period, total = (float(a) for a in sys.argv[1:4])
end = time.monotonic() + total
while time.monotonic() < end:
    t = time.monotonic() + burst
    while time.monotonic() < t:
        pass
    time.sleep(period - burst)
