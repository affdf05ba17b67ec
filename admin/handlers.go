package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/understudy-ha/understudy/logging"
)

// logResponse is the body of a log answer.
type logResponse struct {
	Records []logging.Record `json:"records"`
}

func (s *Server) apiLogout(_ context.Context, r *http.Request, _ []byte) (any, error) {
	s.sessions.Delete(r.Header.Get(HeaderSession))
	return struct{}{}, nil
}

func (s *Server) apiStatus(ctx context.Context, _ *http.Request, _ []byte) (any, error) {
	return s.o.Backend.Status(ctx)
}

// apiCommand hands a command to the backend and logs it, with its
// answer and the source, in one line.
func (s *Server) apiCommand(ctx context.Context, r *http.Request, body []byte) (any, error) {
	var c Command
	if err := decodeJSON(body, &c); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "request", msg: err.Error()}
	}
	args := make([]any, 0, 2*len(c.Args)+6)
	args = append(args, "cmd", c.Name)
	for k, v := range c.Args {
		args = append(args, k, v)
	}
	args = append(args, "source", r.RemoteAddr)
	a, err := s.o.Backend.Command(ctx, c)
	if err != nil {
		s.log.Warn("admin command failed", append(args, "err", err)...)
		return nil, err
	}
	s.log.Info("admin command", append(args, "verdict", a.Verdict, "reason", a.Reason)...)
	return a, nil
}

func (s *Server) apiLog(ctx context.Context, r *http.Request, _ []byte) (any, error) {
	q, err := parseLogQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "request", msg: err.Error()}
	}
	recs, err := s.o.Backend.Log(ctx, q)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		recs = []logging.Record{}
	}
	return logResponse{Records: recs}, nil
}

// handleMetrics serves Options.Metrics, behind HTTP Basic auth (user
// admin, the admin password) unless [admin] metrics_auth is false.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.o.Metrics == nil {
		http.NotFound(w, r)
		return
	}
	if s.o.Settings.MetricsAuth {
		user, pw, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="understudy", charset="UTF-8"`)
			http.Error(w, "metrics need user admin and the admin password", http.StatusUnauthorized)
			return
		}
		err := s.checkBasic(r, user, pw)
		var le *LimitedError
		switch {
		case errors.As(err, &le):
			w.Header().Set("Retry-After", strconv.Itoa(int(le.Wait/time.Second)))
			http.Error(w, le.Error(), http.StatusTooManyRequests)
			return
		case err != nil:
			w.Header().Set("WWW-Authenticate", `Basic realm="understudy", charset="UTF-8"`)
			http.Error(w, "wrong user or password", http.StatusUnauthorized)
			return
		}
	}
	s.o.Metrics.ServeHTTP(w, r)
}

// checkBasic checks HTTP Basic credentials: user admin and the admin
// password. A wrong user counts as a failed login.
func (s *Server) checkBasic(r *http.Request, user, pw string) error {
	if user == "admin" {
		return s.CheckPassword(r, pw)
	}
	src := sourceKey(r.RemoteAddr)
	if err := s.allow(r, src); err != nil {
		return err
	}
	s.fail(r, src, "wrong user")
	return ErrWrongPassword
}
