// Package hbcompat answers to heartbeat's own command names: cl_status,
// hb_standby and hb_takeover (heartbeat-spec §6.3, §6.4, REQUIREMENTS
// H11), with heartbeat 3.0.6's sub-commands, options, output and exit
// codes, so that scripts and monitoring checks written for heartbeat keep
// working. The understudy binary calls Run when it is invoked under one
// of those names (make install links them to it).
//
// It is a client of package control, like the understudy commands:
// cl_status asks the daemon for its status once, over the control
// socket, and answers every sub-command from that one snapshot;
// hbparameter reads ha.cf as the daemon reads it. hb_standby and
// hb_takeover go through control.Admin, the same path as understudy
// standby and takeover, and differ only in their words and exit codes.
// Where heartbeat's answer comes from machinery Understudy does not have
// (the client API, ping nodes), the answer is the one heartbeat gives
// when that machinery is idle.
package hbcompat
