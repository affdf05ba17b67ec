package logging

import (
	"fmt"
	"os"
	"syscall"
)

// streamID is fi's "DEVICE:INODE" as systemd writes JOURNAL_STREAM.
func streamID(fi os.FileInfo) string {
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
