package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Helpers for the arrays of tables of understudy.toml ([[monitor]],
// [[hook]]). BurntSushi/toml neither says where a key was written nor
// which element of an array of tables an unknown key belongs to; these
// recover both from the metadata's key order and the text.

// tomlElements splits the keys set inside the array of tables name into
// one set per element, in file order. Each "[[name]]" header appends the
// key "name" to md.Keys(), and the keys of that element follow it. The
// inline form (name = [{...}, {...}]) cannot be split this way: it is
// refused by tomlArrayForm before this is used.
func tomlElements(md toml.MetaData, name string) []map[string]bool {
	var out []map[string]bool
	for _, k := range md.Keys() {
		switch {
		case len(k) == 1 && k[0] == name:
			out = append(out, map[string]bool{})
		case len(k) > 1 && k[0] == name && len(out) > 0:
			out[len(out)-1][strings.Join(k[1:], ".")] = true
		}
	}
	return out
}

// tomlArrayForm reports an error when name is set in a form other than
// an array of tables ("[[name]]" sections).
func tomlArrayForm(md toml.MetaData, text, name string, r reporter) bool {
	if t := md.Type(name); t != "" && t != "ArrayHash" {
		r.errorf(tomlKeyLine(text, toml.Key{name}), "write each %s as a [[%s]] section of its own, not as %q = [...]", name, name, name)
		return false
	}
	return true
}

// tomlEachElement calls f for each of the n elements the decoder filled
// of the array of tables name, with the keys written in it and a
// reporter for its lines. It reports an inline array and calls nothing.
func tomlEachElement(md toml.MetaData, text, name string, n int, r reporter, f func(i int, set map[string]bool, e *elemReporter)) {
	if !tomlArrayForm(md, text, name, r) {
		return
	}
	sets := tomlElements(md, name)
	for i := 0; i < n && i < len(sets); i++ {
		f(i, sets[i], &elemReporter{r: r, text: text, table: name, n: i, ok: true})
	}
}

// tomlArrayLine returns the line of key inside the n-th (0-based)
// "[[table]]" section of text, or the line of the header itself when key
// is "" or not found there; 0 when there is no such section.
func tomlArrayLine(text, table string, n int, key string) int {
	count, header := -1, 0
	for i, l := range splitLines(text) {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			h, _, _ := strings.Cut(l, "#")
			h = strings.TrimSpace(h)
			name := strings.TrimSpace(strings.Trim(h, "[]"))
			if count == n {
				if key != "" && name == table+"."+key {
					return i + 1 // a sub-table of the element
				}
				break // the section ended without the key
			}
			if strings.HasPrefix(h, "[[") && name == table {
				count++
				if count == n {
					header = i + 1
				}
			}
			continue
		}
		if count != n || key == "" {
			continue
		}
		if name, _, ok := strings.Cut(l, "="); ok && strings.Trim(strings.TrimSpace(name), `"'`) == key {
			return i + 1
		}
	}
	return header
}

// duration is a time.Duration written in TOML as a string ("500ms"). A
// bare number is refused: BurntSushi/toml would read it as nanoseconds,
// which is never what a person meant.
type duration time.Duration

func (d *duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("must be a duration in quotes, such as \"1s\" or \"200ms\" (a bare number would be nanoseconds)")
	}
	x, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write a number with a unit, such as \"1s\" or \"200ms\"", s)
	}
	*d = duration(x)
	return nil
}
