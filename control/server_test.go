package control_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// bounded is a context for one client call in a test.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// send writes raw bytes to the socket and closes the writing side; the
// connection is closed when the test ends.
func send(t *testing.T, path string, req []byte) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	c.(*net.UnixConn).CloseWrite()
	return c
}

// exchange writes raw bytes to the socket and returns the reply line.
func exchange(t *testing.T, path string, req []byte) control.Response {
	t.Helper()
	return readResponse(t, send(t, path, req))
}

func readResponse(t *testing.T, c net.Conn) control.Response {
	t.Helper()
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		t.Fatalf("reading the reply: %v", err)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' || bytes.Count(b, []byte("\n")) != 1 {
		t.Fatalf("reply is not one line: %q", b)
	}
	var resp control.Response
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	return resp
}

func TestStatusRoundTrip(t *testing.T) {
	b := &controltest.Backend{St: controltest.Sample()}
	path := controltest.Serve(t, &control.Server{Backend: b})
	st, err := control.GetStatus(bounded(t), path)
	if err != nil {
		t.Fatal(err)
	}
	if want := controltest.Sample(); !reflect.DeepEqual(st, want) {
		t.Errorf("status differs after the round trip:\n got %+v\nwant %+v", st, want)
	}
}

func TestAdminRoundTrip(t *testing.T) {
	var logs logBuffer
	b := &controltest.Backend{}
	path := controltest.Serve(t, &control.Server{Backend: b, Logger: logs.logger()})
	sends := []controltest.Admin{
		{Cmd: cluster.CmdStandby, Set: ""},
		{Cmd: cluster.CmdTakeover, Set: cluster.SetLocal},
		{Cmd: cluster.CmdStandby, Set: "failback"},
		{Cmd: cluster.CmdTakeover, Set: cluster.SetForeign},
	}
	for _, s := range sends {
		if res, msg := control.Admin(bounded(t), path, s.Cmd, s.Set, 0, nil); res != control.ResultAccepted || msg != "" {
			t.Fatalf("Admin(%v, %q) = %v %q, want accepted", s.Cmd, s.Set, res, msg)
		}
	}
	want := []controltest.Admin{
		{Cmd: cluster.CmdStandby, Set: cluster.SetAll},
		{Cmd: cluster.CmdTakeover, Set: cluster.SetLocal},
		{Cmd: cluster.CmdStandby, Set: cluster.SetForeign},
		{Cmd: cluster.CmdTakeover, Set: cluster.SetForeign},
	}
	if got := b.Commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("backend got %v, want %v", got, want)
	}
	out := logs.String()
	if n := strings.Count(out, `msg="operator command"`); n != 4 {
		t.Errorf("%d operator command lines, want 4:\n%s", n, out)
	}
	for _, want := range []string{"component=control", "uid=0", "cmd=standby set=all verdict=accepted", "cmd=takeover set=local verdict=accepted"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if n := strings.Count(line, "component="); n != 1 {
			t.Errorf("component %d times in %q", n, line)
		}
	}
}

func TestBackendErrors(t *testing.T) {
	var logs logBuffer
	b := &controltest.Backend{StatusErr: errors.New("loop stopped"), AdminErr: errors.New("the daemon is busy")}
	path := controltest.Serve(t, &control.Server{Backend: b, Logger: logs.logger()})
	if _, err := control.GetStatus(bounded(t), path); err == nil || err.Error() != "status: loop stopped" {
		t.Errorf("GetStatus error = %v", err)
	}
	res, msg := control.Admin(bounded(t), path, cluster.CmdTakeover, cluster.SetAll, time.Second, nil)
	if res != control.ResultFailed || msg != "takeover [all]: the daemon is busy" {
		t.Errorf("Admin = %v %q", res, msg)
	}
	if !strings.Contains(logs.String(), `msg="operator command failed"`) {
		t.Errorf("failed command not logged:\n%s", logs.String())
	}
}

func TestMalformedRequests(t *testing.T) {
	b := &controltest.Backend{St: controltest.Sample()}
	path := controltest.Serve(t, &control.Server{Backend: b})
	tests := []struct {
		name, req, want string
	}{
		{"not json", "hello\n", "malformed request"},
		{"empty line", "\n", "malformed request"},
		{"array", "[1,2]\n", "malformed request"},
		{"no command", "{}\n", `unknown command ""`},
		{"unknown command", `{"cmd":"reboot"}` + "\n", `unknown command "reboot": want status, standby, takeover, move, clear, maintenance, reload, log or clear-log`},
		{"unknown field", `{"cmd":"status","force":true}` + "\n", `unknown field "force"`},
		{"two objects", `{"cmd":"status"}{"cmd":"standby"}` + "\n", "data after the JSON object"},
		{"set none", `{"cmd":"standby","set":"none"}` + "\n", "standby: wrong resources(none)"},
		{"bad set", `{"cmd":"takeover","set":"mine"}` + "\n", "takeover: wrong resources(mine): want all, local, foreign or failback"},
		{"set not a string", `{"cmd":"standby","set":1}` + "\n", "malformed request"},
		{"negative wait", `{"cmd":"standby","wait_ms":-1}` + "\n", "standby: wait_ms -1: want 0 to 600000"},
		{"wait too long", `{"cmd":"takeover","wait_ms":600001}` + "\n", "takeover: wait_ms 600001: want 0 to 600000"},
		{"wait not a number", `{"cmd":"standby","wait_ms":"30s"}` + "\n", "malformed request"},
		{"oversized", `{"cmd":"status","set":"` + strings.Repeat("x", control.MaxRequest) + `"}` + "\n", "request too large (over 4096 bytes)"},
		{"oversized, no newline", strings.Repeat("{", 3*control.MaxRequest), "request too large"},
		{"binary", "\x00\xff\xfe\n", "malformed request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := exchange(t, path, []byte(tt.req))
			if resp.OK || !strings.Contains(resp.Error, tt.want) || resp.Status != nil {
				t.Errorf("reply %+v, want an error containing %q", resp, tt.want)
			}
		})
	}
	if got := b.Commands(); len(got) != 0 {
		t.Errorf("malformed requests reached the backend: %v", got)
	}
	// Still serving, and a request may end at end of input.
	if resp := exchange(t, path, []byte(`{"cmd":"status"}`)); !resp.OK || resp.Status == nil {
		t.Errorf("status without newline: %+v", resp)
	}
}

func TestReadTimeout(t *testing.T) {
	b := &controltest.Backend{}
	path := controltest.Serve(t, &control.Server{Backend: b, Timeout: 50 * time.Millisecond})
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte(`{"cmd":`))
	if resp := readResponse(t, c); resp.OK || resp.Error != "no complete request line in time" {
		t.Errorf("reply %+v", resp)
	}
}

func TestRefusesNonRoot(t *testing.T) {
	var logs logBuffer
	b := &controltest.Backend{St: controltest.Sample()}
	uid1000 := func(net.Conn) (control.Cred, error) { return control.Cred{UID: 1000, PID: 4242}, nil }
	path := controltest.Serve(t, &control.Server{Backend: b, Logger: logs.logger(), PeerCred: uid1000})
	want := "permission denied: only root may use the understudy control socket (you are uid 1000)"
	if res, msg := control.Admin(bounded(t), path, cluster.CmdStandby, cluster.SetAll, time.Second, nil); res != control.ResultFailed || msg != want {
		t.Errorf("Admin = %v %q, want failed %q", res, msg, want)
	}
	var re *control.ReplyError
	if _, err := control.GetStatus(bounded(t), path); !errors.As(err, &re) || err.Error() != want {
		t.Errorf("GetStatus error = %v, want a ReplyError %q", err, want)
	}
	if resp := exchange(t, path, []byte("garbage\n")); resp.Error != want {
		t.Errorf("malformed request from non-root: %+v", resp)
	}
	if got := b.Commands(); len(got) != 0 {
		t.Errorf("refused request reached the backend: %v", got)
	}
	out := logs.String()
	if n := strings.Count(out, `msg="control request refused" component=control uid=1000 pid=4242 err="not root"`); n != 3 {
		t.Errorf("%d refusal lines, want 3:\n%s", n, out)
	}
}

func TestRefusesUnknownPeer(t *testing.T) {
	b := &controltest.Backend{}
	noCred := func(net.Conn) (control.Cred, error) {
		return control.Cred{}, errors.New("getsockopt: bad file descriptor")
	}
	path := controltest.Serve(t, &control.Server{Backend: b, PeerCred: noCred})
	if res, msg := control.Admin(bounded(t), path, cluster.CmdStandby, cluster.SetAll, 0, nil); res != control.ResultFailed || !strings.Contains(msg, "cannot check your credentials: getsockopt") {
		t.Errorf("Admin = %v %q", res, msg)
	}
	if got := b.Commands(); len(got) != 0 {
		t.Errorf("refused request reached the backend: %v", got)
	}
}

// blockingBackend's Status waits for its context.
type blockingBackend struct{ controltest.Backend }

func (*blockingBackend) Status(ctx context.Context) (control.Status, error) {
	<-ctx.Done()
	return control.Status{}, ctx.Err()
}

func TestBackendCallBounded(t *testing.T) {
	path := controltest.Serve(t, &control.Server{Backend: &blockingBackend{}, Timeout: 50 * time.Millisecond})
	_, err := control.GetStatus(bounded(t), path)
	if err == nil || !strings.Contains(err.Error(), "status: context deadline exceeded") {
		t.Errorf("GetStatus error = %v", err)
	}
}

func TestServeReturnsOnCancel(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	ln, err := control.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &control.Server{Backend: &blockingBackend{}, PeerCred: controltest.AsRoot, Timeout: time.Hour}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	// One connection idle mid-request, one waiting on the backend.
	idle, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idle.Write([]byte(`{"cmd"`))
	waiting := make(chan error, 1)
	go func() {
		_, err := control.GetStatus(context.Background(), path)
		waiting <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return within 10s of cancel")
	}
	if err := <-waiting; err == nil {
		t.Error("GetStatus succeeded against a stopped server")
	}
	if _, err := control.GetStatus(bounded(t), path); !errors.Is(err, control.ErrNotRunning) {
		t.Errorf("after Serve: %v, want ErrNotRunning (socket removed)", err)
	}
}

// TestIdleConnectionsCannotStarve: connections that never send their
// request hold every slot (and would for an hour); a real request still
// gets its answer, because the oldest idle connection makes room.
func TestIdleConnectionsCannotStarve(t *testing.T) {
	b := &controltest.Backend{St: controltest.Sample()}
	logs := &logBuffer{}
	path := controltest.Serve(t, &control.Server{Backend: b, Logger: logs.logger(), MaxConns: 4,
		Timeout: time.Hour, RequestTimeout: time.Hour})
	for range 20 {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	if _, err := control.GetStatus(bounded(t), path); err != nil {
		t.Fatalf("status with every slot held by idle connections: %v\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), "closed the oldest idle one") {
		t.Errorf("no log line says an idle connection was closed:\n%s", logs)
	}
}
