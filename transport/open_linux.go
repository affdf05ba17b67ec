package transport

import (
	"errors"
	"fmt"

	"github.com/understudy-ha/understudy/config"
)

// FramingOf is the framing a medium type carries.
func FramingOf(t config.MediumType) Framing {
	if t == config.Serial {
		return Stream
	}
	return Datagram
}

// Open opens the link for one configured medium.
func Open(m config.Medium, o Options) (Link, error) {
	switch m.Type {
	case config.Serial:
		return OpenSerial(m, o)
	case config.Bcast, config.Mcast, config.Ucast, config.Mcast6, config.Ucast6:
		return OpenUDP(m, o)
	}
	return nil, fmt.Errorf("open %s: unknown medium type %q", m, m.Type)
}

// OpenAll opens every medium and returns a Fanout over those that
// opened. A medium that fails to open does not stop the others (a dead
// link is reported, not fatal): the error joins every failure, and the
// caller decides whether a Fanout with fewer links, or none, is enough.
func OpenAll(media []config.Medium, o Options) (*Fanout, error) {
	f := NewFanout()
	var errs []error
	for _, m := range media {
		l, err := Open(m, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f.Add(l, FramingOf(m.Type))
	}
	return f, errors.Join(errs...)
}
