// Package browser drives a headless Chromium over the DevTools protocol,
// for tests that look at pages as a person would: navigate, type, click,
// read the page, take screenshots.
//
// It talks to the browser over a pipe (--remote-debugging-pipe: JSON
// messages separated by NUL bytes on file descriptors 3 and 4), so the
// browser opens no debugging port and no WebSocket library is needed.
// Only the few protocol methods tests need are wrapped; Page.Call sends
// any other.
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EnvPath names a Chromium binary to use instead of the one on PATH.
const EnvPath = "UNDERSTUDY_CHROMIUM"

// Find returns the Chromium binary: $UNDERSTUDY_CHROMIUM, else chromium
// or chromium-browser on PATH; "" if there is none.
func Find() string {
	if p := os.Getenv(EnvPath); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Options say how to start the browser.
type Options struct {
	// Path is the binary (Find's when empty).
	Path string
	// Dir is a fresh, empty profile directory (--user-data-dir).
	Dir string
	// TrustSPKI are base64 SHA-256 hashes of public keys whose
	// certificates the browser accepts although no CA signed them
	// (--ignore-certificate-errors-spki-list): the test server's own.
	TrustSPKI []string
	// Width and Height are the window's size; 0 means 1280 by 900.
	Width, Height int
}

// Flags are the command-line flags every launch uses: headless, no
// sandbox (tests run as root), and nothing that reaches the network on
// its own.
var Flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
	"--disable-dev-shm-usage", "--mute-audio", "--password-store=basic", "--remote-debugging-pipe",
}

// Browser is a running Chromium.
type Browser struct {
	cmd    *exec.Cmd
	out    *os.File // our end of the browser's fd 3 (its input)
	in     *os.File // our end of its fd 4 (its output)
	stderr *strings.Builder

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan message
	events  map[string][]Event // by session
	done    chan struct{}
	err     error // why reading stopped
}

// Event is a protocol event a page received: console messages,
// exceptions, log entries.
type Event struct {
	Method string
	Params json.RawMessage
}

type message struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *protoError     `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type protoError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Launch starts the browser, in a process group of its own so that
// Close can end its helper processes with it.
func Launch(o Options) (*Browser, error) {
	if o.Path == "" {
		o.Path = Find()
	}
	if o.Path == "" {
		return nil, errors.New("no chromium: install Debian's chromium package (scripts/deps.sh does)")
	}
	if o.Width == 0 {
		o.Width, o.Height = 1280, 900
	}
	args := append([]string{}, Flags...)
	args = append(args, "--user-data-dir="+o.Dir, fmt.Sprintf("--window-size=%d,%d", o.Width, o.Height))
	if len(o.TrustSPKI) > 0 {
		args = append(args, "--ignore-certificate-errors-spki-list="+strings.Join(o.TrustSPKI, ","))
	}
	args = append(args, "about:blank")
	toBrowser, out, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	in, fromBrowser, err := os.Pipe()
	if err != nil {
		toBrowser.Close()
		out.Close()
		return nil, err
	}
	b := &Browser{out: out, in: in, stderr: &strings.Builder{}, pending: map[int64]chan message{},
		events: map[string][]Event{}, done: make(chan struct{})}
	b.cmd = exec.Command(o.Path, args...)
	b.cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	b.cmd.Stderr = &limitedWriter{b: b.stderr, max: 64 << 10}
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A helper process that keeps stderr open must not hold Wait up.
	b.cmd.WaitDelay = 2 * time.Second
	err = b.cmd.Start()
	toBrowser.Close()
	fromBrowser.Close()
	if err != nil {
		out.Close()
		in.Close()
		return nil, fmt.Errorf("starting %s: %w", o.Path, err)
	}
	go b.read()
	return b, nil
}

// limitedWriter keeps the first max bytes of the browser's stderr, for
// error messages.
type limitedWriter struct {
	mu  sync.Mutex
	b   *strings.Builder
	max int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.max - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// read dispatches the browser's messages: answers to their callers,
// events to their page's list.
func (b *Browser) read() {
	r := bufio.NewReaderSize(b.in, 1<<20)
	var err error
	for {
		var raw []byte
		raw, err = r.ReadBytes(0)
		if err != nil {
			break
		}
		var m message
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				delete(b.pending, m.ID)
				ch <- m
			}
		} else if m.Method != "" && keep(m.Method) {
			b.events[m.SessionID] = append(b.events[m.SessionID], Event{Method: m.Method, Params: m.Params})
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	if err == io.EOF {
		err = errors.New("the browser closed its end")
	}
	b.err = err
	b.mu.Unlock()
	close(b.done)
}

// keep says which events are worth keeping for a test to look at.
func keep(method string) bool {
	switch method {
	case "Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded":
		return true
	}
	return false
}

// call sends one command (to a page's session, or to the browser when
// session is "") and waits for its answer.
func (b *Browser) call(ctx context.Context, session, method string, params, result any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if params == nil {
		p = []byte("{}")
	}
	ch := make(chan message, 1)
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	b.pending[id] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
	}()
	msg, _ := json.Marshal(message{ID: id, Method: method, Params: p, SessionID: session})
	if _, err := b.out.Write(append(msg, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: %v; browser stderr: %s", method, b.err, b.Stderr())
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// Stderr is the start of what the browser wrote on its standard error.
func (b *Browser) Stderr() string {
	w := b.cmd.Stderr.(*limitedWriter)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// Close asks the browser to quit, then kills its process group if it
// has not within five seconds, and waits for it.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	b.call(ctx, "", "Browser.close", nil, nil)
	cancel()
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		err = <-exited
	}
	// Helpers that outlived the browser go with its group.
	syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	b.out.Close()
	b.in.Close()
	return err
}
