package logging

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Ident is the program name in every line and the syslog tag.
const Ident = "understudy"

// Options are the logging directives of ha.cf plus where stderr goes.
// The zero value logs info and above to nothing; set Stderr.
type Options struct {
	// Logfile receives every line except debug ("" = none).
	Logfile string
	// Debugfile receives every line ("" = none).
	Debugfile string
	// LogFacility is the syslog facility name as config validated it
	// (daemon, local0…local7, auth, …); "" or "none" = no syslog. An
	// unknown name logs to daemon and New reports it.
	LogFacility string
	// UseLogd: with no Logfile, Debugfile or LogFacility, log to syslog
	// facility daemon (there is no logd; see the package doc).
	UseLogd bool
	// Debug is the debug level, 0..255; above 0 debug lines are produced.
	Debug int
	// SyslogMsgFmt selects the file line format (config's default true).
	SyslogMsgFmt bool
	// Stderr receives info and above, debug too when Debug > 0; nil = no
	// stderr output.
	Stderr io.Writer
	// Journald: Stderr is the systemd journal, so lines carry "<N>"
	// priority prefixes instead of time and ident (see Journald).
	Journald bool
	// Host is the host name in syslogmsgfmt lines (default uname -n).
	Host string
	// SyslogNetwork and SyslogAddr, when SyslogAddr is set, are dialled
	// instead of the local syslog socket (/dev/log): for tests, or a
	// syslog that listens elsewhere. Example: "unixgram", "/tmp/x/log".
	SyslogNetwork, SyslogAddr string
}

// Journald reports whether f (normally os.Stderr) is connected to the
// systemd journal: JOURNAL_STREAM holds "DEVICE:INODE" of the journal
// stream systemd gave the service, and f must still be that stream (a
// script run by the service may have redirected it to a file).
func Journald(f *os.File) bool {
	return journalStream(os.Getenv("JOURNAL_STREAM"), f)
}

func journalStream(env string, f *os.File) bool {
	devS, inoS, ok := strings.Cut(env, ":")
	if !ok || f == nil {
		return false
	}
	dev, err1 := strconv.ParseUint(devS, 10, 64)
	ino, err2 := strconv.ParseUint(inoS, 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(st.Dev) == dev && uint64(st.Ino) == ino
}

// facilities maps ha.cf facility names to log/syslog's.
var facilities = map[string]syslog.Priority{
	"auth": syslog.LOG_AUTH, "authpriv": syslog.LOG_AUTHPRIV, "cron": syslog.LOG_CRON,
	"daemon": syslog.LOG_DAEMON, "ftp": syslog.LOG_FTP, "kern": syslog.LOG_KERN,
	"lpr": syslog.LOG_LPR, "mail": syslog.LOG_MAIL, "news": syslog.LOG_NEWS,
	"syslog": syslog.LOG_SYSLOG, "user": syslog.LOG_USER, "uucp": syslog.LOG_UUCP,
	"security": syslog.LOG_AUTH, // the old name of auth
	"local0":   syslog.LOG_LOCAL0, "local1": syslog.LOG_LOCAL1, "local2": syslog.LOG_LOCAL2,
	"local3": syslog.LOG_LOCAL3, "local4": syslog.LOG_LOCAL4, "local5": syslog.LOG_LOCAL5,
	"local6": syslog.LOG_LOCAL6, "local7": syslog.LOG_LOCAL7,
}

// New builds the logger described by o, and the Sink that closes its
// files and syslog connection (after Close the logger writes to stderr
// only) and applies a reloaded configuration (Reconfigure).
//
// New always returns a usable logger and Sink. A non-nil error lists
// what could not be set up at once: a file that cannot be opened (it is
// tried again at most once a second, and its lines are lost meanwhile),
// an unknown facility (daemon is used). The caller decides whether that
// is fatal; heartbeat carried on. An unreachable syslog is not an error:
// a syslog daemon starting after Understudy is normal.
func New(o Options) (*slog.Logger, *Sink, error) {
	return build(o, time.Now)
}

// build is New with a clock (tests move it to trigger the reopen check).
func build(o Options, now func() time.Time) (*slog.Logger, *Sink, error) {
	c := newCore(o, now)
	err := c.configure(o)
	return slog.New(&handler{c: c}), &Sink{c: c}, err
}

// Sink is the destinations behind a logger from New. It is an io.Closer.
type Sink struct{ c *core }

// Close closes the files and the syslog connection; stderr stays, and
// Reconfigure opens destinations again.
func (s *Sink) Close() error { return s.c.Close() }

// Reconfigure makes every logger derived from New's write where o says,
// as after a reload of ha.cf (heartbeat's quick restart re-reads the
// logging directives). Host is kept from New. Lines logged meanwhile go
// to the old or the new destinations, never to neither. Errors as New.
func (s *Sink) Reconfigure(o Options) error { return s.c.configure(o) }

// destinations builds the entries o describes.
func destinations(o Options, now func() time.Time) ([]*entry, error) {
	var es []*entry
	var errs []error
	add := func(d dest, lvl slog.Level) { es = append(es, &entry{d: d, min: lvl}) }
	if o.Stderr != nil {
		add(&streamDest{w: o.Stderr, journald: o.Journald}, debugOr(o, slog.LevelInfo))
	}
	if o.Logfile != "" {
		f, err := openFile(o.Logfile, now)
		errs = append(errs, err)
		add(f, slog.LevelInfo)
	}
	if o.Debugfile != "" {
		f, err := openFile(o.Debugfile, now)
		errs = append(errs, err)
		add(f, debugOr(o, slog.LevelInfo))
	}
	fac := o.LogFacility
	if fac == "none" {
		fac = ""
	}
	if fac == "" && o.UseLogd && o.Logfile == "" && o.Debugfile == "" {
		fac = "daemon"
	}
	if fac != "" {
		prio, ok := facilities[fac]
		if !ok {
			errs = append(errs, fmt.Errorf("logfacility %q is not a syslog facility: logging to daemon", fac))
			prio = syslog.LOG_DAEMON
		}
		add(newSyslogDest(prio, o.SyslogNetwork, o.SyslogAddr, now), slog.LevelInfo)
	}
	return es, errors.Join(errs...)
}

// debugOr is LevelDebug when debugging is on, else lvl.
func debugOr(o Options, lvl slog.Level) slog.Level {
	if o.Debug > 0 {
		return slog.LevelDebug
	}
	return lvl
}
