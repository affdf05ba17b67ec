package neigh

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeSender records what it is asked to send, with the virtual time.
type fakeSender struct {
	start time.Time
	mu    sync.Mutex
	sent  []string
	fail  func(n int) error // nil: never fail
}

func (f *fakeSender) record(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.sent)
	f.sent = append(f.sent, fmt.Sprintf("%v %s", time.Since(f.start), s))
	if f.fail != nil {
		return f.fail(n)
	}
	return nil
}

func (f *fakeSender) SendARP(ifindex int, body []byte) error {
	p, err := ParseARP(body)
	if err != nil {
		return err
	}
	return f.record(fmt.Sprintf("arp op=%d if=%d %s", p.Op, ifindex, p.SenderIP))
}

func (f *fakeSender) SendNA(ifindex int, src netip.Addr, body []byte) error {
	return f.record(fmt.Sprintf("na if=%d src=%s len=%d", ifindex, src, len(body)))
}

func (f *fakeSender) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

var testLink = Link{Index: 7, Name: "eth0", MAC: testMAC}

func TestAnnounceSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeSender{start: time.Now()}
		a := NewAnnouncer(AnnouncerOptions{Sender: fs, Count: 3, Interval: 200 * time.Millisecond})
		if err := a.Announce(testLink, testV4); err != nil {
			t.Fatal(err)
		}
		if err := a.Announce(testLink, testV6); err != nil {
			t.Fatal(err)
		}
		// The first round is out before Announce returns; the rest is not.
		if got := len(fs.log()); got != 3 {
			t.Errorf("sent %d packets before Announce returned, want 3 (ARP request+reply, NA)", got)
		}
		a.Wait()
		want := []string{
			"0s arp op=1 if=7 192.0.2.100", "0s arp op=2 if=7 192.0.2.100", "0s na if=7 src=2001:db8::100 len=32",
			"200ms arp op=1 if=7 192.0.2.100", "200ms arp op=2 if=7 192.0.2.100", "200ms na if=7 src=2001:db8::100 len=32",
			"400ms arp op=1 if=7 192.0.2.100", "400ms arp op=2 if=7 192.0.2.100", "400ms na if=7 src=2001:db8::100 len=32",
		}
		got := fs.log()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("sent:\n%q\nwant:\n%q", got, want)
		}
	})
}

func TestAnnounceCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeSender{start: time.Now()}
		a := NewAnnouncer(AnnouncerOptions{Sender: fs, Count: 10, Interval: time.Second})
		if err := a.Announce(testLink, testV6); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2500 * time.Millisecond)
		a.Cancel(testV6)
		a.Wait()
		if got := len(fs.log()); got != 3 {
			t.Errorf("sent %d NAs, want 3 (at 0s, 1s, 2s, then cancelled): %q", got, fs.log())
		}
		a.Cancel(testV6) // no burst: no-op
		a.Close()
	})
}

func TestAnnounceRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeSender{start: time.Now()}
		a := NewAnnouncer(AnnouncerOptions{Sender: fs, Count: 2, Interval: time.Second})
		a.Announce(testLink, testV6)
		time.Sleep(500 * time.Millisecond)
		a.Announce(testLink, testV6) // restarts: the old burst's 1s round never comes
		a.Close()
		synctest.Wait()
		want := []string{"0s na if=7 src=2001:db8::100 len=32", "500ms na if=7 src=2001:db8::100 len=32"}
		if got := fs.log(); !slices.Equal(got, want) {
			t.Errorf("sent %q, want %q", got, want)
		}
	})
}

func TestAnnounceErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		fs := &fakeSender{start: time.Now(), fail: func(n int) error {
			if n == 0 || n == 3 {
				return boom
			}
			return nil
		}}
		a := NewAnnouncer(AnnouncerOptions{Sender: fs, Count: 3, Interval: 10 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
		if err := a.Announce(testLink, testV4); !errors.Is(err, boom) {
			t.Fatalf("first round error = %v, want boom", err)
		}
		if err := a.Announce(testLink, testV4); err != nil { // sends 1,2; background 3 fails (logged), 4,5 ok... round 3 sends 5,6
			t.Fatal(err)
		}
		a.Wait()
		if got := len(fs.log()); got != 6 {
			t.Errorf("sent %d, want 6 (a failed request skips its round's reply, the burst goes on): %q", got, fs.log())
		}
		if _, err := roundBodies(Link{Name: "ib0", MAC: make([]byte, 20)}, testV4); !errors.Is(err, ErrInvalidMAC) {
			t.Errorf("20-byte MAC: err = %v, want ErrInvalidMAC", err)
		}
	})
}

// TestAnnounceOneSender: the later rounds of many bursts go out from one
// goroutine, not one each.
func TestAnnounceOneSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeSender{start: time.Now()}
		a := NewAnnouncer(AnnouncerOptions{Sender: fs, Count: 3, Interval: 100 * time.Millisecond})
		for i := range 64 {
			if err := a.Announce(testLink, netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)})); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait() // the sender waits for the second rounds
		buf := make([]byte, 1<<20)
		if n := strings.Count(string(buf[:runtime.Stack(buf, true)]), "neigh.(*Announcer).run("); n != 1 {
			t.Errorf("%d goroutines send the bursts of 64 addresses, want 1", n)
		}
		a.Wait()
		if got := len(fs.log()); got != 64*3*2 {
			t.Errorf("sent %d packets, want %d", got, 64*3*2)
		}
		synctest.Wait()
		if n := strings.Count(string(buf[:runtime.Stack(buf, true)]), "neigh.(*Announcer).run("); n != 0 {
			t.Errorf("%d sender goroutines left with no burst, want 0", n)
		}
		a.Close()
	})
}
