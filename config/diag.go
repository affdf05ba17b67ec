package config

import (
	"errors"
	"fmt"
	"strings"
)

// Severity says whether a Diagnostic stops the configuration from being used.
type Severity int

const (
	// Warning: the configuration is usable, but something is ignored,
	// deprecated or suspicious.
	Warning Severity = iota
	// Error: the configuration cannot be used.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText makes a Severity print as "error" or "warning" in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// A Diagnostic is one problem found in one place of one file.
// Line is 0 when the problem concerns the file as a whole.
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Severity Severity `json:"severity"`
	Msg      string   `json:"message"`
}

// String renders the diagnostic the way compilers do: "file:line: severity: message".
func (d Diagnostic) String() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", d.File, d.Line, d.Severity, d.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", d.File, d.Severity, d.Msg)
}

// Diagnostics is every problem found while loading a configuration, in the
// order found (file by file, top to bottom).
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an Error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Filter returns the diagnostics of one severity.
func (ds Diagnostics) Filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Err returns nil when there is no Error, else an error listing every Error,
// one per line.
func (ds Diagnostics) Err() error {
	var errs []error
	for _, d := range ds {
		if d.Severity == Error {
			errs = append(errs, errors.New(d.String()))
		}
	}
	return errors.Join(errs...)
}

func (ds Diagnostics) String() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// reporter collects diagnostics for one file.
type reporter struct {
	file  string
	diags *Diagnostics
}

func (r reporter) errorf(line int, format string, args ...any) {
	*r.diags = append(*r.diags, Diagnostic{File: r.file, Line: line, Severity: Error, Msg: fmt.Sprintf(format, args...)})
}

func (r reporter) warnf(line int, format string, args ...any) {
	*r.diags = append(*r.diags, Diagnostic{File: r.file, Line: line, Severity: Warning, Msg: fmt.Sprintf(format, args...)})
}
