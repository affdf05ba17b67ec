// Package tty opens a serial port for heartbeat's serial medium: raw 8N1
// at a fixed baud, CLOCAL, exclusive (TIOCEXCL), guarded by a UUCP-style
// lock file (/var/lock/LCK..ttyS0), and handed to the Go runtime poller so
// that reads and writes take deadlines and Close never waits for them.
//
// Why not a library: tarm/serial switches the fd back to blocking behind
// the runtime's back, so Close hangs while a read is blocked; go.bug.st's
// select() panics on fds >= 1024 and has no write timeout
// (shared/design/DEPENDENCIES.md section 2). This package is the ~100
// lines that heartbeat actually needs.
//
// What it does not do: no framing (see package transport), no modem line
// control, no BREAK on open (heartbeat sends one; a null-modem peer does
// not need it), no baud rates outside the ones ha.cf allows. Linux only.
// A dead peer cannot be seen at this layer (CLOCAL, no DCD): only the
// heartbeat deadtime detects it.
package tty
