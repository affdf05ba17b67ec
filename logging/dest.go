package logging

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"time"
)

// streamDest is stderr: file format, or "<N>" prefixes for journald.
type streamDest struct {
	w        io.Writer
	journald bool
}

func (s *streamDest) name() string { return "stderr" }
func (s *streamDest) close() error { return nil }

func (s *streamDest) write(r *rec) error {
	line := r.line
	if s.journald {
		line = journalPrefix(r.level) + levelWord(r.level) + ": " + r.body + "\n"
	}
	_, err := io.WriteString(s.w, line)
	return err
}

// reopenEvery is how often a file's path is compared with the open file.
const reopenEvery = time.Second

// fileDest is a log file that follows rotation: before a write, at most
// once per reopenEvery, it reopens the path if the path vanished or is no
// longer the open file.
type fileDest struct {
	path      string
	now       func() time.Time
	f         *os.File
	fi        os.FileInfo // of f, when it was opened
	lastCheck time.Time
	err       error // why f is nil
}

// openFile opens path for appending; on failure the fileDest is returned
// anyway, without a file, and tries again on later writes.
func openFile(path string, now func() time.Time) (*fileDest, error) {
	d := &fileDest{path: path, now: now, lastCheck: now()}
	d.err = d.open()
	return d, d.err
}

func (d *fileDest) open() error {
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log file: %w", err)
	}
	d.f, d.fi = f, fi
	return nil
}

func (d *fileDest) name() string { return d.path }

func (d *fileDest) write(r *rec) error {
	if now := d.now(); now.Sub(d.lastCheck) >= reopenEvery || now.Before(d.lastCheck) {
		d.lastCheck = now
		d.err = d.follow()
	}
	if d.f == nil {
		return d.err
	}
	_, err := io.WriteString(d.f, r.line)
	return err
}

// follow reopens the file if the path no longer names it.
func (d *fileDest) follow() error {
	if d.f != nil {
		if fi, err := os.Stat(d.path); err == nil && os.SameFile(fi, d.fi) {
			return nil
		}
		d.f.Close()
		d.f, d.fi = nil, nil
	}
	return d.open()
}

func (d *fileDest) close() error {
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}

// syslogDest writes through one log/syslog Writer, choosing the Writer
// method by level so each line has its own priority.
type syslogDest struct {
	prio          syslog.Priority
	network, addr string
	now           func() time.Time
	w             *syslog.Writer
	lastDial      time.Time
}

func newSyslogDest(facility syslog.Priority, network, addr string, now func() time.Time) *syslogDest {
	s := &syslogDest{prio: facility | syslog.LOG_INFO, network: network, addr: addr, now: now}
	_ = s.dial()
	return s
}

func (s *syslogDest) dial() error {
	s.lastDial = s.now()
	network := s.network
	if s.addr == "" {
		network = "" // the local socket, /dev/log
	} else if network == "" {
		network = "unixgram"
	}
	w, err := syslog.Dial(network, s.addr, s.prio, Ident)
	if err != nil {
		return fmt.Errorf("connect to syslog: %w", err)
	}
	s.w = w
	return nil
}

func (s *syslogDest) name() string { return "syslog" }

func (s *syslogDest) write(r *rec) error {
	if s.w == nil {
		if now := s.now(); now.Sub(s.lastDial) < reopenEvery && !now.Before(s.lastDial) {
			return errors.New("syslog not connected")
		}
		if err := s.dial(); err != nil {
			return err
		}
	}
	msg := levelWord(r.level) + ": " + r.body
	switch {
	case r.level >= slog.LevelError:
		return s.w.Err(msg)
	case r.level >= slog.LevelWarn:
		return s.w.Warning(msg)
	case r.level >= slog.LevelInfo:
		return s.w.Info(msg)
	}
	return s.w.Debug(msg)
}

func (s *syslogDest) close() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Close()
	s.w = nil
	return err
}
