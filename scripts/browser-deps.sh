#!/bin/sh
# What the browser tests need beyond Python: Chromium (to render the HTML report and drive kb serve's query page)
# and a CJK font (so screenshots show the Chinese text). Installs what is missing through the system's package
# manager, saying so; without the rights to install, stops with the exact command to run. Called by test.sh.
set -eu

missing=""
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium > /dev/null 2>&1; then
    missing="chromium"
fi
if ! fc-list :lang=zh 2> /dev/null | grep -q .; then
    missing="$missing cjk-font"
fi
missing=${missing# }
[ -z "$missing" ] && exit 0

# The packages to ask for: Chromium, and a CJK font under the name each manager gives it.
packages_with_font() {
    out=""
    for need in $missing; do
        case $need in
            chromium) out="$out chromium" ;;
            cjk-font) out="$out $1" ;;
        esac
    done
    echo "${out# }"
}
if command -v apt-get > /dev/null 2>&1; then
    packages=$(packages_with_font fonts-wqy-microhei)
    install="apt-get update -q && apt-get install -y -q $packages"
elif command -v dnf > /dev/null 2>&1; then
    packages=$(packages_with_font wqy-microhei-fonts)
    install="dnf install -y $packages"
elif command -v apk > /dev/null 2>&1; then
    packages=$(packages_with_font font-wqy-zenhei)
    install="apk add $packages"
else
    echo "The browser tests need $missing, and no known package manager (apt-get, dnf, apk) was found." >&2
    echo "Install Chromium and a Chinese font by hand; set CHROMIUM to the Chromium binary if it is not" \
         "called chromium on the PATH." >&2
    exit 2
fi

if [ "$(id -u)" = 0 ]; then
    echo "Installing $packages for the browser tests: $install" >&2
    sh -c "$install" > /dev/null
elif command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
    echo "Installing $packages for the browser tests: sudo sh -c '$install'" >&2
    sudo sh -c "$install" > /dev/null
else
    echo "The browser tests need $packages, and installing it needs administrator rights. Run:" >&2
    echo "    sudo sh -c '$install'" >&2
    echo "then run this command again." >&2
    exit 2
fi
