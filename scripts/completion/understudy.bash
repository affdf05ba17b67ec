# bash completion for understudy(8)                        -*- shell-script -*-
#
# make install puts this file in bash-completion's completions directory
# as "understudy". Written by hand (no completion generator is linked into
# the binary); cmd/understudy's tests check that it knows every command
# and every option the commands' --help lists.

_understudy()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
		prev=${words[cword - 1]}
	fi

	local commands="check daemon decode status standby takeover move clear maintenance reload log passwd version help"
	# understudy --host HOST [--fingerprint FP] COMMAND: skip to the command.
	local i=1
	while ((i < cword)) && [[ ${words[i]} == --host || ${words[i]} == --fingerprint ]]; do
		((i += 2))
	done
	if ((cword == i)); then
		case $prev in
		--host | --fingerprint) return ;; # a host, a fingerprint
		esac
		mapfile -t COMPREPLY < <(compgen -W "$commands --host --fingerprint --help --version" -- "$cur")
		return
	fi

	local cmd=${words[i]} opts
	case $cmd in
	check) opts="-c --node --json --help" ;;
	daemon) opts="-c --node --debug --no-watch --help" ;;
	decode) opts="-c --port --json --help" ;;
	status) opts="-s --json --cluster --host --fingerprint --help" ;;
	standby | takeover) opts="-s --wait --host --fingerprint --help" ;;
	move) opts="-s --wait --host --fingerprint --help" ;;
	clear | maintenance) opts="-s --host --fingerprint --help" ;;
	reload) opts="-s --host --fingerprint --help" ;;
	log) opts="-n --since --level --follow --json --cluster --clear -s --host --fingerprint --help" ;;
	passwd) opts="-c --help" ;;
	help)
		((cword == i + 1)) && mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		return
		;;
	*) return ;;
	esac

	case $prev in
	-c)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-s)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--level)
		mapfile -t COMPREPLY < <(compgen -W "debug info warn error" -- "$cur")
		return
		;;
	--node | --wait | --port | -n | --since | --host | --fingerprint) return ;; # a name, a duration, a number, a time, a host
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	case $cmd in
	standby | takeover) mapfile -t COMPREPLY < <(compgen -W "all local foreign failback" -- "$cur") ;;
	maintenance) mapfile -t COMPREPLY < <(compgen -W "on off" -- "$cur") ;;
	decode) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}
complete -F _understudy understudy
