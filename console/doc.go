// Package console is the web console of the admin port: pages to see
// and steer the cluster from a browser, served on the admin port's TLS
// listener at "/" (Mount), behind the admin password.
//
// # Pages
//
//	/login    the password form (rate limited per source by the admin
//	          port, like the CLI's logins)
//	/         overview: every node's own view side by side (nodes and
//	          links; groups with owner, state, addresses Active or
//	          Inactive, resources, monitors), disagreements marked;
//	          standby, takeover, move and clear buttons
//	/log      the log, newest first, filtered by node, level and text,
//	          with a live tail
//	/config   ha.cf, haresources and understudy.toml with `understudy
//	          check`'s findings on their lines (read only)
//
// The pages are html/template files and the script and style sheet
// static files, all embedded: no build step, nothing fetched. The script
// only refreshes: the overview's cluster part every second
// (/live/overview) and the log's newest lines (/live/log, a long poll);
// every page works without it.
//
// # Mounting
//
// The daemon mounts a console on each admin server it makes, before
// Start:
//
//	c, err := console.Mount(srv, console.Options{Backend: backend,
//		Idle: settings.SessionIdle, Logger: log.With("component", "console"),
//		Config: func(context.Context) (console.ConfigReport, error) {
//			return console.CheckDir(dir, self), nil
//		}})
//
// Options.Cluster, Options.Command and Options.Log, when set, make the
// overview, the actions and the log cover every node, not this one
// alone. A changed password should end the console's sessions
// (Console.EndSessions), as ReloadPassword ends the admin protocol's.
//
// # Security
//
// A login opens a session named by a random cookie (__Host- prefixed,
// HttpOnly, Secure, SameSite=Strict) that ends after Options.Idle
// without the operator's activity (live updates do not count), after 12
// hours, or on logout. Every POST carries the session's CSRF token in a
// form field, and a request that a browser marks as cross-site
// (Sec-Fetch-Site, else Origin) is refused before that. The login form
// has its own token, repeated in a cookie. Every answer carries a
// Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval'
// (ContentSecurityPolicy), X-Frame-Options DENY, Referrer-Policy
// no-referrer, Strict-Transport-Security, X-Content-Type-Options nosniff
// and, but for the static files, Cache-Control no-store. Logins,
// refusals and every action are logged with their source address and a
// tag of the session (not its cookie).
//
// # Actions
//
// standby and takeover of a node are the admin protocol's commands with
// set all, sent to that node (Options.Command; this node's Backend
// otherwise); move of a group to a node and clear of a group's failure
// marks on every node (admin.Move, admin.Clear) go to this node's
// Backend, which hands them to the cluster as `understudy move` and
// `understudy clear` do: the page shows every answer, refusals with
// their reason.
package console
