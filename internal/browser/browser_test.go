package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// launch starts a browser for t (see Need).
func launch(t *testing.T) *Browser {
	t.Helper()
	Need(t)
	b, err := Launch(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/":
			w.Write([]byte(`<!doctype html><title>t</title><h1 id="h">hello</h1>
<form method="post" action="/sent"><input id="name" name="name"><button id="go">Go</button></form>
<button id="b" onclick="document.getElementById('h').textContent='clicked'">b</button>`))
		case "/sent":
			r.ParseForm()
			w.Write([]byte(`<!doctype html><p id="got">` + strings.ToUpper(r.PostForm.Get("name")) + `</p>`))
		}
	}))
	defer srv.Close()
	b := launch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	if s, err := p.Text(ctx, "#h"); err != nil || s != "hello" {
		t.Fatalf("h1 = %q, %v; want hello", s, err)
	}
	if err := p.Click(ctx, "#b"); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(ctx, `document.getElementById("h").textContent === "clicked"`); err != nil {
		t.Fatal(err)
	}
	if err := p.Focus(ctx, "#name"); err != nil {
		t.Fatal(err)
	}
	if err := p.Type(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	if err := p.Press(ctx, "Enter"); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(ctx, `document.getElementById("got") && document.getElementById("got").textContent === "ABC"`); err != nil {
		t.Fatal(err)
	}
	png, err := p.Screenshot(ctx, true)
	if err != nil || len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
	if err := p.Eval(ctx, `nosuchfunction()`, nil); err == nil {
		t.Error("an exception in Eval was not reported")
	}
	if err := p.Click(ctx, "#absent"); err == nil {
		t.Error("clicking an absent element did not fail")
	}
}
