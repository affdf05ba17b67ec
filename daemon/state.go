package daemon

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The state files, in heartbeat's formats so that a node can switch
// between heartbeat and Understudy binaries (heartbeat-spec §4.7, §4.13).
const (
	generationFile = "hb_generation"
	uuidFile       = "hb_uuid"
)

// nextGeneration reads the generation number, adds one, and writes it
// back durably (written, fsynced, renamed, directory fsynced) before it
// returns: a node must never reuse a generation, or its peers take its
// messages for replays. A missing file starts at the current Unix time,
// as heartbeat does.
func nextGeneration(dir string, now time.Time) (gen uint64, fresh bool, err error) {
	path := filepath.Join(dir, generationFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		gen, fresh = uint64(now.Unix()), true
	case err != nil:
		return 0, false, fmt.Errorf("read generation: %w", err)
	default:
		gen, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 63)
		if err != nil {
			return 0, false, fmt.Errorf("generation file %s is corrupt (%q): remove it to start a new series", path, bytes.TrimSpace(b))
		}
	}
	gen++
	if err := writeDurably(path, []byte(fmt.Sprintf("%15d\n", gen)), 0o644); err != nil {
		return 0, false, fmt.Errorf("write generation: %w", err)
	}
	return gen, fresh, nil
}

// nodeUUID returns the node's UUID, creating it on first start.
func nodeUUID(dir string) ([]byte, error) {
	path := filepath.Join(dir, uuidFile)
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 16 {
		return b, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read node uuid: %w", err)
	}
	u := make([]byte, 16)
	if _, err := rand.Read(u); err != nil {
		return nil, err
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	if err := writeDurably(path, u, 0o644); err != nil {
		return nil, fmt.Errorf("write node uuid: %w", err)
	}
	return u, nil
}

// writeDurably replaces path with data so that a crash leaves either the
// old or the new content, and the new content survives power loss.
func writeDurably(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
