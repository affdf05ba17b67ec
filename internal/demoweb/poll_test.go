package main

import (
	"strings"
	"testing"
	"time"
)

func TestPollReached(t *testing.T) {
	tests := []struct {
		opts pollOptions
		name string
		want bool
	}{
		{pollOptions{}, "node1", false},
		{pollOptions{untilName: "node2"}, "node1", false},
		{pollOptions{untilName: "node2"}, "node2", true},
		{pollOptions{untilNot: "node1"}, "node1", false},
		{pollOptions{untilNot: "node1"}, "node7", true},
	}
	for _, tt := range tests {
		if got := tt.opts.reached(tt.name); got != tt.want {
			t.Errorf("%+v.reached(%q) = %v, want %v", tt.opts, tt.name, got, tt.want)
		}
	}
}

func TestPollCheck(t *testing.T) {
	ok := pollOptions{url: "http://192.0.2.100/", interval: 10 * time.Millisecond, timeout: 50 * time.Millisecond, duration: time.Second}
	with := func(f func(*pollOptions)) pollOptions { o := ok; f(&o); return o }
	tests := []struct {
		opts pollOptions
		want string // a part of the complaint; "" for none
	}{
		{ok, ""},
		{with(func(o *pollOptions) { o.untilNot = "node1"; o.linger = time.Second }), ""},
		{with(func(o *pollOptions) { o.url = "" }), "--url is required"},
		{with(func(o *pollOptions) { o.duration = 11 * time.Minute }), "--duration"},
		{with(func(o *pollOptions) { o.untilName, o.untilNot = "node2", "node1" }), "exclude each other"},
		{with(func(o *pollOptions) { o.linger = time.Second }), "--linger needs"},
		{with(func(o *pollOptions) { o.untilName, o.linger = "node2", 2*time.Minute }), "--linger must be"},
	}
	for _, tt := range tests {
		got := tt.opts.check()
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%+v.check() = %q, want a complaint containing %q", tt.opts, got, tt.want)
		}
	}
}

// Flags reach the options: an unknown combination is refused with status
// 2 before anything is polled.
func TestRunPollRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"poll"},
		{"poll", "--url", "http://192.0.2.100/", "extra"},
		{"poll", "--url", "http://192.0.2.100/", "--until-name", "a", "--until-not", "b"},
		{"poll", "--url", "http://192.0.2.100/", "--linger", "1s"},
	} {
		var out, errb strings.Builder
		if code := run(args, &out, &errb); code != 2 || !strings.Contains(errb.String(), "demoweb poll:") {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and a complaint", args, code, errb.String())
		}
	}
}
