package config

import "io/fs"

// fileTypes are the types of file ls -l tells apart, with its letter and
// a name for messages. The character device comes before the device bit
// it also carries.
var fileTypes = []struct {
	bit    fs.FileMode
	letter byte
	kind   string
}{
	{fs.ModeDir, 'd', "a directory"},
	{fs.ModeSymlink, 'l', "a symbolic link"},
	{fs.ModeNamedPipe, 'p', "a named pipe"},
	{fs.ModeSocket, 's', "a socket"},
	{fs.ModeCharDevice, 'c', "a character device"},
	{fs.ModeDevice, 'b', "a block device"},
}

// LsMode formats a file mode the way `ls -l` prints it ("-rw-------",
// "drwxr-xr-x", "crw-rw----", "lrwxrwxrwx", "-rwsr-xr-x"), which is not
// what fs.FileMode.String prints ("d---------" for any directory's type,
// "Dcrw-rw----" for a character device).
func LsMode(m fs.FileMode) string {
	b := []byte("-rwxrwxrwx")
	for _, t := range fileTypes {
		if m&t.bit != 0 {
			b[0] = t.letter
			break
		}
	}
	for i := range 9 {
		if m&(1<<uint(8-i)) == 0 {
			b[i+1] = '-'
		}
	}
	special := func(bit fs.FileMode, at int, set, unsetX byte) {
		if m&bit == 0 {
			return
		}
		if b[at] == 'x' {
			b[at] = set
		} else {
			b[at] = unsetX
		}
	}
	special(fs.ModeSetuid, 3, 's', 'S')
	special(fs.ModeSetgid, 6, 's', 'S')
	special(fs.ModeSticky, 9, 't', 'T')
	return string(b)
}

// kindOf names the type of file a mode describes, with its article.
func kindOf(m fs.FileMode) string {
	for _, t := range fileTypes {
		if m&t.bit != 0 {
			return t.kind
		}
	}
	if m.IsRegular() {
		return "a regular file"
	}
	return "not a regular file"
}
