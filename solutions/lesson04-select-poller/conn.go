//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// connState is everything the loop knows about one connection between two
// readiness events: the Go answer to the tutorial's
// types.SimpleNamespace(addr=addr, inb=b"", outb=b""). With no goroutine per
// connection there is no stack to remember where a conversation was; this
// struct is that memory, so it is kept small.
type connState struct {
	in       []byte         // the start of a line whose '\n' has not come yet
	out      []byte         // echo bytes the kernel has not taken yet
	addr     netip.AddrPort // the client, for the log
	deadline int64          // loop clock at which to close it (0: none)
	phase    connPhase      // where the conversation is (see below)
	interest Events         // what the selector watches for it now
	open     bool           // the slot holds a live connection
}

// connPhase is where a connection is in its life:
//
//	open ──EOF──▶ flushing ──out empty──▶ closed
//	open ──line too long──▶ rejecting ──error sent, shutdown(WR)──▶ lingering ──EOF or deadline──▶ closed
//	open ──stopping, no line in flight (or it has just ended)──▶ flushing
//	any ──a write failed──▶ broken ──▶ closed, at once
type connPhase uint8

const (
	phaseOpen      connPhase = iota // reading lines and echoing them
	phaseFlushing                   // the client half-closed: write what is pending, then close
	phaseRejecting                  // a line was too long: write the error line, then half-close
	phaseLingering                  // half-closed after the error: discard input until EOF, then close
	phaseBroken                     // a write failed (logged): close in settle, before anything else touches it
)

// errLineTooLong is what frame returns when a line is over the limit.
var errLineTooLong = errors.New("line too long")

// serviceConn is the tutorial's service_connection(key, mask): fd is ready
// for what ready says, so do the I/O that will not block, then decide what
// to watch for next. A connection's failure closes that connection only:
// the error result is never a connection's (it is there for the starter's
// ErrNotImplemented).
//
// Step 3. If fd is writable (or EventError) and has pending output, flush
// it. If it is readable (or EventError) and its interest includes
// EventRead, readFrom it; then, if a write failed meanwhile (phaseBroken),
// go straight to l.settle, which closes it; else errLineTooLong → l.reject;
// io.EOF → in a lingering phase close, else echo the unfinished rest of c.in
// with l.send and enter phaseFlushing (unless that send failed); another
// error → l.closeConn. Finish with l.settle. See README.md, "Step 3".
func (l *Loop) serviceConn(fd int, ready Events) error {
	c := l.conns.get(fd)
	if c == nil {
		return nil // Closed earlier in this same batch of events.
	}
	handled := false
	if ready&(EventWrite|EventError) != 0 && len(c.out) > 0 {
		handled = true
		if err := l.flush(fd, c); err != nil {
			l.closeConn(fd, c, err)
			return nil
		}
	}
	if ready&(EventRead|EventError) != 0 && c.interest&EventRead != 0 {
		handled = true
		err := l.readFrom(fd, c)
		switch {
		case err == nil, c.phase == phaseBroken:
			// A failed write: settle closes it now, before a new phase
			// could hide that, or another write go to a dead socket.
		case errors.Is(err, errLineTooLong):
			l.reject(c)
		case err == io.EOF && c.phase == phaseLingering:
			l.closeConn(fd, c, nil) // The rejected client has gone: done.
			return nil
		case err == io.EOF:
			// The client half-closed: nothing more will come, so the
			// unfinished line is as complete as it will get. Echo it.
			if len(c.in) > 0 {
				l.logLine(c.in)
				l.send(fd, c, c.in)
				c.in = l.release(c.in)
			}
			if c.phase != phaseBroken {
				c.phase = phaseFlushing
			}
		default:
			l.closeConn(fd, c, err) // A reset, most often.
			return nil
		}
	}
	if !handled && ready&EventError != 0 {
		// An error on a connection waiting for nothing: nobody would ever
		// read it, and level-triggered readiness would report it for ever.
		l.closeConn(fd, c, errors.New("socket error"))
		return nil
	}
	l.settle(fd, c)
	return nil
}

// readFrom reads once from fd into the loop's shared buffer and passes what
// came to frame (or, for a rejected client, throws it away). It returns
// io.EOF when the client has half-closed, the read's error, or frame's.
// EAGAIN is not an error: the readiness was stale, try again next time.
//
// Step 3. One unix.Read into l.buf; EAGAIN or EINTR → nil; another error →
// return it; 0 bytes → io.EOF. Then l.touch(c) (the idle clock restarts),
// and frame l.buf[:n] unless c.phase is phaseLingering. See README.md,
// "Step 3".
func (l *Loop) readFrom(fd int, c *connState) error {
	n, err := unix.Read(fd, l.buf)
	if err == unix.EAGAIN || err == unix.EINTR {
		return nil
	}
	if err != nil {
		return os.NewSyscallError("read", err)
	}
	if n == 0 {
		return io.EOF
	}
	if c.phase == phaseLingering {
		return nil // Drained, so that closing later sends FIN, not a reset.
	}
	l.touch(c)
	return l.frame(fd, c, l.buf[:n])
}

// frame splits what just arrived into lines and echoes each complete line
// with l.send. A line can arrive over many reads, so the start of an
// unfinished line waits in c.in (which never holds a '\n') until its end
// comes. A line longer than MaxLine bytes is not echoed: frame sends the
// lines before it and returns errLineTooLong.
//
// Step 3. If c.in holds a start, look for '\n' in data: none → append data
// to c.in (l.keep(c.in) gives it a buffer) and return; found → append up to
// and including it, send c.in, release it. Then send the whole lines that
// remain in data with one l.send, straight from the read buffer, and keep
// the unfinished rest in c.in. Check every line's length. See README.md,
// "Step 3".
func (l *Loop) frame(fd int, c *connState, data []byte) error {
	if len(c.in) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(c.in)+len(data) > l.cfg.MaxLine {
				return errLineTooLong
			}
			c.in = append(l.keep(c.in), data...)
			l.notePeak(c)
			return nil
		}
		if len(c.in)+i > l.cfg.MaxLine {
			return errLineTooLong
		}
		c.in = append(c.in, data[:i+1]...)
		l.logLine(c.in)
		l.send(fd, c, c.in)
		c.in = l.release(c.in)
		data = data[i+1:]
	}
	// Whole lines in data go back in one write, with no copy. end marks the
	// end of the last whole line checked so far.
	end := 0
	for {
		i := bytes.IndexByte(data[end:], '\n')
		if i < 0 {
			break
		}
		if i > l.cfg.MaxLine {
			l.send(fd, c, data[:end])
			return errLineTooLong
		}
		l.logLine(data[end : end+i+1])
		end += i + 1
	}
	l.send(fd, c, data[:end])
	if rest := data[end:]; len(rest) > 0 {
		if len(rest) > l.cfg.MaxLine {
			return errLineTooLong
		}
		c.in = append(l.keep(c.in), rest...)
		l.notePeak(c)
	}
	return nil
}

// flush writes as much pending output as the kernel takes. A short write is
// normal: the rest stays in c.out for the next EventWrite.
//
// Step 3. One unix.Write of c.out; EAGAIN or EINTR → nil; another error →
// return it. Move the unwritten rest to the front of c.out (copy), l.touch(c),
// and l.release the buffer once it is empty. See README.md, "Step 3".
func (l *Loop) flush(fd int, c *connState) error {
	n, err := unix.Write(fd, c.out)
	if err == unix.EAGAIN || err == unix.EINTR {
		return nil
	}
	if err != nil {
		return os.NewSyscallError("write", err)
	}
	l.touch(c)
	c.out = c.out[:copy(c.out, c.out[n:])]
	if len(c.out) == 0 {
		c.out = l.release(c.out)
	}
	return nil
}

// setInterest tells the selector what fd should be watched for now, and
// only when that changed (each change is a system call):
//
//   - EventWrite only while output is pending. A socket with room in its
//     send buffer is always writable; watched for nothing to write, it would
//     make every Select return at once, and the loop would spin.
//   - EventRead while the phase reads (open, lingering), but not while
//     pending output is at or above highWater: that is backpressure. A
//     client that sends without reading then fills its socket buffers and
//     blocks, instead of filling the server's memory.
//
// Step 3. Work out the wanted Events; if they differ from c.interest,
// l.sel.Modify(fd, want, roleConn) and remember them in c.interest. See
// README.md, "Step 3".
func (l *Loop) setInterest(fd int, c *connState) error {
	var want Events
	switch c.phase {
	case phaseOpen:
		if len(c.out) < highWater {
			want = EventRead
		}
	case phaseLingering:
		want = EventRead
	}
	if len(c.out) > 0 {
		want |= EventWrite
	}
	if want == c.interest {
		return nil
	}
	if err := l.sel.Modify(fd, want, roleConn); err != nil {
		return err
	}
	c.interest = want
	return nil
}

// send echoes p: it writes at once what the kernel takes and keeps the rest
// in c.out. While c.out holds anything, new output goes behind it, so that
// bytes leave in order. During a stop, the first line sent on a connection
// is the end of the line that was in flight: the connection turns to
// flushing, so it echoes what it has read and reads no more.
func (l *Loop) send(fd int, c *connState, p []byte) {
	if len(p) == 0 || c.phase == phaseBroken {
		return
	}
	if l.stopping && c.phase == phaseOpen {
		c.phase = phaseFlushing
	}
	if len(c.out) == 0 {
		n, err := unix.Write(fd, p)
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			// Closing here would pull the state from under frame, which is
			// still using it: log now, mark it broken, and settle closes it
			// (without logging it again).
			fmt.Fprintf(l.log, "connection from %s closed: write: %v\n", c.addr, err)
			c.phase = phaseBroken
			return
		}
		if n > 0 {
			l.touch(c)
			p = p[n:]
		}
	}
	if len(p) > 0 {
		c.out = append(l.keep(c.out), p...)
		l.notePeak(c)
	}
}

// reject answers a line that is too long with the error line, and drops
// the connection's input; settle half-closes once the error is written.
func (l *Loop) reject(c *connState) {
	c.in = l.release(c.in)
	c.out = append(l.keep(c.out), l.tooLong...)
	c.phase = phaseRejecting
	c.deadline = l.after(lingerTimeout)
	l.timerAt(c.deadline)
}

// settle moves a connection on after its I/O: it closes it when its
// conversation is over or a write failed, half-closes a rejected client once
// its error line is out, turns a connection with no line in flight to
// flushing during a stop, and updates its interest. If the selector refuses
// the change, that connection is closed: the others go on.
func (l *Loop) settle(fd int, c *connState) {
	if c.phase == phaseBroken {
		l.closeConn(fd, c, nil) // Its error is logged already.
		return
	}
	if l.stopping && c.phase == phaseOpen && len(c.in) == 0 {
		c.phase = phaseFlushing // No line in flight: finish the echo, read no more.
	}
	if c.phase == phaseFlushing {
		c.in = l.release(c.in) // The start of a line that will not be read to its end.
	}
	if len(c.out) == 0 {
		switch c.phase {
		case phaseFlushing:
			l.closeConn(fd, c, nil) // Everything echoed: the orderly end.
			return
		case phaseRejecting:
			// The error line is out. Closing now, with the client's input
			// unread, would send a reset, and a reset makes the client's
			// kernel throw away the error line before the client reads it.
			// So half-close (the client reads the error, then EOF), drain
			// what it still sends, and close when it closes (lingering).
			unix.Shutdown(fd, unix.SHUT_WR)
			c.phase = phaseLingering
			c.deadline = l.after(lingerTimeout)
			l.timerAt(c.deadline)
		}
	}
	if err := l.setInterest(fd, c); err != nil {
		l.closeConn(fd, c, err)
	}
}

// closeConn unregisters fd, then closes it, and frees its slot. The order
// matters: once closed, the number fd can be handed to the next accepted
// client, and a registration left behind would report that client's events
// as this one's (with epoll, it would even outlive the close if fd had been
// duplicated).
func (l *Loop) closeConn(fd int, c *connState, err error) {
	switch {
	case err != nil:
		fmt.Fprintf(l.log, "connection from %s closed: %v\n", c.addr, err)
	case c.phase == phaseBroken:
		// send has logged why, once.
	case l.cfg.Verbose:
		fmt.Fprintf(l.log, "connection from %s closed\n", c.addr)
	}
	l.sel.Unregister(fd)
	unix.Close(fd)
	l.release(c.in)
	l.release(c.out)
	l.conns.remove(c)
	if !l.stopping {
		l.resumeAccepting() // Below -max-conns again.
	}
}

// touch restarts c's idle clock: it moved bytes.
func (l *Loop) touch(c *connState) {
	if l.cfg.IdleTimeout > 0 && c.phase < phaseRejecting {
		c.deadline = l.after(l.cfg.IdleTimeout)
		l.timerAt(c.deadline)
	}
}

// logLine logs a received line with -v. Without it the loop logs nothing
// per message: formatting costs more than echoing.
func (l *Loop) logLine(line []byte) {
	if l.cfg.Verbose {
		fmt.Fprintf(l.log, "received: %q\n", bytes.TrimSuffix(line, []byte("\n")))
	}
}

// notePeak records the most bytes one connection has buffered, for the tests.
func (l *Loop) notePeak(c *connState) {
	if b := int64(len(c.in) + len(c.out)); b > l.peakBuffered.Load() {
		l.peakBuffered.Store(b)
	}
}

// Connection buffers are taken only when needed and given back when empty:
// a connection that is between messages (most of them, most of the time)
// holds no buffer at all. Given-back buffers wait in l.spare for the next
// connection that needs one, so the steady state allocates nothing.
const (
	spareBuffers   = 64       // how many empty buffers the loop keeps
	spareBufferMax = 64 << 10 // larger ones go back to the garbage collector
	newBufferSize  = 4 << 10
)

// keep returns buf, or a spare empty buffer when buf has none yet.
func (l *Loop) keep(buf []byte) []byte {
	if buf != nil {
		return buf
	}
	if n := len(l.spare); n > 0 {
		buf = l.spare[n-1]
		l.spare = l.spare[:n-1]
		return buf
	}
	return make([]byte, 0, newBufferSize)
}

// release takes an emptied buffer back and returns nil, the connection's
// new value for it.
func (l *Loop) release(buf []byte) []byte {
	if buf != nil && cap(buf) <= spareBufferMax && len(l.spare) < spareBuffers {
		l.spare = append(l.spare, buf[:0])
	}
	return nil
}

// connTable holds every connection's state, indexed by its descriptor:
// no map of pointers, no allocation per connection.
type connTable struct {
	byFD fdTable[connState]
	open int // live connections
}

// get returns fd's state, or nil if fd is not a live connection.
func (t *connTable) get(fd int) *connState {
	if c := t.byFD.at(fd); c != nil && c.open {
		return c
	}
	return nil
}

// add returns a fresh state for fd.
func (t *connTable) add(fd int) *connState {
	c := t.byFD.grow(fd)
	*c = connState{open: true}
	t.open++
	return c
}

// remove frees c's slot.
func (t *connTable) remove(c *connState) {
	*c = connState{}
	t.open--
}

// each calls fn for every live connection; fn may close it.
func (t *connTable) each(fn func(fd int, c *connState)) {
	t.byFD.each(func(fd int, c *connState) {
		if c.open {
			fn(fd, c)
		}
	})
}
