#!/usr/bin/env bash
# Installs a released nhi binary: downloads the archive for this platform and the release's SHA256SUMS,
# verifies the archive's checksum, and puts `nhi` in the target directory.
#
#   scripts/install.sh --repo OWNER/NAME --tag vX.Y.Z [--to DIR]
#
# Exit status: 0 installed; 3 the repository has no release for that tag (nothing was installed, so a caller
# can build from source instead); 1 anything else (no archive for this platform, a checksum that does not
# match, a download that breaks off). NHI_TARGET overrides the platform; NHI_DOWNLOAD_URL the base URL
# (https://github.com by default; tests use file://).
set -euo pipefail

repo="" tag="" dest="${NHI_INSTALL_DIR:-$HOME/.local/bin}"
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --to) dest="$2"; shift 2 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "install.sh: --repo OWNER/NAME is required" >&2
  exit 1
fi
# Releases are tagged vMAJOR.MINOR.PATCH (with an optional pre-release suffix); a branch or commit is not one.
if ! [[ "$tag" =~ ^v[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.+-]*$ ]]; then
  echo "install.sh: \`$tag\` is not a release tag" >&2
  exit 3
fi

target="${NHI_TARGET:-}"
if [ -z "$target" ]; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
    Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
    Darwin/x86_64) target=x86_64-apple-darwin ;;
    Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
    MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) target=x86_64-pc-windows-msvc ;;
    *) echo "install.sh: no release binary for $(uname -s) $(uname -m); build from source" >&2; exit 1 ;;
  esac
fi
case "$target" in
  *windows*) archive="nhi-$tag-$target.zip" exe=nhi.exe ;;
  *) archive="nhi-$tag-$target.tar.gz" exe=nhi ;;
esac

base="${NHI_DOWNLOAD_URL:-https://github.com}/$repo/releases/download/$tag"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch() { curl --fail --silent --show-error --location --retry 3 --output "$work/$1" "$base/$1"; }

if ! fetch SHA256SUMS 2>/dev/null; then
  echo "install.sh: $repo has no release $tag" >&2
  exit 3
fi
expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/SHA256SUMS")"
if [ -z "$expected" ]; then
  echo "install.sh: release $tag has no $archive" >&2
  exit 1
fi
fetch "$archive"
if command -v sha256sum >/dev/null; then
  actual="$(sha256sum "$work/$archive" | awk '{ print $1 }')"
else
  actual="$(shasum -a 256 "$work/$archive" | awk '{ print $1 }')"
fi
if [ "$actual" != "$expected" ]; then
  echo "install.sh: checksum mismatch for $archive: expected $expected, got $actual" >&2
  exit 1
fi
echo "install.sh: $archive sha256 $actual (verified against SHA256SUMS)"

case "$archive" in
  *.zip) (cd "$work" && unzip -q "$archive") ;;
  *) tar -xzf "$work/$archive" -C "$work" ;;
esac
mkdir -p "$dest"
install -m 755 "$work/nhi-$tag-$target/$exe" "$dest/$exe"
"$dest/$exe" --version
