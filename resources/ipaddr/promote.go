package ipaddr

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/internal/nsrun"
	"github.com/vishvananda/netlink"
)

// The promote_secondaries trap (DEPENDENCIES.md §3): when the primary
// IPv4 address of a subnet is deleted and the interface's
// promote_secondaries is 0 (the kernel default, and what a fresh
// namespace has), the kernel deletes every secondary address of that
// subnet too. Releasing one floating address would then silently drop
// the others, and perhaps the node's own. So before deleting a primary
// that has secondaries, Release sets promote_secondaries=1 on that
// interface (what systemd distributions ship anyway) and logs a warning;
// after the delete it checks that the secondaries survived and re-adds
// any that did not.

// guardSecondaries prepares the deletion of the primary address a: it
// returns the secondaries of a's subnet on a's interface and makes sure
// they will be promoted rather than deleted.
func (m *Manager) guardSecondaries(a Address) ([]Address, error) {
	all, err := retryDump(func() ([]netlink.Addr, error) {
		return m.h.AddrList(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: a.Link.Index}}, netlink.FAMILY_V4)
	})
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", a.Link.Name, err)
	}
	subnet := a.Prefix.Masked()
	var secs []Address
	for _, n := range all {
		b, ok := fromNetlink(n, a.Link)
		if ok && b.Secondary && b.Prefix.Bits() == subnet.Bits() && subnet.Contains(b.Prefix.Addr()) {
			secs = append(secs, b)
		}
	}
	if len(secs) == 0 {
		return nil, nil
	}
	v, err := m.sysctl(m.netns, a.Link.Name, "promote_secondaries", nil)
	if err != nil {
		return secs, err
	}
	if v != "0" {
		return secs, nil
	}
	one := "1"
	if _, err := m.sysctl(m.netns, a.Link.Name, "promote_secondaries", &one); err != nil {
		return secs, err
	}
	m.log.Warn("enabled promote_secondaries so that releasing a primary address keeps its secondaries",
		"addr", a.Prefix, "link", a.Link.Name, "secondaries", len(secs))
	return secs, nil
}

// restore re-adds any of the given addresses that disappeared.
func (m *Manager) restore(want []Address) error {
	for _, s := range want {
		found, err := m.Find(config.IPSpec{Addr: s.Prefix.Addr(), Iface: s.Link.Name})
		if err != nil {
			return err
		}
		if len(found) > 0 {
			continue
		}
		m.log.Warn("secondary address vanished with its primary, re-adding", "addr", s.Prefix, "link", s.Link.Name)
		s.Secondary = false
		if err := m.h.AddrReplace(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: s.Link.Index}}, s.nlAddr()); err != nil {
			return fmt.Errorf("ip addr replace %s (re-adding a lost secondary): %w", s, err)
		}
	}
	return nil
}

// procSysctl reads (value nil) or writes /proc/sys/net/ipv4/conf/IFACE/KEY
// in the namespace at netns and returns the value read or written.
func procSysctl(netns, iface, key string, value *string) (string, error) {
	if strings.ContainsAny(iface, "/") || iface == "." || iface == ".." {
		return "", fmt.Errorf("sysctl: bad interface name %q", iface)
	}
	path := filepath.Join("/proc/sys/net/ipv4/conf", iface, key)
	var out string
	err := nsrun.Do(netns, func() error {
		if value != nil {
			out = *value
			return os.WriteFile(path, []byte(*value+"\n"), 0o644)
		}
		b, err := os.ReadFile(path)
		out = strings.TrimSpace(string(b))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("sysctl %s: %w", path, err)
	}
	return out, nil
}
