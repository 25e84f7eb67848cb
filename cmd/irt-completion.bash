# bash completion for irt(1)
#
# The candidates come from irt itself ("irt __complete -- WORDS..."), the
# same engine that completes in irt shell: commands, subcommands, the
# options each declares and the values of their arguments, note and
# evidence ids, checklist names and steps.  The last line irt prints is ":N": 1 also completes file names,
# 2 asks for no space after the word.

_irt() {
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -n =: || return
	else
		# Without bash-completion: COMP_WORDS splits "--opt=value" at
		# '=' and ':'; join the pieces that touch in the line.
		local line=${COMP_LINE:0:COMP_POINT} i w pos=0 gap
		words=()
		for ((i = 0; i <= COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			gap=0
			while [[ ${line:pos:1} == [[:space:]] ]]; do
				((pos++))
				gap=1
			done
			if ((i > 0 && !gap)); then
				words[-1]+=$w
			else
				words+=("$w")
			fi
			((pos += ${#w}))
		done
		cword=$((${#words[@]} - 1))
		cur=${words[cword]}
	fi

	local irt=${words[0]} out directive line
	local -a cands=()
	[[ $irt == */* && -x $irt ]] || irt=irt
	out=$("$irt" __complete -- "${words[@]:1:cword}" 2>/dev/null) || return
	directive=${out##*:}
	out=${out%:*}
	while IFS= read -r line; do
		[[ -n $line ]] && cands+=("$line")
	done <<<"$out"

	# bash replaces only the part of the word after its last break
	# character ('=' or ':' when they are in COMP_WORDBREAKS).
	local pre= p c
	for c in = :; do
		if [[ $COMP_WORDBREAKS == *"$c"* && $cur == *"$c"* ]]; then
			p=${cur%"${cur##*"$c"}"}
			((${#p} > ${#pre})) && pre=$p
		fi
	done
	COMPREPLY=()
	for line in "${cands[@]}"; do
		COMPREPLY+=("${line#"$pre"}")
	done
	if ((directive & 1)); then
		compopt -o filenames 2>/dev/null
		local f
		while IFS= read -r f; do
			COMPREPLY+=("$f")
		done < <(compgen -f -- "$cur")
	fi
	if ((directive & 2)); then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}

complete -F _irt irt
