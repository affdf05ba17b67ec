package admintest

import (
	"bytes"
	"fmt"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metrics are scraped metrics, parsed by Prometheus' own text parser.
type Metrics map[string]*dto.MetricFamily

// ParseMetrics parses text in the Prometheus text format; a parse error
// fails the test.
func ParseMetrics(t testing.TB, text []byte) Metrics {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, text)
	}
	return fams
}

// Value is the value of the sample of family name whose labels include
// the pairs of labels (name, value, ...), summed over every matching
// sample: a counter's or gauge's value, a histogram's count. ok is false
// when no sample matches.
func (m Metrics) Value(name string, labels ...string) (v float64, ok bool) {
	f, found := m[name]
	if !found {
		return 0, false
	}
next:
	for _, s := range f.Metric {
		have := map[string]string{}
		for _, l := range s.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		ok = true
		switch {
		case s.Counter != nil:
			v += s.Counter.GetValue()
		case s.Gauge != nil:
			v += s.Gauge.GetValue()
		case s.Histogram != nil:
			v += float64(s.Histogram.GetSampleCount())
		case s.Untyped != nil:
			v += s.Untyped.GetValue()
		}
	}
	return v, ok
}

// String lists the families, for a failure message.
func (m Metrics) String() string {
	var b bytes.Buffer
	for name, f := range m {
		for _, s := range f.Metric {
			fmt.Fprintf(&b, "%s%v\n", name, s.Label)
		}
	}
	return b.String()
}
