package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates static
var files embed.FS

// pageData is what the layout needs, and the page's own model in Data.
type pageData struct {
	Title string
	// Page names the page, for the navigation.
	Page string
	// Node is the node serving the console.
	Node string
	// CSRF is the session's token; "" when not logged in.
	CSRF string
	Data any
}

// pages are the templates, each a full page with the layout; fragments
// are the parts the live updates send.
var (
	pages     = map[string]*template.Template{}
	fragments *template.Template
)

var funcs = template.FuncMap{
	"static":        staticURL,
	"clock":         func(t time.Time) string { return t.Local().Format("15:04:05") },
	"severityClass": severityClass,
	"act":           newActionButton,
}

// actionButton is one action's form: a button that posts it.
type actionButton struct {
	CSRF, Do, Node, Group, ID, Label string
}

func newActionButton(csrf, do, node, group, id, label string) actionButton {
	return actionButton{CSRF: csrf, Do: do, Node: node, Group: group, ID: id, Label: label}
}

func init() {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/parts.html"))
	for _, p := range []string{"login", "overview", "log", "config", "error"} {
		t := template.Must(base.Clone())
		pages[p] = template.Must(t.ParseFS(files, "templates/"+p+".html"))
	}
	fragments = base
}

// render writes page name with d, or an error page if it cannot be
// rendered (a template bug: the answer is built whole before any of it
// is sent).
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	d.Page = name
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "layout", d); err != nil {
		c.log.Error("console page failed", "page", name, "err", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// fragment writes one part of a page, for a live update.
func (c *Console) fragment(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := fragments.ExecuteTemplate(&b, name, data); err != nil {
		c.log.Error("console fragment failed", "fragment", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// errorPage is a page that says what went wrong, with a way back.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", pageData{Title: http.StatusText(status), Node: c.nodeName(r.Context()), Data: msg})
}

// nodeName is this node's name, for titles; "" if the daemon does not
// answer.
func (c *Console) nodeName(ctx context.Context) string {
	st, err := c.o.Backend.Status(ctx)
	if err != nil {
		return ""
	}
	return st.Node
}

// static holds the embedded static files with their content types and
// versions (a hash of the content: a page names a file with its version,
// so that it may be cached for good).
var static = map[string]staticFile{}

type staticFile struct {
	body    []byte
	ctype   string
	version string
}

func init() {
	fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := files.ReadFile(p)
		sum := sha256.Sum256(b)
		static[path.Base(p)] = staticFile{body: b, ctype: mime.TypeByExtension(path.Ext(p)), version: hex.EncodeToString(sum[:8])}
		return nil
	})
}

func staticURL(name string) string {
	f, ok := static[name]
	if !ok {
		panic("console: no static file " + name)
	}
	return "/static/" + name + "?v=" + f.version
}

// serveStatic serves an embedded file; asked with its current version it
// may be cached for a year.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := static[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == f.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Write(f.body)
}
