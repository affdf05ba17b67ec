package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"syscall"
)

// ErrNotRunning is wrapped by client errors when no daemon listens on
// the socket: there is no socket file, or nobody accepts on it.
var ErrNotRunning = errors.New("understudy is not running")

// ReplyError is the daemon's own answer to a request it did not carry
// out: a refusal, a malformed request, a backend error. Msg is meant for
// the operator as is.
type ReplyError struct {
	Msg string
}

func (e *ReplyError) Error() string { return e.Msg }

// notRunning says why the daemon is taken for not running.
type notRunning struct {
	why  string
	path string
	err  error
}

func (e *notRunning) Error() string {
	return fmt.Sprintf("understudy is not running (%s at %s)", e.why, e.path)
}

func (e *notRunning) Unwrap() []error { return []error{ErrNotRunning, e.err} }

// GetStatus asks the daemon listening on path for its status.
func GetStatus(ctx context.Context, path string) (Status, error) {
	resp, err := roundTrip(ctx, path, Request{Cmd: CmdStatus})
	if err != nil {
		return Status{}, err
	}
	if resp.Status == nil {
		return Status{}, fmt.Errorf("control socket %s: the reply has no status", path)
	}
	return *resp.Status, nil
}

// SendReload asks the daemon listening on path to re-read its
// configuration. An invalid configuration comes back as an error listing
// every problem; the daemon keeps running on the old one.
func SendReload(ctx context.Context, path string) error {
	_, err := roundTrip(ctx, path, Request{Cmd: CmdReload})
	return err
}

// roundTrip sends req and reads the reply; a refusal by the daemon is an
// error carrying its message. Without a deadline in ctx the exchange is
// bounded by DefaultTimeout.
func roundTrip(ctx context.Context, path string, req Request) (Response, error) {
	var resp Response
	err := exchange(ctx, path, req, func(r Response) bool { resp = r; return false })
	if err != nil {
		return Response{}, err
	}
	if !resp.OK {
		return resp, &ReplyError{Msg: resp.Error}
	}
	return resp, nil
}

// exchange sends req and hands each reply line to each, until the
// server closes the connection or each returns false. At least one line
// must come. Without a deadline in ctx the exchange is bounded by
// DefaultTimeout.
func exchange(ctx context.Context, path string, req Request, each func(Response) bool) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return dialError(path, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	// A daemon may reply and close before reading everything; its reply
	// then explains the failed write.
	_, werr := c.Write(append(b, '\n'))
	r := bufio.NewReader(io.LimitReader(c, maxResponse))
	for n := 0; ; n++ {
		line, err := r.ReadBytes('\n')
		if err != nil && (len(line) == 0 || !errors.Is(err, io.EOF)) {
			switch {
			case n > 0 && len(line) == 0 && errors.Is(err, io.EOF):
				return nil // the server is done
			case n == 0 && werr != nil && !errors.Is(err, io.EOF):
				return exchangeError(ctx, path, "sending the request", werr)
			}
			return exchangeError(ctx, path, "reading the reply", err)
		}
		var resp Response
		if err := json.Unmarshal(line, &resp); err != nil {
			return fmt.Errorf("control socket %s: malformed reply: %w", path, err)
		}
		if !each(resp) {
			return nil
		}
	}
}

// dialError names the usual reasons a dial fails in operator terms.
func dialError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &notRunning{why: "no socket", path: path, err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &notRunning{why: "nobody answers on the socket", path: path, err: err}
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("control socket %s: permission denied (only root may use it): %w", path, err)
	}
	return fmt.Errorf("control socket %s: %w", path, err)
}

func exchangeError(ctx context.Context, path, what string, err error) error {
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("control socket %s: no reply from the daemon in time: %w", path, ctx.Err())
		}
		return fmt.Errorf("control socket %s: %w", path, ctx.Err())
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("control socket %s: %s: the daemon closed the connection without a reply", path, what)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("control socket %s: %s: no reply from the daemon in time: %w", path, what, err)
	}
	return fmt.Errorf("control socket %s: %s: %w", path, what, err)
}
