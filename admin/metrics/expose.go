package metrics

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ContentType is the Prometheus text exposition format, version 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// maxSeries bounds the series of one metric: label values past it are
// counted under the value "other", so that a bug feeding unbounded
// values cannot grow memory without end.
const maxSeries = 1000

// otherValue replaces label values past maxSeries.
const otherValue = "other"

// series is one labelled series of a counter or histogram.
type series struct {
	values []string
	v      float64 // counter value
	// histogram
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

// vec is a counter or histogram with labels; its methods are called
// with Metrics.mu held.
type vec struct {
	name, help string
	labels     []string
	buckets    []float64 // nil for a counter
	m          map[string]*series
}

func newCounter(name, help string, labels ...string) *vec {
	return &vec{name: name, help: help, labels: labels, m: map[string]*series{}}
}

func newHistogram(name, help string, buckets []float64, labels ...string) *vec {
	return &vec{name: name, help: help, labels: labels, buckets: buckets, m: map[string]*series{}}
}

// get returns the series for values, made on first use.
func (v *vec) get(values ...string) *series {
	key := strings.Join(values, "\x00")
	if s, ok := v.m[key]; ok {
		return s
	}
	if len(v.m) >= maxSeries {
		values = slices.Repeat([]string{otherValue}, len(values))
		key = strings.Join(values, "\x00")
		if s, ok := v.m[key]; ok {
			return s
		}
	}
	s := &series{values: values}
	if v.buckets != nil {
		s.counts = make([]uint64, len(v.buckets))
	}
	v.m[key] = s
	return s
}

func (v *vec) add(n float64, values ...string) { v.get(values...).v += n }

func (v *vec) observe(x float64, values ...string) {
	s := v.get(values...)
	for i, b := range v.buckets {
		if x <= b {
			s.counts[i]++
			break
		}
	}
	s.sum += x
	s.count++
}

// write appends the metric in text format, series in label order.
func (v *vec) write(w *writer) {
	typ := "counter"
	if v.buckets != nil {
		typ = "histogram"
	}
	w.header(v.name, v.help, typ)
	keys := make([]string, 0, len(v.m))
	for k := range v.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := v.m[k]
		if v.buckets == nil {
			w.sample(v.name, v.labels, s.values, s.v)
			continue
		}
		var cum uint64
		le := append(slices.Clone(v.labels), "le")
		for i, b := range v.buckets {
			cum += s.counts[i]
			w.sample(v.name+"_bucket", le, append(slices.Clone(s.values), formatFloat(b)), float64(cum))
		}
		w.sample(v.name+"_bucket", le, append(slices.Clone(s.values), "+Inf"), float64(s.count))
		w.sample(v.name+"_sum", v.labels, s.values, s.sum)
		w.sample(v.name+"_count", v.labels, s.values, float64(s.count))
	}
}

// writer builds a text exposition.
type writer struct{ b bytes.Buffer }

func (w *writer) header(name, help, typ string) {
	w.b.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " " + typ + "\n")
}

// sample writes `name{l1="v1",…} value`.
func (w *writer) sample(name string, labels, values []string, v float64) {
	w.b.WriteString(name)
	if len(labels) > 0 {
		w.b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.b.WriteString(l + `="` + escapeLabel(values[i]) + `"`)
		}
		w.b.WriteByte('}')
	}
	w.b.WriteString(" " + formatFloat(v) + "\n")
}

// gauge writes a whole gauge with one sample per row.
func (w *writer) gauge(name, help string, labels []string, rows [][]string, vals []float64) {
	w.header(name, help, "gauge")
	for i, r := range rows {
		w.sample(name, labels, r, vals[i])
	}
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
