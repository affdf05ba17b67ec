// Package logging builds the daemon's one *slog.Logger from the logging
// directives of ha.cf (heartbeat-spec §6.5, REQUIREMENTS H12): logfile,
// debugfile, logfacility, use_logd, debug and syslogmsgfmt, plus the
// process's stderr.
//
// # Destinations
//
// Every record goes to each destination that accepts its level:
//
//	destination  configured by           receives
//	-----------  ----------------------  -------------------------------------
//	logfile      logfile PATH            every line except debug (heartbeat)
//	debugfile    debugfile PATH          every line, debug included (heartbeat)
//	syslog       logfacility NAME        every line except debug, with the
//	                                     priority of its level (below)
//	stderr       always (Options.Stderr) info and above; debug too when
//	                                     debug > 0
//
// Debug lines exist only when the debug directive is above 0 (heartbeat
// only generates them then), so with debug 0 the debugfile receives the
// same lines as the logfile.
//
// use_logd: Understudy has no logging daemon. When use_logd is on and
// none of logfile, debugfile or logfacility is set (which is also what
// config gives when no logging directive is written at all), lines go to
// syslog with facility daemon, which is where heartbeat's ha_logd writes
// by default. When use_logd is on together with other directives, those
// directives decide and use_logd adds nothing (heartbeat would have
// passed the lines to ha_logd, which follows logd.cf instead).
//
// # Syslog
//
// Syslog is written with log/syslog, one Writer for the configured
// facility, ident "understudy". Each record is sent with the Writer
// method of its level, so the priority is right:
//
//	slog level        syslog priority   word in the line
//	Error and above   LOG_ERR           ERROR
//	Warn              LOG_WARNING       WARN
//	Info              LOG_INFO          info
//	Debug and below   LOG_DEBUG         debug
//
// The message sent is "LEVEL: text key=value…"; syslog adds the time,
// host and "understudy[PID]:". If syslog cannot be reached (no /dev/log
// yet), the destination stays and is dialled again at most once a second.
//
// # Line formats
//
// Files, and stderr when it is not the journal, use heartbeat's daemon
// format. With syslogmsgfmt true (the default):
//
//	Nov 22 10:51:05 node1 understudy: [13575]: info: group acquired group=192.0.2.100
//
// that is "%b %d %H:%M:%S HOST understudy: [PID]: LEVEL: text attrs", and
// with syslogmsgfmt false:
//
//	understudy[13575]: 2026/11/22_10:51:05 info: group acquired group=192.0.2.100
//
// Attributes follow the text as key=value, in the order given; a value
// with spaces, quotes, '=' or control characters (or an empty one) is
// quoted as a Go string. Groups and With attributes are flattened with
// dots: log.WithGroup("g").Info("x", "k", 1) gives "x g.k=1".
//
// When stderr is the systemd journal (see Journald), stderr lines are
// "<N>LEVEL: text attrs" with N = 3, 4, 6 or 7 (err, warning, info, debug):
// journald takes the priority from the prefix and adds time and ident.
//
// # Files and rotation
//
// Files are opened O_WRONLY|O_APPEND|O_CREATE, mode 0644. At most once a
// second (heartbeat: once a minute), before a write, the path is stat'ed;
// if it vanished or names another inode (logrotate moved it), the file is
// reopened, so rotation needs no signal and no copytruncate.
//
// # Errors and ordering
//
// Writes are synchronous and ordered: one mutex covers the writes to
// every destination, so every destination has the lines in the same
// order. There are no goroutines. A failing destination
// does not stop the others: its first failure is reported once as an
// ERROR line on the other destinations, further failures are counted,
// and its recovery is reported everywhere with the count of lost lines.
//
// # Reload
//
// Sink.Reconfigure points every logger derived from New at the
// destinations of a reloaded ha.cf, as heartbeat's quick restart does.
//
// # Recent records in memory
//
// A Ring keeps the newest records (DefaultRingSize, or understudy.toml
// [admin] log_records) with their full times and attributes, for
// `understudy log` and the admin port: its Handler is teed with New's
// (Tee). Query reads it newest first, filtered by count, time, level and
// text; Wait is the same as a long poll for records newer than an ID;
// Subscribe delivers new records on a bounded channel that drops the
// oldest unread one for a slow reader; Clear empties it. ReadFiles reads
// older lines back from a log file and its rotated copies (PATH.1,
// PATH.2.gz, …) through ParseLine, and ReadLog puts the ring and the
// files together. Merge interleaves several nodes' records into one
// time-ordered log.
//
// The package does not read ha.cf (the caller passes the values from
// config.HACF) and does not rotate files.
package logging
