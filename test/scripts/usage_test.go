package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/resources"
)

var names = []string{"httpd", "mysql", "ldap"}

// TestUsage: bad calls exit 2 with a usage line on stderr and nothing on
// stdout (nothing heartbeat could take for a status). Touches no service.
func TestUsage(t *testing.T) {
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{
				{},
				{"bogus"},
				{"restart"},
				{"START"},
				{"one", "two", "start"},
				{"bad;name", "start"},
				{"-x", "status"},
				{"../x", "stop"},
				{"postgresql", "start"}, // a service none of them drives
			} {
				r := run(t, nil, name, args...)
				if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "usage: "+name+" ") {
					t.Errorf("%s %q: want exit 2 and a usage line on stderr only; got %s", name, args, r)
				}
			}
			r := run(t, []string{"HA_SERVICE_MANAGER=upstart"}, name, "status")
			if r.code != 2 {
				t.Errorf("HA_SERVICE_MANAGER=upstart %s status: want exit 2; got %s", name, r)
			}
		})
	}
}

// TestNotInstalled: a service that is not there cannot start (exit 5,
// "not installed"), stops fine (LSB; heartbeat would reboot on a failed
// stop) and is stopped. Forcing the init-script manager and naming an
// instance no machine has makes this the same everywhere.
func TestNotInstalled(t *testing.T) {
	absent := map[string]string{
		"httpd": "apache2-understudy-absent",
		"mysql": "mysql@understudy-absent",
		"ldap":  "slapd-understudy-absent",
	}
	env := []string{"HA_SERVICE_MANAGER=initd"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			svc := absent[name]
			if _, err := os.Stat("/etc/init.d/" + svc); err == nil {
				t.Skipf("SKIPPING: /etc/init.d/%s exists", svc)
			}
			if r := run(t, env, name, svc, "start"); r.code != 5 || !strings.Contains(r.stderr, "not installed") {
				t.Errorf("start: want exit 5 and \"not installed\"; got %s", r)
			}
			if r := run(t, env, name, svc, "stop"); r.code != 0 {
				t.Errorf("stop: want exit 0; got %s", r)
			}
			r := run(t, env, name, svc, "status")
			if r.code != 3 || r.stdout != "stopped\n" || resources.StatusRunning([]byte(r.stdout)) {
				t.Errorf("status: want \"stopped\", exit 3; got %s", r)
			}
		})
	}
}

// TestScriptFiles: executable, POSIX sh, the common part identical in all
// three (it is copied, since each script must stand alone in resource.d),
// and shellcheck-clean where shellcheck is installed.
func TestScriptFiles(t *testing.T) {
	const marker = "# ---- common part:"
	var common []byte
	var paths []string
	for _, name := range names {
		p := filepath.Join(scriptDir, name)
		paths = append(paths, p)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&0o111 != 0o111 {
			t.Errorf("%s: mode %v, want executable by all", name, fi.Mode())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("#!/bin/sh\n")) {
			t.Errorf("%s: does not start with #!/bin/sh", name)
		}
		i := bytes.Index(b, []byte(marker))
		if i < 0 {
			t.Errorf("%s: no %q line", name, marker)
			continue
		}
		if common == nil {
			common = b[i:]
		} else if !bytes.Equal(common, b[i:]) {
			t.Errorf("%s: the common part differs from httpd's; keep them identical", name)
		}
		for _, sh := range []string{"sh", "dash", "busybox"} {
			path, err := exec.LookPath(sh)
			if err != nil {
				continue
			}
			args := []string{"-n", p}
			if sh == "busybox" {
				args = []string{"sh", "-n", p}
			}
			if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
				t.Errorf("%s -n %s: %v\n%s", sh, name, err, out)
			}
		}
	}
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("SKIPPING the shellcheck part: shellcheck is not installed (apt-get install shellcheck)")
	}
	if out, err := exec.Command(sc, append([]string{"-s", "sh"}, paths...)...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
