package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"
)

// errNoRequest: the peer closed without sending anything (Listen's probe
// for a live daemon does that).
var errNoRequest = errors.New("no request")

// handlers answer one command each, with one reply line (admin
// commands that wait: two).
var handlers = map[string]func(s *Server, ctx context.Context, req Request, log *slog.Logger, reply func(Response)){
	CmdStatus:      (*Server).handleStatus,
	CmdStandby:     (*Server).handleAdmin,
	CmdTakeover:    (*Server).handleAdmin,
	CmdMove:        (*Server).handleAdmin,
	CmdClear:       (*Server).handleAdmin,
	CmdMaintenance: (*Server).handleAdmin,
	CmdReload:      (*Server).handleReload,
	CmdLog:         (*Server).handleLog,
	CmdClearLog:    (*Server).handleClearLog,
}

// serveConn runs one exchange: read a request, check the peer, answer.
// c is in idle (the accept loop put it there) until its request is read.
// The request is read before a refusal so that the client, which writes
// first, always gets the refusal rather than a broken pipe.
func (s *Server) serveConn(ctx context.Context, c net.Conn, log *slog.Logger, idle *idleConns) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	c.SetReadDeadline(time.Now().Add(s.requestTimeout()))
	line, err := readLine(c)
	idle.remove(c)
	if errors.Is(err, errNoRequest) {
		log.Debug("control connection closed without a request")
		return
	}
	log, ok := s.admit(c, log)
	if !ok {
		return
	}
	var req Request
	if err == nil {
		req, err = parseRequest(line)
	}
	if err != nil {
		log.Warn("bad control request", "err", err)
		s.reply(c, log, failure("%v", err))
		return
	}
	h, ok := handlers[req.Cmd]
	if !ok {
		log.Warn("bad control request", "cmd", req.Cmd, "err", "unknown command")
		s.reply(c, log, failure("unknown command %q: want %s, %s, %s, %s, %s, %s, %s, %s or %s", req.Cmd, CmdStatus, CmdStandby, CmdTakeover,
			CmdMove, CmdClear, CmdMaintenance, CmdReload, CmdLog, CmdClearLog))
		return
	}
	h(s, ctx, req, log, func(resp Response) { s.reply(c, log, resp) })
}

// admit serves root only: it replies with a refusal to anyone else. It
// returns the logger narrowed to the peer.
func (s *Server) admit(c net.Conn, log *slog.Logger) (*slog.Logger, bool) {
	cred, err := s.peerCred(c)
	if err != nil {
		log.Warn("control request refused", "err", err)
		s.reply(c, log, failure("cannot check your credentials: %v", err))
		return log, false
	}
	log = log.With("uid", cred.UID, "pid", cred.PID)
	if cred.UID != 0 {
		log.Warn("control request refused", "err", "not root")
		s.reply(c, log, failure("permission denied: only root may use the understudy control socket (you are uid %d)", cred.UID))
		return log, false
	}
	return log, true
}

func (s *Server) handleStatus(ctx context.Context, req Request, log *slog.Logger, reply func(Response)) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	st, err := s.Backend.Status(ctx)
	if err != nil {
		log.Warn("status request failed", "err", err)
		reply(failure("status: %v", err))
		return
	}
	log.Debug("status request")
	reply(Response{OK: true, Status: &st})
}

// handleAdmin hands an operator's command (standby, takeover, move,
// clear, maintenance) to the cluster and replies with its immediate
// answer; after an accepted one, when the request asks to wait, it
// follows the command and replies a second time with the outcome (or
// with "still running" when the wait runs out).
func (s *Server) handleAdmin(ctx context.Context, req Request, log *slog.Logger, reply func(Response)) {
	cmd, err := req.Command()
	var wait time.Duration
	if err == nil {
		wait, err = req.wait()
	}
	if err != nil {
		log.Warn("bad control request", "cmd", req.Cmd, "err", err)
		reply(failure("%s: %v", req.Cmd, err))
		return
	}
	name := cmd.String()
	log = log.With(cmd.logAttrs()...)
	hctx, cancel := context.WithTimeout(ctx, s.timeout())
	answers, err := s.Backend.Admin(hctx, cmd)
	var first Answer
	if err == nil {
		first, err = firstAnswer(hctx, answers)
	}
	cancel()
	if err != nil {
		log.Warn("operator command failed", "err", err)
		reply(failure("%s: %v", name, err))
		return
	}
	logAnswer(log, "operator command", first)
	reply(answerResponse(name, first))
	if first.Final() || wait == 0 {
		return
	}
	if final, ok := finalAnswer(ctx, answers, wait); ok {
		logAnswer(log, "operator command outcome", final)
		reply(answerResponse(name, final))
	}
}

// logAnswer logs one answer: info, or warn for a refusal or failure.
func logAnswer(log *slog.Logger, msg string, a Answer) {
	attrs := []any{"verdict", a.Verdict}
	if a.Reason != "" {
		attrs = append(attrs, "reason", a.Reason)
	}
	if a.Verdict == VerdictRefused || a.Verdict == VerdictFailed {
		log.Warn(msg, attrs...)
		return
	}
	log.Info(msg, attrs...)
}

func (s *Server) handleReload(ctx context.Context, req Request, log *slog.Logger, reply func(Response)) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if err := s.Backend.Reload(ctx); err != nil {
		log.Warn("operator reload refused", "err", err)
		reply(failure("%v", err))
		return
	}
	log.Info("operator command", "cmd", req.Cmd)
	reply(Response{OK: true})
}

func failure(format string, args ...any) Response {
	return Response{Error: fmt.Sprintf(format, args...)}
}

// readLine reads one request line of at most MaxRequest bytes; the line
// may end at end of input instead of a newline.
func readLine(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxRequest+1))
	line, err := br.ReadBytes('\n')
	switch {
	case len(line) > MaxRequest:
		return nil, fmt.Errorf("request too large (over %d bytes)", MaxRequest)
	case errors.Is(err, io.EOF) && len(line) == 0:
		return nil, errNoRequest
	case errors.Is(err, io.EOF):
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, errors.New("no complete request line in time")
		}
		return nil, fmt.Errorf("reading the request: %w", err)
	}
	return line, nil
}

// parseRequest decodes one JSON object with known fields only.
func parseRequest(line []byte) (Request, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return Request{}, fmt.Errorf("malformed request: %w (want one JSON object such as {\"cmd\":\"status\"})", err)
	}
	if rest := strings.TrimSpace(string(line[dec.InputOffset():])); rest != "" {
		return Request{}, fmt.Errorf("malformed request: data after the JSON object")
	}
	return req, nil
}

// reply writes resp as one line, bounded by the server's timeout.
func (s *Server) reply(c net.Conn, log *slog.Logger, resp Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		log.Error("control reply cannot be encoded", "err", err)
		b, _ = json.Marshal(failure("internal error: %v", err))
	}
	c.SetWriteDeadline(time.Now().Add(s.timeout()))
	if _, err := c.Write(append(b, '\n')); err != nil {
		log.Warn("control reply not sent", "err", err)
	}
}
