# shellcheck shell=bash
# The one Debian package installer of the project's scripts and tests.
#
# ensure_packages PKG...: installs the packages that are not installed yet
# (as root, or through sudo). Returns non-zero when they cannot be installed.
# apt_update_once: refreshes the package lists, at most once per shell (call
# it from the main shell, not from $(...)); ensure_packages does so when an
# install fails, since a fresh machine may have stale or no lists, unless
# CRONO_APT_UPDATE=0 (the user's install, which changes nothing on the system
# but the packages it names, and says how to refresh the lists instead).

CRONO_APT_UPDATED=0
CRONO_APT_UPDATE=${CRONO_APT_UPDATE:-1}

crono_apt() {
	local sudo=()
	((EUID == 0)) || sudo=(sudo -n)
	# Parts of make check that run side by side may install at the same time:
	# wait for the other's dpkg lock instead of failing.
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 \
		-o DPkg::Lock::Timeout=600 "$@" >&2
}

apt_update_once() {
	((CRONO_APT_UPDATED)) && return 0
	CRONO_APT_UPDATED=1
	crono_apt update
}

ensure_packages() {
	local missing=() p
	for p in "$@"; do
		[[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	if ! command -v apt-get >/dev/null; then
		printf 'missing packages %s, and this is not a Debian system\n' "${missing[*]}" >&2
		return 1
	fi
	printf 'installing %s\n' "${missing[*]}" >&2
	local install=(install -y --no-install-recommends "${missing[@]}")
	crono_apt "${install[@]}" && return 0
	((CRONO_APT_UPDATE)) && apt_update_once && crono_apt "${install[@]}"
}
