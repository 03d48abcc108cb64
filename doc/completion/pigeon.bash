# pigeon.bash - bash completion for pigeon(1): the commands, their options,
# the queue's subcommands and the account names of the configuration file.
# Installed as bash-completion's completions/pigeon (make install).
#
# SPDX-License-Identifier: ISC

# _pigeon_accounts FILE: the NAMEs of the "[account NAME]" lines of FILE
# (default: the user's configuration file), one a line.
_pigeon_accounts()
{
	local cfg=$1
	[[ -n $cfg ]] || cfg=${XDG_CONFIG_HOME:-$HOME/.config}/pigeon/config
	[[ -f $cfg && -r $cfg ]] || return 0
	sed -n 's/^[[:space:]]*\[[Aa][Cc][Cc][Oo][Uu][Nn][Tt][[:space:]][[:space:]]*\([^]]*[^][:space:]]\)[[:space:]]*\][[:space:]]*$/\1/p' \
	    -- "$cfg" 2>/dev/null
}

_pigeon()
{
	local cur prev words cword split
	_init_completion -s || return

	local common='--config --account --server --transcript --transcript=
	    --transcript-data --no-queue --hex --show-auth --show-auth=all
	    -v --help --version'
	local commands='send sendmail queue probe'

	# The command, and the --config given so far (for account names).
	local i w cmd= cfg= sub=
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--config | --account | --server)
			[[ $w == --config ]] && cfg=${words[i + 1]}
			((i++))
			;;
		--config=*) cfg=${w#--config=} ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=$w
			elif [[ $cmd == queue && -z $sub ]]; then
				sub=$w
			fi
			;;
		esac
	done
	cfg=${cfg/#\~\//$HOME/}

	# The value of an option.
	case $prev in
	--config | --body | --html | --attach-message | -a | --attach)
		_filedir
		return
		;;
	--account)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_pigeon_accounts "$cfg")" -- "$cur"))
		return
		;;
	--server)
		compopt -o nospace 2>/dev/null
		COMPREPLY=($(compgen -W 'smtp:// smtps:// smtp+plain:// lmtp://' \
		    -- "$cur"))
		return
		;;
	--transcript)
		if [[ $split == true ]]; then
			_filedir
			return
		fi
		;;
	-N)
		COMPREPLY=($(compgen -W 'never success failure delay
		    success,failure success,failure,delay' -- "$cur"))
		return
		;;
	-R)
		COMPREPLY=($(compgen -W 'full hdrs' -- "$cur"))
		return
		;;
	-s | --subject | -c | --cc | -b | --bcc | -H | --header | --from | \
	--reply-to | --in-reply-to | --references | -f | -r | -F | -V)
		return
		;;
	esac
	[[ $split == true ]] && return

	local opts
	case $cmd in
	"")
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		;;
	send)
		opts='-s --subject -a --attach -c --cc -b --bcc -H --header --from
		    --reply-to --in-reply-to --references --html --html-auto --attach-message
		    --body --dry-run --7bit --abort-on-reject --chunking'
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		;;
	sendmail)
		opts='-t -f -r -F -i -oi -N -R -V --abort-on-reject --chunking'
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		;;
	queue)
		if [[ -z $sub ]]; then
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "$common" -- "$cur"))
			else
				COMPREPLY=($(compgen -W 'list flush retry edit rm log' \
				    -- "$cur"))
			fi
		elif [[ $sub == flush && $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--due --all $common" -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common" -- "$cur"))
		fi
		;;
	probe)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--auth $common" -- "$cur"))
		else
			compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W 'smtp:// smtps:// smtp+plain:// lmtp://' \
			    -- "$cur"))
		fi
		;;
	esac
	[[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
	return 0
} &&
	complete -F _pigeon pigeon
