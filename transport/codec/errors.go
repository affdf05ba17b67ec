package codec

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is; the concrete
// errors ([*FormatError], [*AuthError]) carry the details.
var (
	// ErrMalformed is matched by every [*FormatError]: the bytes are not a
	// well-formed heartbeat frame. Heartbeat drops such packets.
	ErrMalformed = errors.New("malformed frame")
	// ErrTooLarge is returned for input or output over [MaxFrame] bytes.
	// It is also matched as ErrMalformed when it comes from decoding.
	ErrTooLarge = errors.New("frame too large")
	// ErrUnsupported is returned for well-formed fields of a type v1 never
	// uses: nested messages, string lists and compressed payloads (field
	// types 2-5). It is also matched as ErrMalformed.
	ErrUnsupported = errors.New("unsupported field type")
	// ErrBadAuth is returned when the auth string (inner field of a classic
	// frame, trailer of a netstring frame) is missing or is not
	// "<index> <digest>". Heartbeat logs "Bad/invalid auth token".
	ErrBadAuth = errors.New("bad or missing auth string")
	// ErrUnknownKey is returned when the auth string names a key index that
	// is not configured locally (or whose method the codec cannot compute).
	// Heartbeat logs "Invalid authentication type [N] in message!".
	ErrUnknownKey = errors.New("unknown key index")
	// ErrBadDigest is returned when the digest does not match the one
	// computed with the named key: wrong secret, or forged or damaged data.
	ErrBadDigest = errors.New("digest mismatch")
	// ErrInvalidField is returned by [Message] methods and the encoders for
	// a field heartbeat cannot carry: empty or reserved name, a name with
	// forbidden bytes, an empty value, or a duplicate name.
	ErrInvalidField = errors.New("invalid field")
)

// FormatError reports where and why a frame could not be parsed.
type FormatError struct {
	Format Format // encoding being parsed; Unknown if the start marker was not recognised
	Offset int    // byte offset into the input where the problem was found
	Reason string // what was wrong, for logs
	// Kind is ErrMalformed, or ErrTooLarge / ErrUnsupported for those two
	// more specific cases (which still match ErrMalformed).
	Kind error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("codec: %s frame at byte %d: %s: %v", e.Format, e.Offset, e.Reason, e.kind())
}

// Unwrap lets errors.Is match both ErrMalformed and the specific kind.
func (e *FormatError) Unwrap() []error {
	if k := e.kind(); k != ErrMalformed {
		return []error{ErrMalformed, k}
	}
	return []error{ErrMalformed}
}

func (e *FormatError) kind() error {
	if e.Kind == nil {
		return ErrMalformed
	}
	return e.Kind
}

// AuthError reports why a frame failed authentication.
type AuthError struct {
	Part   string // "trailer" (netstring) or "inner auth field" (classic)
	Index  int    // key index named by the packet; -1 if it could not be read
	Reason string // details for logs; never contains secrets or digests we computed
	Err    error  // ErrBadAuth, ErrUnknownKey or ErrBadDigest
}

func (e *AuthError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("codec: %s: %s: %v", e.Part, e.Reason, e.Err)
	}
	return fmt.Sprintf("codec: %s, key %d: %s: %v", e.Part, e.Index, e.Reason, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

func malformed(f Format, off int, format string, args ...any) *FormatError {
	return &FormatError{Format: f, Offset: off, Reason: fmt.Sprintf(format, args...), Kind: ErrMalformed}
}

func fieldErr(name, format string, args ...any) error {
	return fmt.Errorf("codec: field %q: %s: %w", name, fmt.Sprintf(format, args...), ErrInvalidField)
}
