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

	local commands="check daemon decode status standby takeover reload version help"
	if ((cword == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
		return
	fi

	local cmd=${words[1]} opts
	case $cmd in
	check) opts="-c --node --json --help" ;;
	daemon) opts="-c --node --debug --no-watch --help" ;;
	decode) opts="-c --port --json --help" ;;
	status) opts="-s --json --help" ;;
	standby | takeover) opts="-s --wait --help" ;;
	reload) opts="-s --help" ;;
	help)
		((cword == 2)) && mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
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
	--node | --wait | --port) return ;; # a name, a duration, a number
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	case $cmd in
	standby | takeover) mapfile -t COMPREPLY < <(compgen -W "all local foreign failback" -- "$cur") ;;
	decode) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}
complete -F _understudy understudy
