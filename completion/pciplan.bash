# bash completion for pciplan(1)                           -*- shell-script -*-
#
# Installed by `make install` as
# $(datadir)/bash-completion/completions/pciplan, where
# bash-completion (2.x) finds it when "pciplan" is first completed.

_pciplan()
{
    local cur prev words cword split
    _init_completion -s || return

    case $prev in
    -m | --machine)
        COMPREPLY=($(compgen -W 'pc q35 virt pseries s390-ccw-virtio
            pc-i440fx-7.2 pc-q35-7.2 virt-7.2 pseries-7.2
            s390-ccw-virtio-7.2 pc-i440fx-10.0 pc-q35-10.0 virt-10.0
            pseries-10.0 s390-ccw-virtio-10.0' -- "$cur"))
        return
        ;;
    --libvirt)
        COMPREPLY=($(compgen -W '9.0 11.3' -- "$cur"))
        return
        ;;
    -r | --reserve | --root-ports)
        return # a number
        ;;
    -o | --output)
        _filedir
        return
        ;;
    --show)
        COMPREPLY=($(compgen -W 'tree dot json' -- "$cur"))
        return
        ;;
    --explain)
        # only --explain=FILE names a file; a bare --explain takes none
        if $split; then
            _filedir
            return
        fi
        ;;
    -h | --help | --usage | -V | --version)
        return
        ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--machine= --libvirt= --reserve= --root-ports=
            --output= --in-place --check --diff --quiet --explain --explain=
            --show= --capacity --warnings-are-errors --strip --version
            --help --usage' -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    _filedir xml
} &&
    complete -F _pciplan pciplan

# ex: filetype=sh
