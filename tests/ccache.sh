# shellcheck shell=bash disable=SC2034 # sets arrays for the scripts that source it
# Compiler cache for the test builds (sourced with ROOT set). The cache lives in
# $CRONO_CACHE/ccache and paths are taken relative to the clone, so a fresh
# clone recompiles nothing that an earlier run on this machine compiled.
#
# ccache_setup: set CCACHE (the compiler prefix) and CCACHE_CMAKE (the CMake
# arguments), both empty when ccache is not installed.
ccache_setup() {
	export CCACHE_DIR=${CRONO_CACHE:-$HOME/.cache/crono}/ccache CCACHE_BASEDIR=$ROOT
	export CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=4G
	CCACHE=()
	CCACHE_CMAKE=()
	if command -v ccache >/dev/null 2>&1; then
		CCACHE=(ccache)
		CCACHE_CMAKE=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
	fi
}
