package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/preflight"
)

// ConfigReport is a configuration directory as `understudy check` sees
// it, for the configuration page.
type ConfigReport struct {
	// Dir is the directory; Node the node it is judged for.
	Dir, Node string
	// Config is what was understood (partly, when there are errors).
	Config *config.Config
	// Handlers are the resources' handlers, by group (config.Check).
	Handlers [][]config.Handler
	// Diagnostics are config.Load's and config.Check's findings.
	Diagnostics config.Diagnostics
	// Files are the files shown, as read.
	Files []ConfigFile
}

// ConfigFile is one file as read; Err says why it could not be.
type ConfigFile struct {
	Name, Text string
	Err        error
}

// ShownFiles are the files the configuration page shows. authkeys and
// the password file are not: they hold secrets.
var ShownFiles = []string{config.HACFFile, config.HaresourcesFile, config.SettingsFile}

// maxShown bounds a file read for the page.
const maxShown = 1 << 20

// CheckDir reads dir as `understudy check` does on node itself
// (preflight.Judge: the files, the machine, the handlers) with the text
// of ShownFiles: what Options.Config usually returns.
func CheckDir(dir, node string) ConfigReport {
	rep := ConfigReport{Dir: dir, Node: node}
	j := preflight.Judge(dir, node, node, preflight.System())
	rep.Config, rep.Handlers, rep.Diagnostics = j.Config, j.Handlers, j.Diagnostics
	for _, name := range ShownFiles {
		f := ConfigFile{Name: name}
		var b []byte
		fh, err := os.Open(filepath.Join(dir, name))
		if err == nil {
			b, err = io.ReadAll(io.LimitReader(fh, maxShown))
			fh.Close()
		}
		f.Text, f.Err = string(b), err
		rep.Files = append(rep.Files, f)
	}
	return rep
}

// configPage is the configuration page's model.
type configPage struct {
	Dir, Node        string
	Errors, Warnings int
	Summary          []summaryLine
	// Findings are every finding, each linking to its line when the
	// line is shown.
	Findings []finding
	Files    []fileView
	Err      string
}

// summaryLine is one line of what was understood.
type summaryLine struct {
	Label string
	Items []string
}

type fileView struct {
	Name, Err string
	// Whole are the findings about the file as a whole.
	Whole config.Diagnostics
	Lines []lineView
}

type lineView struct {
	N     int
	ID    string
	Text  string
	Diags config.Diagnostics
}

type finding struct {
	config.Diagnostic
	// Anchor is the id of its line on the page, or "".
	Anchor string
}

// Class is the colour of a finding.
func severityClass(d config.Diagnostic) string {
	if d.Severity == config.Error {
		return "bad"
	}
	return "warn"
}

func buildConfigPage(rep ConfigReport) configPage {
	p := configPage{Dir: rep.Dir, Node: rep.Node,
		Errors: len(rep.Diagnostics.Filter(config.Error)), Warnings: len(rep.Diagnostics.Filter(config.Warning))}
	shown := map[string]int{}
	for _, f := range rep.Files {
		fv := fileView{Name: f.Name}
		if f.Err != nil {
			fv.Err = f.Err.Error()
		}
		for i, l := range strings.Split(strings.TrimSuffix(f.Text, "\n"), "\n") {
			if f.Text != "" {
				fv.Lines = append(fv.Lines, lineView{N: i + 1, ID: fmt.Sprintf("f%d-%d", len(p.Files), i+1), Text: strings.TrimSuffix(l, "\r")})
			}
		}
		shown[filepath.Join(rep.Dir, f.Name)] = len(p.Files)
		p.Files = append(p.Files, fv)
	}
	for _, d := range rep.Diagnostics {
		i, ok := shown[d.File]
		f := finding{Diagnostic: d}
		switch {
		case !ok:
		case d.Line > 0 && d.Line <= len(p.Files[i].Lines):
			l := &p.Files[i].Lines[d.Line-1]
			l.Diags = append(l.Diags, d)
			f.Anchor = l.ID
		default:
			p.Files[i].Whole = append(p.Files[i].Whole, d)
		}
		p.Findings = append(p.Findings, f)
	}
	if rep.Config != nil {
		p.Summary = summarize(rep.Config, rep.Handlers)
	}
	return p
}

// summarize is what check prints after its findings: the configuration
// as understood.
func summarize(c *config.Config, handlers [][]config.Handler) []summaryLine {
	var s []summaryLine
	add := func(label string, items ...string) { s = append(s, summaryLine{Label: label, Items: items}) }
	add("nodes", strings.Join(c.Nodes, " "))
	var media []string
	for _, m := range c.Media {
		media = append(media, fmt.Sprintf("%s (line %d)", m, m.Line))
	}
	add("links", media...)
	add("timing", fmt.Sprintf("keepalive %s, warntime %s, deadtime %s, initdead %s", c.Keepalive, c.Warntime, c.Deadtime, c.Initdead))
	add("failback", fmt.Sprint(c.AutoFailback))
	var keys []string
	for i := 0; i <= config.MaxAuthIndex; i++ {
		if k, ok := c.Auth.Key(i); ok {
			keys = append(keys, k.String())
		}
	}
	if len(keys) > 0 {
		add("auth", fmt.Sprintf("signing with key %d; keys: %s", c.Auth.Active, strings.Join(keys, ", ")))
	}
	add("settings", c.Settings.String())
	for i, g := range c.Groups {
		items := []string{fmt.Sprintf("preferred node %s (haresources line %d)", g.Node, g.Line)}
		for j, res := range g.Resources {
			how := "script not found"
			if i < len(handlers) && j < len(handlers[i]) {
				switch h := handlers[i][j]; {
				case h.Native && res.IP != nil:
					how = "native: " + res.IP.String()
				case h.Path != "":
					how = h.Path + " " + strings.Join(append(append([]string{}, res.Args...), "start|stop|status"), " ")
				}
			}
			items = append(items, fmt.Sprintf("%d. %s: %s", j+1, res.Token, how))
		}
		for _, m := range c.Monitors {
			if m.Group == g.Key {
				items = append(items, fmt.Sprintf("monitor %s (%s line %d)", m, config.SettingsFile, m.Line))
			}
		}
		add("group "+g.Key, items...)
	}
	for _, h := range c.Hooks {
		add("hook", fmt.Sprintf("%s (%s line %d)", h, config.SettingsFile, h.Line))
	}
	return s
}

func (c *Console) configPage(w http.ResponseWriter, r *http.Request, req request) {
	ctx, cancel := context.WithTimeout(r.Context(), statusTimeout)
	defer cancel()
	var p configPage
	if c.o.Config == nil {
		p.Err = "This daemon does not show its configuration here."
	} else if rep, err := c.o.Config(ctx); err != nil {
		p.Err = "The configuration could not be read: " + err.Error()
	} else {
		p = buildConfigPage(rep)
	}
	c.render(w, r, http.StatusOK, "config", pageData{Title: "Configuration", Node: c.nodeName(ctx), CSRF: req.s.csrf, Data: p})
}
