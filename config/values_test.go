package config

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		in      string
		want    time.Duration
		note    bool
		wantErr bool
	}{
		{in: "2", want: 2000 * ms},
		{in: "1.7", want: 1700 * ms},
		{in: "0.001", want: 1 * ms},
		{in: "0.0004", want: 0},
		{in: "0.0006", want: 1 * ms}, // rounded to nearest, as heartbeat
		{in: "1500ms", want: 1500 * ms},
		{in: "1500MS", want: 1500 * ms}, // unit case-insensitive
		{in: "200msec", want: 200 * ms}, // anything starting with ms
		{in: "1000000us", want: 1000 * ms},
		{in: "499us", want: 0},
		{in: "1500usec", want: 2 * ms},
		{in: ".5", want: 500 * ms},
		{in: "1.2.3", want: 1200 * ms, note: true}, // atof stops at the second dot
		{in: "10s", wantErr: true},                 // heartbeat refuses it too
		{in: "1m", wantErr: true},
		{in: "ms", wantErr: true},
		{in: "", wantErr: true},
		{in: ".", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "99999999999999999999999", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, note, err := parseTime(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseTime(%q) err = %v, want error %t", tc.in, err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("parseTime(%q) = %v, want %v", tc.in, got, tc.want)
			}
			if (note != "") != tc.note {
				t.Errorf("parseTime(%q) note = %q, want note %t", tc.in, note, tc.note)
			}
		})
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"true", "on", "yes", "y", "1", "TRUE", "On", "YES", "Y"} {
		if b, err := parseBool(s); err != nil || !b {
			t.Errorf("parseBool(%q) = %v, %v; want true", s, b, err)
		}
	}
	for _, s := range []string{"false", "off", "no", "n", "0", "False", "OFF", "N"} {
		if b, err := parseBool(s); err != nil || b {
			t.Errorf("parseBool(%q) = %v, %v; want false", s, b, err)
		}
	}
	for _, s := range []string{"", "2", "yess", "enable", "t", "f"} {
		if _, err := parseBool(s); err == nil {
			t.Errorf("parseBool(%q): want an error", s)
		}
	}
}

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in     string
		lo, hi int
		want   int
		ok     bool
	}{
		{"694", 1, 65535, 694, true},
		{"0", 1, 65535, 0, false},
		{"65536", 1, 65535, 0, false},
		{"-1", 0, 10, 0, false},
		{"+1", 0, 10, 0, false},
		{"1 ", 0, 10, 0, false},
		{"9999999999999", 0, 10, 0, false},
		{"", 0, 10, 0, false},
	} {
		got, err := parseInt(tc.in, tc.lo, tc.hi)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseInt(%q, %d, %d) = %d, %v", tc.in, tc.lo, tc.hi, got, err)
		}
	}
}
