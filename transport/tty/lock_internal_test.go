package tty

import (
	"bytes"
	"testing"
)

func TestProcState(t *testing.T) {
	for _, c := range []struct {
		stat  string
		state byte // 0: an error
	}{
		{"1234 (sleep) S 1 1234 1234 0 -1 4194304", 'S'},
		{"99 (understudy) Z 1 99", 'Z'},
		{"7 (a) b) (c) R 1", 'R'}, // parentheses in the name
		{"7 (two words) X 1", 'X'},
		{"7 (evil) Z) S 1", 'S'}, // a name ending like a state
		{"", 0},
		{"7 sleep S 1", 0},
		{"7 (sleep)", 0},
		{"7 (sleep) ", 0},
		{"7 (sleep)S", 0},
	} {
		got, err := procState([]byte(c.stat))
		if c.state == 0 {
			if err == nil {
				t.Errorf("procState(%q) = %q, want an error", c.stat, got)
			}
			continue
		}
		if err != nil || got != c.state {
			t.Errorf("procState(%q) = %q, %v; want %q", c.stat, got, err, c.state)
		}
	}
}

func FuzzProcState(f *testing.F) {
	f.Add([]byte("1234 (sleep) S 1 1234"))
	f.Add([]byte("7 (a) b) Z 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := procState(b)
		if err != nil {
			return
		}
		// The state follows the last ")" and a space.
		i := bytes.LastIndex(b, []byte{')', ' ', s})
		if i < 0 || s == ')' || bytes.IndexByte(b[i+1:], ')') >= 0 {
			t.Errorf("procState(%q) = %q: not the letter after the last \") \"", b, s)
		}
	})
}
