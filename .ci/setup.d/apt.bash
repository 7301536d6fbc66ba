# Sourced by the set-up steps (source "$(dirname "$0")/apt.bash"): apt_install PACKAGE... installs Debian packages
# when running as root with apt-get, else prints a SKIP line and returns 1.
apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "SKIP: not root with apt-get; not installing $*"
        return 1
    fi
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ ! -e /tmp/.smttask-apt-updated ]; then
        apt-get update -qq && touch /tmp/.smttask-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
