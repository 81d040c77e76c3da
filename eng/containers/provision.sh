#!/usr/bin/env bash
# Prepares a Debian 12 machine (root, no container registry, Debian archive reachable
# through apt) to run the containers this repository's tests use:
#   1. installs podman and debootstrap from Debian,
#   2. writes the two podman settings these machines need (containers.conf),
#   3. builds local stand-ins of the images the integration references by default,
#      from Debian packages (debootstrap + chroot + `podman import`), tagged with the
#      exact references so podman finds them without pulling:
#        docker.io/prosodyim/prosody:13.0   Debian trixie + Prosody 13.0.x from trixie-backports
#        docker.io/prosodyim/prosody:0.12   Debian bookworm + Prosody 0.12.x
#        docker.io/library/postgres:18.3    Debian sid + PostgreSQL 18.x
#        docker.io/coturn/coturn:4.6.1      Debian trixie + coturn 4.6.1
#        docker.io/library/mariadb:11.8     Debian trixie + MariaDB 11.8.x
#      and one test peer that no integration references (a local name, never pulled):
#        localhost/aspire-prosody-test/ejabberd:24.12   Debian trixie + ejabberd 24.12
#
# Idempotent: present images are kept; --rebuild builds them again. Needs no stdin.
# Every image it builds carries the label io.aspire-hosting-prosody.stand-in; an image
# under one of these references WITHOUT that label (the official image, pulled from a
# registry) is never overwritten or shadowed, not even with --rebuild: it is used as is.
# See eng/containers/README.md for what each image implements and how faithful it is.
#
# Usage: provision.sh [--rebuild] [--refresh-base] [--skip-smoke] [--podman-only] [IMAGE...]
#   IMAGE                one or more of: prosody-13.0 prosody-0.12 postgres coturn mariadb
#                        ejabberd
#                        (default: all)
#   --rebuild            build the selected stand-ins again even when they exist
#   --refresh-base       debootstrap the base systems again instead of using the cache
#   --skip-smoke         do not `podman run` each image after provisioning
#   --podman-only        install and configure podman, build no image (a machine that
#                        pulls the official images from a registry needs no stand-in)
# Environment:
#   ENG_CONTAINERS_CACHE   cache directory (default /var/cache/eng-containers): base
#                          system tarballs and downloaded .deb files, outside the repo
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR
#                          override the mirrors read from the machine's apt sources
set -Eeuo pipefail
shopt -s nullglob

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${ENG_CONTAINERS_CACHE:-/var/cache/eng-containers}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

# Image references and the versions they must contain. The references are what the
# Aspire integrations use by default; the expected versions fail the build loudly when
# Debian moves on, instead of silently tagging something else.
PROSODY_13_REF=docker.io/prosodyim/prosody:13.0
PROSODY_012_REF=docker.io/prosodyim/prosody:0.12
POSTGRES_REF=docker.io/library/postgres:18.3
COTURN_VERSION=4.6.1
COTURN_REF=docker.io/coturn/coturn:$COTURN_VERSION
MARIADB_REF=docker.io/library/mariadb:11.8
# A second XMPP server implementation for the federation tests: not an image any
# integration references, so it lives under a local name that nothing pulls.
EJABBERD_VERSION=24.12
EJABBERD_REF=localhost/aspire-prosody-test/ejabberd:$EJABBERD_VERSION

HOST_PACKAGES=(podman runc conmon netavark aardvark-dns slirp4netns fuse-overlayfs
	containernetworking-plugins iptables uidmap catatonit golang-github-containers-common
	debootstrap)

ALL_IMAGES=(prosody-13.0 prosody-0.12 postgres coturn mariadb ejabberd)

REBUILD=0 REFRESH_BASE=0 SMOKE=1 PODMAN_ONLY=0

# Set on every image this script builds; its absence marks an image it must not touch.
STAND_IN_LABEL=io.aspire-hosting-prosody.stand-in
SELECTED=()

# ---------------------------------------------------------------- output and errors

log() { printf '[provision] %s\n' "$*"; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

on_error() {
	local status=$? line=$1 command=$2
	printf '[provision] ERROR: line %s: "%s" failed (exit %s)\n' "$line" "$command" "$status" >&2
	exit "$status"
}
trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR

# ---------------------------------------------------------------- arguments

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

parse_arguments() {
	local argument
	for argument; do
		case "$argument" in
			--rebuild) REBUILD=1 ;;
			--refresh-base) REFRESH_BASE=1 ;;
			--skip-smoke) SMOKE=0 ;;
			--podman-only) PODMAN_ONLY=1 ;;
			-h | --help) usage; exit 0 ;;
			prosody-13.0 | prosody-0.12 | postgres | coturn | mariadb | ejabberd) SELECTED+=("$argument") ;;
			*) die "unknown argument '$argument' (see --help)" ;;
		esac
	done
	if ((${#SELECTED[@]} == 0)); then SELECTED=("${ALL_IMAGES[@]}"); fi
}

# ---------------------------------------------------------------- host: packages

install_host_packages() {
	local missing=() package
	for package in "${HOST_PACKAGES[@]}"; do
		if [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]]; then
			missing+=("$package")
		fi
	done
	if ((${#missing[@]} == 0)); then
		log "host packages: all ${#HOST_PACKAGES[@]} present, nothing to install"
		return
	fi
	log "host packages: installing ${missing[*]}"
	apt-get update -q || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${HOST_PACKAGES[@]}" </dev/null ||
		die "could not install the podman packages"
}

# ---------------------------------------------------------------- host: podman settings

# Sets `key = value` inside [table] of a TOML file, keeping everything else. Replaces an
# existing (uncommented) key, even a multi-line array, or adds it (and the table).
set_toml_key() {
	local file="$1" table="$2" key="$3" value="$4" temporary
	temporary="$(mktemp "$file.XXXXXX")"
	awk -v table="$table" -v key="$key" -v value="$value" '
		function emit() { print key " = " value; done = 1 }
		/^[[:space:]]*\[[^]]*\][[:space:]]*$/ {
			header = $0; gsub(/[[:space:]\[\]]/, "", header)
			if (in_table && !done) emit()
			in_table = (header == table); if (in_table) seen = 1
			print; next
		}
		skipping { if ($0 ~ /\]/) skipping = 0; next }
		in_table && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
			if (!done) emit()
			rest = $0; sub(/^[^=]*=/, "", rest)
			if (rest ~ /\[/ && rest !~ /\]/) skipping = 1
			next
		}
		{ print }
		END {
			if (in_table && !done) emit()
			else if (!seen) { print ""; print "[" table "]"; emit() }
		}' "$file" >"$temporary"
	cat "$temporary" >"$file"
	rm -f "$temporary"
}

configure_podman() {
	local conf=/etc/containers/containers.conf before=""
	mkdir -p /etc/containers
	[[ -f "$conf" ]] && before="$(cat "$conf")"
	[[ -f "$conf" ]] || printf '# Written by eng/containers/provision.sh (see eng/containers/README.md).\n' >"$conf"
	# Root has no CAP_SYS_RESOURCE and a hard open-files limit of 20000 on these
	# machines: podman's default ulimits would fail every container start.
	set_toml_key "$conf" containers default_ulimits '["nofile=20000:20000", "nproc=32768:32768"]'
	# Hybrid cgroup v1/v2 layout: crun refuses it, runc with cgroupfs works.
	set_toml_key "$conf" engine runtime '"runc"'
	set_toml_key "$conf" engine cgroup_manager '"cgroupfs"'
	set_toml_key "$conf" engine events_logger '"file"'
	if [[ "$(cat "$conf")" == "$before" ]]; then
		log "podman settings: $conf already up to date"
	else
		log "podman settings: updated $conf"
	fi
	local runtime
	runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>&1)" ||
		die "podman info failed: $runtime"
	[[ "$runtime" == "runc" ]] || die "podman uses the OCI runtime '$runtime', expected runc (check $conf)"
	log "podman works: $(podman --version), OCI runtime $runtime"
}

# ---------------------------------------------------------------- Debian mirrors

# Prints "URI|SUITES|COMPONENTS" for every enabled deb source of this machine, in both
# the deb822 (*.sources) and the one-line (*.list) formats.
apt_sources() {
	local file
	for file in /etc/apt/sources.list.d/*.sources; do
		awk 'BEGIN { RS = ""; FS = "\n" }
			{
				types = uris = suites = components = ""; enabled = "yes"
				for (i = 1; i <= NF; i++) {
					line = $i
					if (line ~ /^[[:space:]]*#/) continue
					split(line, kv, ":"); field = tolower(kv[1]); sub(/^[^:]*:[[:space:]]*/, "", line)
					if (field == "types") types = line
					else if (field == "uris") uris = line
					else if (field == "suites") suites = line
					else if (field == "components") components = line
					else if (field == "enabled") enabled = tolower(line)
				}
				if (enabled != "no" && types ~ /(^|[[:space:]])deb([[:space:]]|$)/) {
					n = split(uris, u, /[[:space:]]+/)
					for (j = 1; j <= n; j++) if (u[j] != "") print u[j] "|" suites "|" components
				}
			}' "$file"
	done
	for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f "$file" ]] || continue
		sed -E -n 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]*(.*)$/\2|\3|\4/p' "$file"
	done
}

# The Debian archive (and security archive) this machine itself uses: a source for
# its own release with the main component. Third-party repositories may use the same
# suite name, so URIs ending in /debian (/debian-security) win.
detect_mirrors() {
	local codename uri suites components main="" main_fallback="" security="" security_fallback=""
	codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
	while IFS='|' read -r uri suites components; do
		[[ " $components " == *" main "* ]] || continue
		uri="${uri%/}"
		if [[ " $suites " == *" $codename-security "* || (-z "$codename" && "$suites" == *-security*) ]]; then
			[[ "$uri" == */debian-security ]] && : "${security:=$uri}"
			: "${security_fallback:=$uri}"
		elif [[ " $suites " == *" $codename "* || -z "$codename" ]]; then
			[[ "$uri" == */debian ]] && : "${main:=$uri}"
			: "${main_fallback:=$uri}"
		fi
	done < <(apt_sources)
	DEBIAN_MIRROR="${DEBIAN_MIRROR:-${main:-$main_fallback}}"
	DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-${security:-$security_fallback}}"
	[[ -n "$DEBIAN_MIRROR" ]] ||
		die "no Debian mirror for '$codename' in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list (or set DEBIAN_MIRROR)"
	DEBIAN_MIRROR="${DEBIAN_MIRROR%/}" DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR%/}"
	log "Debian mirror from the machine's apt sources: $DEBIAN_MIRROR${DEBIAN_SECURITY_MIRROR:+ (security: $DEBIAN_SECURITY_MIRROR)}"
}

# ---------------------------------------------------------------- base systems

# One debootstrap per suite, cached as a tarball outside the repository. Made "slim"
# like Debian's -slim images: no documentation, manual pages or translations.
ensure_base() {
	local suite="$1" tarball="$CACHE/base/$1.tar" directory started
	if [[ -s "$tarball" && "$REFRESH_BASE" == 0 ]]; then
		return
	fi
	started="$(now)"
	mkdir -p "$CACHE/base"
	directory="$(mktemp -d /var/tmp/eng-containers-base.XXXXXX)"
	BASE_DIRECTORY="$directory"
	chmod 0755 "$directory" # becomes "/" of every image: mktemp's 0700 would lock users out
	log "base $suite: debootstrap --variant=minbase (once per suite, cached in $tarball)"
	if ! debootstrap --variant=minbase --components=main "$suite" "$directory" "$DEBIAN_MIRROR" \
		>"$directory.log" 2>&1; then
		tail -n 20 "$directory.log" >&2
		rm -rf --one-file-system "$directory"
		die "debootstrap of $suite from $DEBIAN_MIRROR failed (full log: $directory.log)"
	fi
	rm -f "$directory.log"
	cat >"$directory/etc/dpkg/dpkg.cfg.d/eng-containers-slim" <<-'EOF'
		# Keep images small, as Debian's -slim images do (copyright files stay).
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/groff/*
		path-exclude /usr/share/lintian/*
		path-exclude /usr/share/linda/*
		path-exclude /usr/share/locale/*
		path-include /usr/share/locale/locale.alias
	EOF
	find "$directory/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
	find "$directory/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$directory"/usr/share/{man,info,groff,lintian,linda}/*
	find "$directory/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf '{}' +
	# Host-specific or build-only leftovers: the container runtime provides these.
	rm -f "$directory"/etc/hostname "$directory"/etc/apt/sources.list
	rm -rf "$directory"/var/cache/apt/archives/*.deb "$directory"/var/lib/apt/lists/*
	: >"$directory/etc/resolv.conf"
	tar -C "$directory" --numeric-owner -cf "$tarball.partial" .
	mv "$tarball.partial" "$tarball"
	rm -rf --one-file-system "$directory"
	BASE_DIRECTORY=""
	log "base $suite: ready in $(elapsed "$started" "$(now)") s"
}

# ---------------------------------------------------------------- image build steps

ROOT=""            # the root file system being built
MOUNTS=()          # what is mounted inside it (unmounted in reverse order)
BASE_DIRECTORY=""  # a debootstrap in progress

cleanup_root() {
	local index
	for ((index = ${#MOUNTS[@]} - 1; index >= 0; index--)); do
		umount "${MOUNTS[index]}" 2>/dev/null || umount -l "${MOUNTS[index]}" 2>/dev/null || :
	done
	MOUNTS=()
	if [[ -n "$ROOT" && -d "$ROOT" ]]; then
		if findmnt -rn -o TARGET | grep "^$ROOT/" >/dev/null; then
			log "WARNING: $ROOT still has mounts; not removing it" >&2
		else
			rm -rf --one-file-system "$ROOT"
		fi
	fi
	ROOT=""
	if [[ -n "$BASE_DIRECTORY" ]]; then rm -rf --one-file-system "$BASE_DIRECTORY"; fi
	BASE_DIRECTORY=""
}
trap cleanup_root EXIT

in_root() { chroot "$ROOT" "$@"; }

# Unpacks the base of SUITE and points apt at the given suites of the machine's mirror
# (plus SUITE-security when the machine has a security mirror and the suite has one).
root_begin() {
	local suite="$1" suites="$2" security="${3:-}"
	ensure_base "$suite"
	ROOT="$(mktemp -d /var/tmp/eng-containers-root.XXXXXX)"
	tar -C "$ROOT" --numeric-owner -xpf "$CACHE/base/$suite.tar"
	chmod 0755 "$ROOT" # the image's "/"; mktemp made it 0700
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$DEBIAN_MIRROR" "$suites"
		if [[ -n "$security" && -n "$DEBIAN_SECURITY_MIRROR" ]]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$DEBIAN_SECURITY_MIRROR" "$security"
		fi
	} >"$ROOT/etc/apt/sources.list.d/debian.sources"
	# Build-time only (removed again in root_finish): the mirror may be a frozen
	# snapshot whose Release files have expired; no service may start in the chroot.
	printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' \
		>"$ROOT/etc/apt/apt.conf.d/00eng-containers-build"
	printf '#!/bin/sh\n# Build time only: services must not start inside the chroot.\nexit 101\n' \
		>"$ROOT/usr/sbin/policy-rc.d"
	chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
	cat /etc/resolv.conf >"$ROOT/etc/resolv.conf"
	mount -t proc proc "$ROOT/proc" && MOUNTS+=("$ROOT/proc")
	# Downloaded packages are kept per suite, so rebuilds download nothing again.
	mkdir -p "$CACHE/apt/$suite/partial"
	mount --bind "$CACHE/apt/$suite" "$ROOT/var/cache/apt/archives" && MOUNTS+=("$ROOT/var/cache/apt/archives")
	in_root apt-get update -q >/dev/null || die "apt-get update failed inside the $suite chroot"
}

root_install() {
	in_root apt-get install -y -q --no-install-recommends "$@" </dev/null >"$ROOT.apt.log" 2>&1 || {
		tail -n 30 "$ROOT.apt.log" >&2
		rm -f "$ROOT.apt.log"
		die "apt-get install $* failed inside the chroot"
	}
	rm -f "$ROOT.apt.log"
}

# "1:11.8.9+ds-0+deb13u1" -> "11.8.9": the upstream version of an installed package.
upstream_version() {
	in_root dpkg-query -W -f='${Version}' "$1" | sed -E 's/^[0-9]+://; s/(\+(ds|dfsg)[^-]*)?-[^-]*$//'
}

require_version() {
	local package="$1" pattern="$2" version
	version="$(upstream_version "$package")"
	[[ "$version" =~ $pattern ]] ||
		die "$package $version does not match the expected version $pattern; update the image reference in provision.sh"
	log "  $package $version"
}

copy_in() { # copy_in SOURCE DESTINATION MODE [OWNER]
	install -D -m "$3" "$1" "$ROOT$2"
	[[ -z "${4:-}" ]] || in_root chown "$4" "$2"
}

# Removes build-only files and everything apt can download again.
root_finish() {
	local index
	for ((index = ${#MOUNTS[@]} - 1; index >= 0; index--)); do umount "${MOUNTS[index]}"; done
	MOUNTS=()
	rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT/etc/apt/apt.conf.d/00eng-containers-build"
	rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/debconf/*-old \
		"$ROOT"/var/log/apt/* "$ROOT"/tmp/* "$ROOT"/var/tmp/*
	: >"$ROOT/var/log/dpkg.log"
	: >"$ROOT/etc/resolv.conf"
}

# Imports the root file system as REF, with Dockerfile-style --change instructions.
root_import() {
	local ref="$1"; shift
	local changes=() change port
	for change; do
		if [[ "$change" == "EXPOSE "* ]]; then
			# podman import takes one port per EXPOSE instruction.
			for port in ${change#EXPOSE }; do changes+=(--change "EXPOSE $port"); done
		else
			changes+=(--change "$change")
		fi
	done
	changes+=(--change "LABEL org.opencontainers.image.description=Local stand-in for $ref built from Debian packages by eng/containers/provision.sh")
	changes+=(--change "LABEL $STAND_IN_LABEL=eng/containers/provision.sh")
	# --xattrs keeps file capabilities (coturn's turnserver may bind ports below 1024).
	tar -C "$ROOT" --numeric-owner --xattrs --xattrs-include='security.capability' -cf - . |
		podman import --quiet "${changes[@]}" - "$ref" >/dev/null || die "podman import of $ref failed"
	cleanup_root
}

# ---------------------------------------------------------------- the images

DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Prosody as the official image has it: tini as PID 1, /entrypoint.sh as root, our
# env-driven config template, Lua 5.4 and all three LuaDBI drivers.
prosody_common() {
	# Without systemd, the package's sysusers file still creates the user (uid/gid from
	# the top of the system range), but nothing applies its tmpfiles: create the
	# directories the package expects, with the official image's owners.
	in_root update-alternatives --set lua-interpreter /usr/bin/lua5.4 >/dev/null
	in_root install -d -o prosody -g prosody -m 0750 /var/lib/prosody
	in_root install -d -o root -g prosody -m 0750 /etc/prosody/certs
	in_root install -d -o prosody -g adm -m 0750 /var/log/prosody
	in_root install -d -o prosody -g prosody -m 0755 /etc/prosody/conf.d /var/run/prosody
	# Debian's examples (0.12 also links localhost.cfg.lua into conf.d): conf.d starts
	# empty, it is the place for the user's extra configuration.
	rm -rf "$ROOT/etc/prosody/conf.avail" "$ROOT"/etc/prosody/conf.d/*
	# One template for both versions: it switches on the Prosody version it runs under.
	copy_in "$HERE/prosody/prosody.cfg.lua" /etc/prosody/prosody.cfg.lua 0644 root:root
	copy_in "$HERE/prosody/entrypoint.sh" /entrypoint.sh 0755 root:root
	log "  prosody user: $(in_root id prosody)"
}

PROSODY_CHANGES=(
	'ENTRYPOINT ["/usr/bin/tini", "--", "/entrypoint.sh"]'
	'CMD ["prosody", "-F"]'
	'EXPOSE 80 443 5222 5269 5347 5280 5281'
	"ENV PATH=$DEFAULT_PATH"
	'ENV __FLUSH_LOG=yes'
)

# The official image's package list (libjs-* serve the web invite pages of community
# modules), except luarocks and the Lua headers: `prosodyctl install` needs the internet.
PROSODY_PACKAGES=(lua5.4 tini ca-certificates dns-root-data lua-unbound lua-sec lua-readline
	lua-dbi-sqlite3 lua-dbi-postgresql lua-dbi-mysql libjs-bootstrap4 libjs-jquery)

build_prosody-13.0() {
	root_begin trixie "trixie trixie-updates trixie-backports" trixie-security
	# 13.0.x comes from trixie-backports (trixie itself has 13.0.1). The package wants
	# systemd's sysusers; the standalone one avoids pulling in systemd.
	root_install prosody/trixie-backports systemd-standalone-sysusers "${PROSODY_PACKAGES[@]}"
	require_version prosody '^13\.0\.'
	prosody_common
	root_finish
	root_import "$PROSODY_13_REF" "${PROSODY_CHANGES[@]}"
}

build_prosody-0.12() {
	root_begin bookworm "bookworm bookworm-updates" bookworm-security
	root_install prosody "${PROSODY_PACKAGES[@]}"
	require_version prosody '^0\.12\.'
	prosody_common
	root_finish
	root_import "$PROSODY_012_REF" "${PROSODY_CHANGES[@]}"
}

# PostgreSQL 18 is only in sid (trixie has 17): a sid base is the one reliable way, as
# sid's postgresql-18 needs sid's libc anyway.
build_postgres() {
	root_begin sid sid
	# The official image's postgres user is 999:999; create it before the package does.
	in_root groupadd --system --gid 999 postgres
	in_root useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql \
		--shell /bin/bash --comment 'PostgreSQL administrator' postgres
	# No cluster at package install time: the entry point runs initdb on first start.
	root_install postgresql-common
	sed -ri 's/^#?\s*(create_main_cluster)\b.*/\1 = false/' "$ROOT/etc/postgresql-common/createcluster.conf"
	root_install postgresql-18 locales
	require_version postgresql-18 '^18\.'
	# Like the official image: en_US.UTF-8 as the default locale of new clusters, and a
	# server that listens on every address.
	in_root localedef -i en_US -c -f UTF-8 en_US.UTF-8
	sed -ri "s/^#?(listen_addresses)\s*=\s*\S+.*/\1 = '*'/" "$ROOT/usr/share/postgresql/18/postgresql.conf.sample"
	grep -q "^listen_addresses = '\*'" "$ROOT/usr/share/postgresql/18/postgresql.conf.sample" ||
		die "could not set listen_addresses in postgresql.conf.sample"
	in_root install -d -o postgres -g postgres -m 0755 /var/lib/postgresql
	# 1777 so that a container started with another --user can still create its data.
	in_root install -d -o postgres -g postgres -m 1777 /var/lib/postgresql/18/docker
	in_root install -d -o postgres -g postgres -m 3775 /var/run/postgresql
	in_root install -d -m 0755 /docker-entrypoint-initdb.d
	copy_in "$HERE/postgres/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh 0755 root:root
	root_finish
	root_import "$POSTGRES_REF" \
		'ENTRYPOINT ["docker-entrypoint.sh"]' \
		'CMD ["postgres"]' \
		'STOPSIGNAL SIGINT' \
		'EXPOSE 5432' \
		'VOLUME /var/lib/postgresql' \
		"ENV PATH=$DEFAULT_PATH:/usr/lib/postgresql/18/bin" \
		'ENV PG_MAJOR=18' \
		'ENV PGDATA=/var/lib/postgresql/18/docker' \
		'ENV LANG=en_US.utf8'
}

build_coturn() {
	root_begin trixie "trixie trixie-updates" trixie-security
	# dig for detect-external-ip; tini (see the ENTRYPOINT below); setcap only at build time.
	root_install coturn ca-certificates bind9-dnsutils tini libcap2-bin
	require_version coturn "^${COTURN_VERSION//./\\.}\$"
	# Like the official image: turnserver may bind ports below 1024 as nobody.
	in_root setcap CAP_NET_BIND_SERVICE=+ep /usr/bin/turnserver
	in_root apt-get purge -y -q --auto-remove libcap2-bin >/dev/null 2>&1
	# No default configuration: everything comes from the command line.
	rm -f "$ROOT/etc/turnserver.conf" "$ROOT/etc/coturn/turnserver.conf"
	in_root install -d -o nobody -g nogroup -m 0755 /var/lib/coturn
	# Debian's turnserver keeps its SQLite DB in /var/lib/turn (prepared by the package
	# for its own turnserver user); the official image uses /var/lib/coturn, the volume.
	rm -rf "$ROOT/var/lib/turn"
	ln -s coturn "$ROOT/var/lib/turn"
	copy_in "$HERE/coturn/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh 0755 root:root
	copy_in "$HERE/coturn/detect-external-ip.sh" /usr/local/bin/detect-external-ip.sh 0755 root:root
	ln -sf detect-external-ip.sh "$ROOT/usr/local/bin/detect-external-ip"
	if in_root turnserver --help 2>&1 | grep -q -- '--prometheus'; then
		log "  turnserver supports --prometheus"
	else
		log "  turnserver has NO --prometheus support (Debian builds it without the Prometheus client)"
	fi
	root_finish
	# tini in front of the official entry point: Debian's turnserver 4.6.1 predates
	# coturn's SIGTERM handler (4.6.2), so as PID 1 it would ignore `podman stop` for
	# 10 s. With tini it stops at once, as the official image (4.6.2+) does.
	root_import "$COTURN_REF" \
		'USER nobody:nogroup' \
		'ENTRYPOINT ["/usr/bin/tini", "--", "docker-entrypoint.sh"]' \
		'CMD ["--log-file=stdout", "--external-ip=$(detect-external-ip)"]' \
		'EXPOSE 3478 3478/udp 5349 5349/udp' \
		'VOLUME /var/lib/coturn' \
		"ENV PATH=$DEFAULT_PATH"
}

build_mariadb() {
	root_begin trixie "trixie trixie-updates" trixie-security
	# The official image's mysql user is 999:999; create it before the package does.
	in_root groupadd --system --gid 999 mysql
	in_root useradd --system --uid 999 --gid mysql --home-dir /nonexistent --shell /bin/false mysql
	root_install mariadb-server mariadb-client
	require_version mariadb-server '^11\.8\.'
	# The package initialised a data directory during installation: the entry point
	# does that on first start, with the requested passwords.
	rm -rf "$ROOT"/var/lib/mysql/* "$ROOT"/var/lib/mysql/.[!.]*
	in_root install -d -o mysql -g mysql -m 0755 /var/lib/mysql
	in_root install -d -o mysql -g mysql -m 1777 /run/mysqld
	in_root install -d -m 0755 /docker-entrypoint-initdb.d
	copy_in "$HERE/mariadb/90-container.cnf" /etc/mysql/mariadb.conf.d/90-container.cnf 0644 root:root
	copy_in "$HERE/mariadb/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh 0755 root:root
	root_finish
	root_import "$MARIADB_REF" \
		'ENTRYPOINT ["docker-entrypoint.sh"]' \
		'CMD ["mariadbd"]' \
		'EXPOSE 3306' \
		'VOLUME /var/lib/mysql' \
		"ENV PATH=$DEFAULT_PATH" \
		'ENV LANG=C.UTF-8'
}

# ejabberd from Debian, run in the foreground as the ejabberd user under tini (-g: a stop
# signal reaches the whole process group, ejabberdctl's shell does not exec erl). The
# configuration (/etc/ejabberd/ejabberd.yml) and certificates are the user's to mount:
# Debian's default configuration and its snakeoil certificate are left as they are.
build_ejabberd() {
	root_begin trixie "trixie trixie-updates" trixie-security
	root_install ejabberd tini ca-certificates
	require_version ejabberd "^${EJABBERD_VERSION//./\\.}\$"
	copy_in "$HERE/ejabberd/entrypoint.sh" /entrypoint.sh 0755 root:root
	root_finish
	root_import "$EJABBERD_REF" \
		'ENTRYPOINT ["/usr/bin/tini", "-g", "--", "/entrypoint.sh"]' \
		'CMD ["foreground"]' \
		'EXPOSE 5222 5269 5280 5443' \
		'VOLUME /var/lib/ejabberd' \
		"ENV PATH=$DEFAULT_PATH"
}

image_ref() {
	case "$1" in
		prosody-13.0) echo "$PROSODY_13_REF" ;;
		prosody-0.12) echo "$PROSODY_012_REF" ;;
		postgres) echo "$POSTGRES_REF" ;;
		coturn) echo "$COTURN_REF" ;;
		mariadb) echo "$MARIADB_REF" ;;
		ejabberd) echo "$EJABBERD_REF" ;;
	esac
}

# Whether REF was built by this script: its label, or (images built before the label
# existed) the description this script has always written.
is_stand_in() {
	local labels
	labels="$(podman image inspect --format '{{json .Labels}}' "$1" 2>/dev/null || :)"
	[[ "$labels" == *"\"$STAND_IN_LABEL\""* || "$labels" == *"built from Debian packages by eng/containers/provision.sh"* ]]
}

# A trivial `podman run --rm` of every image: proves podman can run what was built.
smoke_test() {
	local name ref output
	for name in "${SELECTED[@]}"; do
		ref="$(image_ref "$name")"
		output="$(podman run --rm --pull=never --entrypoint /bin/sh "$ref" -c 'echo ok' 2>&1)" ||
			die "podman run --rm $ref failed: $output"
		[[ "$output" == ok ]] || die "podman run --rm $ref printed '$output'"
	done
	log "podman run --rm works for: ${SELECTED[*]}"
}

main() {
	parse_arguments "$@"
	[[ "$(id -u)" == 0 ]] || die "run as root"
	local started name ref image_started size previous
	started="$(now)"
	install_host_packages
	configure_podman
	detect_mirrors
	if [[ "$PODMAN_ONLY" == 1 ]]; then
		log "podman ready; no image built (--podman-only) ($(elapsed "$started" "$(now)") s)"
		return
	fi
	for name in "${SELECTED[@]}"; do
		ref="$(image_ref "$name")"
		image_started="$(now)"
		if podman image exists "$ref" && ! is_stand_in "$ref"; then
			log "image $ref: present and not built by this script (no $STAND_IN_LABEL label): used as it is, never replaced"
			continue
		fi
		if [[ "$REBUILD" == 0 ]] && podman image exists "$ref"; then
			log "image $ref: present, kept ($(elapsed "$image_started" "$(now)") s)"
			continue
		fi
		log "image $ref: building"
		previous="$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null || :)"
		"build_$name"
		# --rebuild: drop the image the tag pointed to before (unless a container uses it).
		if [[ -n "$previous" && "$previous" != "$(podman image inspect --format '{{.Id}}' "$ref")" ]]; then
			podman rmi "$previous" >/dev/null 2>&1 || log "image $ref: previous image ${previous:0:12} still in use, kept"
		fi
		size="$(podman image inspect --format '{{.Size}}' "$ref" | awk '{ printf "%.0f MB", $1 / 1000000 }')"
		log "image $ref: built in $(elapsed "$image_started" "$(now)") s ($size)"
	done
	if [[ "$SMOKE" == 1 ]]; then smoke_test; fi
	log "total: $(elapsed "$started" "$(now)") s"
}

main "$@"
