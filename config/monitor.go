package config

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MonitorKind says what a monitor probes and how it judges the answer.
type MonitorKind string

// The kinds of monitor.
const (
	// KindHTTP sends a HEAD request; a status of 200 to 399 is up, unless
	// Expect lists the statuses wanted.
	KindHTTP MonitorKind = "http"
	// KindHTTPS is KindHTTP over TLS. The certificate is not verified: a
	// monitor asks whether the service answers, and a certificate names a
	// host, not the address probed.
	KindHTTPS MonitorKind = "https"
	// KindFTP and KindSMTP wait for the server's "220" greeting without
	// sending anything first, then say QUIT.
	KindFTP  MonitorKind = "ftp"
	KindSMTP MonitorKind = "smtp"
	// KindTCP is up when a TCP connection is accepted.
	KindTCP MonitorKind = "tcp"
	// KindScript runs a program: exit status 0 is up.
	KindScript MonitorKind = "script"
	// KindStatus asks the group's resource scripts for their status, as
	// heartbeat's ResourceManager status does: up when all run.
	KindStatus MonitorKind = "status"
)

// MonitorKinds are the kinds understudy.toml accepts, in the order the
// man page lists them.
var MonitorKinds = []MonitorKind{KindHTTP, KindHTTPS, KindFTP, KindSMTP, KindTCP, KindScript, KindStatus}

// defaultPorts are the ports of the kinds that have a well-known one.
var defaultPorts = map[MonitorKind]int{KindHTTP: 80, KindHTTPS: 443, KindFTP: 21, KindSMTP: 25}

// Network reports whether the kind connects to an address and a port.
func (k MonitorKind) Network() bool {
	switch k {
	case KindHTTP, KindHTTPS, KindFTP, KindSMTP, KindTCP:
		return true
	}
	return false
}

// Where says which address a monitor probes, and so on which nodes it
// runs.
type Where string

const (
	// WhereFloating probes the group's first floating address, on the
	// node that holds the group only: it checks the service clients
	// reach. Script and status monitors with it run where the group runs.
	WhereFloating Where = "floating"
	// WhereLocal probes this node's own address on the floating
	// address's subnet (the address of the node's name for a group
	// without a floating address), on every node, whether it holds the
	// group or not: for a service that runs everywhere (keepalived
	// style), so that a group moves only to a node whose copy is healthy.
	WhereLocal Where = "local"
	// WhereFixed probes Monitor.Address, on every node.
	WhereFixed Where = "fixed"
)

// OnFail says what happens when a monitor on the node holding the group
// finds the service down.
type OnFail string

const (
	// OnFailFailover stops the group here and hands it to a node that is
	// healthy for it.
	OnFailFailover OnFail = "failover"
	// OnFailRestart first restarts the group in place, up to
	// Monitor.Restarts times, and fails over when that does not help.
	OnFailRestart OnFail = "restart"
)

// Monitor defaults, and why.
const (
	// DefaultMonitorInterval: one probe a second finds a dead service
	// within a few seconds (keepalived's track scripts default to 1s,
	// haproxy's checks to 2s) at the cost of one connection a second.
	DefaultMonitorInterval = time.Second
	// The default timeout is half the interval: a probe is over before
	// the next is due, and a local service that takes half a second to
	// answer a HEAD is not well.
	//
	// DefaultMonitorFall: three failures in a row (haproxy's default), so
	// that one lost SYN or one pause does not move a group.
	DefaultMonitorFall = 3
	// DefaultMonitorRise: two successes in a row (haproxy's default)
	// before a service is trusted again.
	DefaultMonitorRise = 2
	// DefaultMonitorRestarts: with on_fail = "restart", one restart in
	// place before failing over.
	DefaultMonitorRestarts = 1
)

// Monitor is one [[monitor]] of understudy.toml: a probe of a group's
// service, repeated every Interval. Every field is set (defaults
// applied) in a Monitor that Load returns.
type Monitor struct {
	// Line is the line of its [[monitor]] header.
	Line int `json:"line"`
	// Name tells the monitors of a group apart: given, or made from the
	// kind and port ("http:80"), the program ("script:check_db") or the
	// kind ("status"). Unique within its group.
	Name string `json:"name"`
	// Group is the key of the haresources group it watches.
	Group string      `json:"group"`
	Kind  MonitorKind `json:"kind"`
	// Where is which address is probed; Address is it when WhereFixed.
	Where   Where      `json:"where"`
	Address netip.Addr `json:"address,omitzero"`
	// Port is set for network kinds, 0 otherwise.
	Port int `json:"port,omitempty"`
	// Interval is the time from one probe's start to the next; Timeout
	// bounds one probe and is shorter than Interval.
	Interval time.Duration `json:"-"`
	Timeout  time.Duration `json:"-"`
	// Fall failures in a row mark the service down; Rise successes in a
	// row mark it up again.
	Fall int `json:"fall"`
	Rise int `json:"rise"`
	// OnFail, and with OnFailRestart how many restarts in place are
	// tried before failing over (0 otherwise).
	OnFail   OnFail `json:"on_fail"`
	Restarts int    `json:"restarts,omitempty"`
	// Path, Host and Expect are for http and https: the path requested
	// ("/" by default), the Host header ("" = the address probed) and the
	// statuses that mean up (empty = 200 to 399).
	Path   string `json:"path,omitempty"`
	Host   string `json:"host,omitempty"`
	Expect []int  `json:"expect,omitempty"`
	// Command is the script kind's program and its arguments.
	Command []string `json:"command,omitempty"`

	elem int // which [[monitor]] of the file, for diagnostics
}

// SameProbe reports whether m and o probe the same thing the same way:
// every field but where they are written in the file.
func (m Monitor) SameProbe(o Monitor) bool {
	m.Line, m.elem, o.Line, o.elem = 0, 0, 0, 0
	return m.Name == o.Name && m.Group == o.Group && m.Kind == o.Kind && m.Where == o.Where &&
		m.Address == o.Address && m.Port == o.Port && m.Interval == o.Interval && m.Timeout == o.Timeout &&
		m.Fall == o.Fall && m.Rise == o.Rise && m.OnFail == o.OnFail && m.Restarts == o.Restarts &&
		m.Path == o.Path && m.Host == o.Host && slices.Equal(m.Expect, o.Expect) && slices.Equal(m.Command, o.Command)
}

// Everywhere reports whether the monitor runs on every node (address
// "local" or an IP) rather than only on the node holding its group.
func (m Monitor) Everywhere() bool { return m.Where != WhereFloating }

// StatusUp reports whether an HTTP status means up for this monitor.
func (m Monitor) StatusUp(code int) bool {
	if len(m.Expect) == 0 {
		return code >= 200 && code < 400
	}
	return slices.Contains(m.Expect, code)
}

// MarshalJSON writes the durations in Go's notation ("500ms").
func (m Monitor) MarshalJSON() ([]byte, error) {
	type plain Monitor
	return json.Marshal(struct {
		plain
		Interval string `json:"interval"`
		Timeout  string `json:"timeout"`
	}{plain(m), m.Interval.String(), m.Timeout.String()})
}

// String describes the monitor in one line, for understudy check.
func (m Monitor) String() string {
	var what string
	switch m.Kind {
	case KindHTTP, KindHTTPS:
		what = fmt.Sprintf("%s HEAD %s", m.Kind, m.Path)
		if m.Host != "" {
			what += " Host " + m.Host
		}
		if len(m.Expect) > 0 {
			what += " expecting " + strings.Trim(fmt.Sprint(m.Expect), "[]")
		}
	case KindFTP, KindSMTP:
		what = string(m.Kind) + " greeting"
	case KindTCP:
		what = "tcp connect"
	case KindScript:
		what = "script " + strings.Join(m.Command, " ")
	case KindStatus:
		what = "status of the group's resource scripts"
	}
	if m.Kind.Network() {
		what += fmt.Sprintf(", port %d of %s", m.Port, m.where())
	} else if m.Kind == KindScript {
		what += ", for " + m.where()
	}
	then := "fail over"
	if m.OnFail == OnFailRestart {
		then = fmt.Sprintf("restart in place %s, then fail over", times(m.Restarts))
	}
	return fmt.Sprintf("%s: %s, every %s, timeout %s, down after %d, up after %d, then %s",
		m.Name, what, m.Interval, m.Timeout, m.Fall, m.Rise, then)
}

func (m Monitor) where() string {
	switch m.Where {
	case WhereLocal:
		return "each node's own address"
	case WhereFixed:
		return m.Address.String() + " on each node"
	}
	return "the floating address, where the group runs"
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " times"
}

// FloatingAddr returns the group's first floating address, if it has one.
func (g Group) FloatingAddr() (netip.Addr, bool) {
	for _, r := range g.Resources {
		if r.IP != nil {
			return r.IP.Addr, true
		}
	}
	return netip.Addr{}, false
}

// HasScripts reports whether the group has a resource that is a script.
func (g Group) HasScripts() bool {
	return slices.ContainsFunc(g.Resources, func(r Resource) bool { return !r.Native() })
}
