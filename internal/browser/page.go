package browser

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Page is one tab, in a browser context of its own: its cookies and
// storage are its own, as in a fresh profile.
type Page struct {
	b       *Browser
	session string
	target  string
	context string
}

// NewPage opens a tab on about:blank in a new browser context and
// attaches to it, with console messages, exceptions and log entries
// (CSP violations among them) recorded for Events.
func (b *Browser) NewPage(ctx context.Context) (*Page, error) {
	var bc struct {
		ID string `json:"browserContextId"`
	}
	if err := b.call(ctx, "", "Target.createBrowserContext", map[string]any{"disposeOnDetach": true}, &bc); err != nil {
		return nil, err
	}
	var t struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank", "browserContextId": bc.ID}, &t); err != nil {
		return nil, err
	}
	var a struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": t.TargetID, "flatten": true}, &a); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: a.SessionID, target: t.TargetID, context: bc.ID}
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		if err := p.Call(ctx, m, nil, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Close closes the tab and forgets its browser context.
func (p *Page) Close(ctx context.Context) error {
	err := p.b.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": p.target}, nil)
	if err2 := p.b.call(ctx, "", "Target.disposeBrowserContext", map[string]any{"browserContextId": p.context}, nil); err == nil {
		err = err2
	}
	return err
}

// Call sends a protocol command to the page.
func (p *Page) Call(ctx context.Context, method string, params, result any) error {
	return p.b.call(ctx, p.session, method, params, result)
}

// Events are the console messages, exceptions and log entries the page
// has had so far.
func (p *Page) Events() []Event {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return append([]Event(nil), p.b.events[p.session]...)
}

// Problems are the events that show something wrong: exceptions,
// console errors and warnings, and log entries at warning or error
// level (a refused inline script or a blocked resource is one). Each is
// one line of text.
func (p *Page) Problems() []string {
	var out []string
	for _, e := range p.Events() {
		var v struct {
			Type             string `json:"type"`
			ExceptionDetails struct {
				Text      string `json:"text"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
			Entry struct {
				Level, Text, URL string
			} `json:"entry"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		json.Unmarshal(e.Params, &v)
		switch e.Method {
		case "Runtime.exceptionThrown":
			out = append(out, "exception: "+v.ExceptionDetails.Text+" "+v.ExceptionDetails.Exception.Description)
		case "Log.entryAdded":
			if v.Entry.Level == "error" || v.Entry.Level == "warning" {
				out = append(out, fmt.Sprintf("log %s: %s (%s)", v.Entry.Level, v.Entry.Text, v.Entry.URL))
			}
		case "Runtime.consoleAPICalled":
			if v.Type == "error" || v.Type == "warning" || v.Type == "assert" {
				var parts []string
				for _, a := range v.Args {
					parts = append(parts, fmt.Sprint(a.Value, a.Description))
				}
				out = append(out, "console "+v.Type+": "+strings.Join(parts, " "))
			}
		}
	}
	return out
}

// Navigate loads url and waits until the page has loaded.
func (p *Page) Navigate(ctx context.Context, url string) error {
	var r struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.Call(ctx, "Page.navigate", map[string]any{"url": url}, &r); err != nil {
		return err
	}
	if r.ErrorText != "" {
		return fmt.Errorf("navigating to %s: %s", url, r.ErrorText)
	}
	return p.WaitLoaded(ctx)
}

// WaitLoaded waits until the document has loaded (after a navigation,
// a form's submission or a redirect).
func (p *Page) WaitLoaded(ctx context.Context) error {
	return p.WaitFor(ctx, `document.readyState === "complete"`)
}

// Eval evaluates a JavaScript expression in the page (awaiting it if it
// is a promise) and stores its value, as JSON, in out (nil: dropped).
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.Call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("evaluating %s: %s %s", expr, e.Text, e.Exception.Description)
	}
	if out == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// Text is the text of the first element that matches a CSS selector, ""
// if none does.
func (p *Page) Text(ctx context.Context, selector string) (string, error) {
	var s string
	err := p.Eval(ctx, fmt.Sprintf(`(function(){ const e = document.querySelector(%s); return e ? e.innerText : ""; })()`, quote(selector)), &s)
	return s, err
}

// WaitFor evaluates expr every 50 ms until it is true or ctx ends; the
// error then names expr. A page being replaced (a navigation) in
// between is no error.
func (p *Page) WaitFor(ctx context.Context, expr string) error {
	var last error
	for {
		var ok bool
		err := p.Eval(ctx, "Boolean("+expr+")", &ok)
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("waiting for %s: %w (last error: %v)", expr, ctx.Err(), last)
			}
			return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Click clicks the middle of the first element that matches selector
// with the mouse, after scrolling it into view.
func (p *Page) Click(ctx context.Context, selector string) error {
	var box struct{ X, Y float64 }
	err := p.Eval(ctx, fmt.Sprintf(`(function(){
		const e = document.querySelector(%s);
		if (!e) throw new Error("no element matches " + %[1]s);
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		return {X: r.left + r.width / 2, Y: r.top + r.height / 2};
	})()`, quote(selector)), &box)
	if err != nil {
		return err
	}
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		ev := map[string]any{"type": typ, "x": box.X, "y": box.Y, "button": "left", "clickCount": 1}
		if typ == "mouseMoved" {
			ev["button"] = "none"
		}
		if err := p.Call(ctx, "Input.dispatchMouseEvent", ev, nil); err != nil {
			return err
		}
	}
	return nil
}

// Focus gives the keyboard focus to the first element that matches
// selector.
func (p *Page) Focus(ctx context.Context, selector string) error {
	return p.Eval(ctx, fmt.Sprintf(`(function(){
		const e = document.querySelector(%s);
		if (!e) throw new Error("no element matches " + %[1]s);
		e.focus();
	})()`, quote(selector)), nil)
}

// Type types text into the focused element, as a keyboard would.
func (p *Page) Type(ctx context.Context, text string) error {
	return p.Call(ctx, "Input.insertText", map[string]any{"text": text}, nil)
}

// keys are the keys Press knows: DOM key, code and Windows key code.
var keys = map[string]struct {
	code string
	vk   int
	text string
}{
	"Enter": {"Enter", 13, "\r"},
	"Tab":   {"Tab", 9, ""},
	"Space": {"Space", 32, " "},
}

// Press presses and releases a key: Enter, Tab or Space.
func (p *Page) Press(ctx context.Context, key string) error {
	k, ok := keys[key]
	if !ok {
		return fmt.Errorf("Press: unknown key %q", key)
	}
	domKey := key
	if key == "Space" {
		domKey = " "
	}
	down := map[string]any{"type": "keyDown", "key": domKey, "code": k.code, "windowsVirtualKeyCode": k.vk}
	if k.text != "" {
		down["text"] = k.text
	}
	if err := p.Call(ctx, "Input.dispatchKeyEvent", down, nil); err != nil {
		return err
	}
	return p.Call(ctx, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": domKey, "code": k.code, "windowsVirtualKeyCode": k.vk}, nil)
}

// SetViewport makes the page width by height CSS pixels, as a phone's
// screen would be.
func (p *Page) SetViewport(ctx context.Context, width, height int, mobile bool) error {
	return p.Call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, nil)
}

// Screenshot is a PNG of the page; full captures the whole page rather
// than what the window shows.
func (p *Page) Screenshot(ctx context.Context, full bool) ([]byte, error) {
	params := map[string]any{"format": "png"}
	if full {
		var m struct {
			Size struct{ Width, Height float64 } `json:"cssContentSize"`
		}
		if err := p.Call(ctx, "Page.getLayoutMetrics", nil, &m); err != nil {
			return nil, err
		}
		params["captureBeyondViewport"] = true
		params["clip"] = map[string]any{"x": 0, "y": 0, "width": m.Size.Width, "height": m.Size.Height, "scale": 1}
	}
	var r struct {
		Data string `json:"data"`
	}
	if err := p.Call(ctx, "Page.captureScreenshot", params, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

// quote makes s a JavaScript string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
