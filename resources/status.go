package resources

import "regexp"

// Status output rules (heartbeat-spec §2.4). The shell case pattern
// `*[Nn][Oo][Tt] *[Rr]unning*` is a glob: "not" in any case, a blank,
// anything (newlines too), then "running" or "Running".
var (
	notRunningRE = regexp.MustCompile(`(?s)[Nn][Oo][Tt] .*[Rr]unning`)
	runningRE    = regexp.MustCompile(`[Rr]unning|OK`)
)

// StatusRunning judges the stdout of `script status` as heartbeat does;
// the exit status is ignored. Output matching the "not running" pattern
// means not running; otherwise output containing "running", "Running" or
// "OK" means running; anything else means not running.
func StatusRunning(stdout []byte) bool {
	if notRunningRE.Match(stdout) {
		return false
	}
	return runningRE.Match(stdout)
}
