# Understudy -- see README.md. Every target works on a fresh Debian machine.

GO        ?= go
PREFIX    ?= /usr/local
DESTDIR   ?=
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
HADIR     ?= /etc/ha.d
INITDIR   ?= /etc/init.d
UNITDIR   ?= /etc/systemd/system
# Where bash-completion and zsh look (both search under /usr/local/share
# as well as /usr/share).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
# heartbeat keeps cl_status in /usr/bin and hb_standby/hb_takeover here.
COMPATBIN   ?= /usr/bin
COMPATSHARE ?= /usr/share/heartbeat
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME  ?= 3s
GOFLAGS_BUILD = -trimpath -ldflags "-s -w -X main.version=$(VERSION)"

BIN = bin/understudy

.PHONY: all build test deps unit fuzz fuzz-cluster lint install uninstall clean deb

all: build

build:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./cmd/understudy

# Everything: formatting and vet, unit and integration tests (the
# network-namespace ones need root and skip loudly without it), and each
# fuzz target for $(FUZZTIME).
test: deps lint unit fuzz

# What the tests need from Debian (iproute2, socat, heartbeat): installed
# if missing and root.
deps:
	@scripts/deps.sh

unit:
	$(GO) test -count=1 -p 1 ./...

fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# The cluster state machine's event-interleaving search, for as long as
# it deserves (make test replays its corpus only; see scripts/fuzz.sh).
fuzz-cluster:
	$(GO) test -run '^$$' -fuzz '^FuzzCluster$$' -fuzztime $(or $(CLUSTER_FUZZTIME),10m) ./cluster/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/understudy
	@# heartbeat's commands, in heartbeat's places, as links to the one
	@# binary; a file of an installed heartbeat package is left alone.
	install -d $(DESTDIR)$(COMPATBIN) $(DESTDIR)$(COMPATSHARE)
	@for f in $(COMPATBIN)/cl_status $(COMPATSHARE)/hb_standby $(COMPATSHARE)/hb_takeover; do \
	  if [ -e $(DESTDIR)$$f ] && [ "$$(readlink $(DESTDIR)$$f)" != "$(SBINDIR)/understudy" ]; then \
	    echo "keeping $(DESTDIR)$$f (heartbeat's; remove the heartbeat package, then make install again)"; \
	  else ln -sf $(SBINDIR)/understudy $(DESTDIR)$$f; fi; done
	install -d -m 0755 $(DESTDIR)$(HADIR) $(DESTDIR)$(HADIR)/resource.d $(DESTDIR)$(HADIR)/hooks
	@for f in ha.cf haresources understudy.toml authkeys; do \
	  mode=0644; [ $$f = authkeys ] && mode=0600; \
	  if [ -e $(DESTDIR)$(HADIR)/$$f ]; then echo "keeping existing $(DESTDIR)$(HADIR)/$$f"; \
	  else install -m $$mode ha.d/$$f $(DESTDIR)$(HADIR)/$$f; fi; done
	@for f in resource.d/httpd resource.d/mysql resource.d/ldap resource.d/MailTo hooks/mail hooks/webhook; do \
	  if [ -e $(DESTDIR)$(HADIR)/$$f ]; then echo "keeping existing $(DESTDIR)$(HADIR)/$$f"; \
	  else install -m 0755 ha.d/$$f $(DESTDIR)$(HADIR)/$$f; fi; done
	@for m in man/*.[0-9]; do s=$${m##*.}; \
	  install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done
	install -D -m 0644 scripts/completion/understudy.bash $(DESTDIR)$(BASHCOMPDIR)/understudy
	install -D -m 0644 scripts/completion/_understudy $(DESTDIR)$(ZSHCOMPDIR)/_understudy
	@# The init script and the unit name the binary by its install path.
	sed 's|/usr/local/sbin/understudy|$(SBINDIR)/understudy|g' scripts/init.d/understudy > bin/understudy.init
	install -D -m 0755 bin/understudy.init $(DESTDIR)$(INITDIR)/understudy
	sed 's|/usr/local/sbin/understudy|$(SBINDIR)/understudy|g' scripts/systemd/understudy.service > bin/understudy.service
	install -D -m 0644 bin/understudy.service $(DESTDIR)$(UNITDIR)/understudy.service
	@echo "systemd: systemctl daemon-reload && systemctl enable --now understudy"
	@echo "SysV:    update-rc.d understudy defaults (Debian) or chkconfig --add understudy"

# Removes what install put in place, except /etc/ha.d, which holds the
# administrator's configuration.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/understudy $(DESTDIR)$(INITDIR)/understudy $(DESTDIR)$(UNITDIR)/understudy.service
	@for f in $(DESTDIR)$(COMPATBIN)/cl_status $(DESTDIR)$(COMPATSHARE)/hb_standby $(DESTDIR)$(COMPATSHARE)/hb_takeover; do \
	  [ "$$(readlink $$f 2>/dev/null)" = "$(SBINDIR)/understudy" ] && rm -f $$f || true; done
	@for m in man/*.[0-9]; do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/understudy $(DESTDIR)$(ZSHCOMPDIR)/_understudy
	@rmdir $(DESTDIR)$(COMPATSHARE) 2>/dev/null || true
	@echo "left $(DESTDIR)$(HADIR) in place: it holds your configuration"

clean:
	rm -rf bin

# A Debian package, DEBDIR/understudy_VERSION_ARCH.deb, built with
# dpkg-deb from what install puts in a staging directory; VERSION is git
# describe mapped to a Debian version. See packaging/deb/README.md.
DEBDIR ?= bin
deb: build
	@GO=$(GO) VERSION=$(VERSION) packaging/deb/build.sh $(DEBDIR)

# A two-node cluster in network namespaces failing over in front of you
# (needs root; see scripts/demo.sh).
.PHONY: demo bench bench-scale bench-load
demo:
	scripts/demo.sh

# Understudy and keepalived side by side: power-off gap, takeover cost,
# failback outage, idle CPU, RSS and PSS at deadtime 200, 100 and 50 ms,
# appended to docs/benchmarks.md (needs root; installs keepalived when
# missing; BENCH_N=5 runs per setting; see scripts/bench.sh), then the
# "service killed" case (scripts/bench/service-killed.sh).
bench:
	scripts/bench.sh
	scripts/bench/service-killed.sh

# How the cost grows with 2-16 nodes and 1-128 groups (needs root; see
# scripts/bench/scale.sh).
bench-scale:
	scripts/bench/scale.sh

# False failovers with every CPU saturated, 10 minutes per setting
# (BENCH_LOAD_SECS to shorten; needs root; installs stress-ng when missing;
# see scripts/bench/load.sh).
bench-load:
	scripts/bench/load.sh
