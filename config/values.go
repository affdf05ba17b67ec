package config

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// parseTime parses a heartbeat time value (heartbeat-spec §1.2): a number
// of seconds ("2", "1.5"), or a number followed by "ms" or "us" (any word
// starting with those, case-insensitive: "1500ms", "200msec", "500us").
// Values are rounded to the nearest millisecond, as heartbeat does. Other
// suffixes ("10s", "1m") are errors, as in heartbeat.
//
// note is non-empty when the value is accepted the way heartbeat's atof
// reads it but probably not as meant ("1.2.3" reads as 1.2 seconds).
func parseTime(s string) (d time.Duration, note string, err error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], s[i:]
	if strings.Trim(num, ".") == "" {
		return 0, "", fmt.Errorf("%q is not a time: want seconds (2, 0.5) or milliseconds (500ms)", s)
	}
	// atof stops at a second dot: "1.2.3" is 1.2.
	if j := strings.IndexByte(num, '.'); j >= 0 {
		if k := strings.IndexByte(num[j+1:], '.'); k >= 0 {
			note = fmt.Sprintf("%q is read as %s, as heartbeat reads it", s, num[:j+1+k])
			num = num[:j+1+k]
		}
	}
	var v float64
	if _, err := fmt.Sscanf(num+"\n", "%g\n", &v); err != nil {
		// Only "." style inputs get here; treat as zero like atof.
		v = 0
	}
	lu := strings.ToLower(unit)
	var scale float64
	switch {
	case lu == "":
		scale = 1000
	case strings.HasPrefix(lu, "ms"):
		scale = 1
	case strings.HasPrefix(lu, "us"):
		scale = 0.001
	default:
		return 0, "", fmt.Errorf("%q has unit %q: allowed are seconds with no unit (2, 0.5), \"ms\" and \"us\" (heartbeat refuses %q too)", s, unit, unit)
	}
	ms := math.Round(v * scale)
	if ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0, "", fmt.Errorf("%q is too large", s)
	}
	return time.Duration(ms) * time.Millisecond, note, nil
}

// parseBool parses heartbeat's booleans (heartbeat-spec §1.3),
// case-insensitively.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "on", "yes", "y", "1":
		return true, nil
	case "false", "off", "no", "n", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean: allowed are yes/no, on/off, true/false, y/n, 1/0", s)
}

// parseInt parses a decimal integer within [lo, hi].
func parseInt(s string, lo, hi int) (int, error) {
	var v int
	if s == "" || len(s) > 12 {
		return 0, fmt.Errorf("%q is not a number from %d to %d", s, lo, hi)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number from %d to %d", s, lo, hi)
		}
		v = v*10 + int(c-'0')
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is out of range: allowed are %d to %d", v, lo, hi)
	}
	return v, nil
}

// fmtDur prints a duration the way ha.cf would write it: whole seconds
// as "2s", anything else in milliseconds.
func fmtDur(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

// validIfaceName reports whether s can be a Linux interface name.
func validIfaceName(s string) bool {
	if s == "" || len(s) > 15 || s == "." || s == ".." {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == '/' || c == ':' || c > '~' {
			return false
		}
	}
	return true
}

// validNodeName reports whether s can be a node (host) name.
func validNodeName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return true
}
