// Package ptytest gives tests serial ports without hardware: a pseudo
// terminal pair opened from /dev/ptmx (TIOCSPTLCK, TIOCGPTN), and a
// null-modem cable made of two pairs whose masters are relayed to each
// other, as shared/design/heartbeat-spec.md section 8.6 does in Python.
//
// No external tool (socat) is needed. Everything a helper starts is
// stopped in t.Cleanup; masters are on the runtime poller, so closing
// them releases the relay at once.
//
// Ptys ignore the baud rate: tests built on them say nothing about real
// line timing.
package ptytest
