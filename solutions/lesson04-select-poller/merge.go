package poller

// report adds one readiness to ready[:filled] and returns the new count.
// kqueue reports reading and writing as two kevents for the same fd, and the
// caller wants one Event per fd (Python's KqueueSelector merges them too):
// so each registration remembers the Select call (round) that last reported
// it, and where in ready. A second readiness in the same round is merged into
// that Event instead of taking a new one.
//
// round must never repeat: a uint64 counting one Select per nanosecond would
// take 584 years to wrap. (A uint32 wraps after 2^32 Selects, a few days of a
// busy loop, and a fresh registration, whose mark is 0, would then be taken
// for one already reported.)
func report(ready []Event, filled int, reg *registration, round uint64, fd int, events Events) int {
	if reg.mark == round {
		ready[reg.at].Events |= events
		return filled
	}
	reg.mark, reg.at = round, int32(filled)
	ready[filled] = Event{FD: fd, Events: events, Data: reg.data}
	return filled + 1
}
