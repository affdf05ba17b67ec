package session

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/understudy-ha/understudy/transport/codec"
)

// Reason says why Decode dropped a frame. Values are stable; new ones
// are appended.
type Reason uint8

// The reasons, in the order a frame is checked.
const (
	// Malformed: not a well-formed heartbeat frame, or a sequenced
	// message without a valid seq or hg (line noise, another protocol).
	Malformed Reason = iota + 1
	// BadAuth: the auth string is missing or unreadable.
	BadAuth
	// UnknownKey: signed with a key index authkeys does not have.
	UnknownKey
	// BadDigest: the wrong secret, or the bytes were changed.
	BadDigest
	// NotNode: authentic, from a sender that is not a node of ha.cf.
	NotNode
	// Replay: authentic, from an older generation than already seen from
	// that sender (a replay, or a stale copy).
	Replay
)

var reasonNames = [...]string{"invalid", "malformed", "bad auth", "unknown key", "bad digest", "not a node", "replay"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Sentinels, one per Reason, for errors.Is. The first four are the
// codec's own.
var (
	ErrMalformed  = codec.ErrMalformed
	ErrBadAuth    = codec.ErrBadAuth
	ErrUnknownKey = codec.ErrUnknownKey
	ErrBadDigest  = codec.ErrBadDigest
	ErrNotNode    = errors.New("sender is not a node of ha.cf")
	ErrReplay     = errors.New("replayed or stale message")
)

var reasonErrs = [...]error{nil, ErrMalformed, ErrBadAuth, ErrUnknownKey, ErrBadDigest, ErrNotNode, ErrReplay}

// Error is why Decode dropped a frame. It matches the sentinel of its
// Reason and, through Err, the codec's detailed error (a
// *codec.FormatError or *codec.AuthError) when there is one.
type Error struct {
	Reason Reason
	// Src is the sender the frame names, "" if it names none or could
	// not be parsed. It is not authenticated for Malformed and the auth
	// reasons.
	Src string
	// Err is the cause, with the byte offset or the key index; nil for
	// NotNode.
	Err error
}

func (e *Error) Error() string {
	switch {
	case e.Reason == NotNode:
		return fmt.Sprintf("message from %q, which is not a node of ha.cf", e.Src)
	case e.Err == nil:
		return e.Reason.String()
	case e.Reason == Replay:
		return fmt.Sprintf("replayed or stale message from %s dropped: %v", e.Src, e.Err)
	case e.Src != "":
		return fmt.Sprintf("frame naming src %q: %v", e.Src, e.Err)
	}
	return e.Err.Error()
}

// Unwrap lets errors.Is match the Reason's sentinel and the cause.
func (e *Error) Unwrap() []error {
	errs := []error{}
	if int(e.Reason) < len(reasonErrs) && reasonErrs[e.Reason] != nil {
		errs = append(errs, reasonErrs[e.Reason])
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// ReasonOf returns the Reason of an error from Decode, 0 if it is none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return 0
}

// authReason classifies a *codec.AuthError.
func authReason(err error) Reason {
	switch {
	case errors.Is(err, codec.ErrUnknownKey):
		return UnknownKey
	case errors.Is(err, codec.ErrBadDigest):
		return BadDigest
	}
	return BadAuth
}
