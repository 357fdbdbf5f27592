#!/usr/bin/env bash
# `make run`: a private demo under var/ — PostgreSQL cluster, configuration,
# certificate, company "Démo SARL", an administrator, and comptoird on
# 127.0.0.1:7410. A second run reuses all of it and restarts the daemon on the
# fresh build. Stop with `make stop`.
set -eu

build=${1:?usage: run-local.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
var=$top/var
mkdir -p "$var"

# The cluster must live where the postgres user can reach it; when the tree
# sits in a folder closed to it (e.g. under /root), keep it in /var/lib.
pgdir=$var/pg
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$var" 2>/dev/null; then
	key=$(printf '%s' "$top" | sha256sum | cut -c1-12)
	pgdir=/var/lib/comptoir-dev/$key
	mkdir -p "$pgdir"
	chmod 755 /var/lib/comptoir-dev
	ln -sfn "$pgdir" "$var/pg"
fi
conn=$("$top/packaging/pgcluster.sh" start "$pgdir")

conf=$var/comptoird.conf
if [ ! -f "$conf" ]; then
	cat >"$conf" <<CONF
# Written by make run. See packaging/comptoird.conf.example for every key.
[server]
listen = 127.0.0.1
port = 7410
certificate = server.crt
private_key = server.key
name = Comptoir (démo)

[database]
conninfo = $conn dbname=comptoir user=comptoir
admin_conninfo = $conn dbname=comptoir user=postgres
pool_size = 4

[backup]
directory = backups
keep = 7
CONF
fi

"$top/$build/comptoirctl" -c "$conf" init --company "Démo SARL" --company-code DEMO

pidfile=$var/comptoird.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	kill -TERM "$(cat "$pidfile")"
	while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.1; done
fi
nohup "$top/$build/comptoird" -c "$conf" >>"$var/comptoird.log" 2>&1 &
echo $! >"$pidfile"

i=0
until (exec 3<>/dev/tcp/127.0.0.1/7410) 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "comptoird did not start; see var/comptoird.log:" >&2
		tail -20 "$var/comptoird.log" >&2
		exit 1
	fi
	sleep 0.1
done

echo
echo "Comptoir tourne sur 127.0.0.1:7410 (journal : var/comptoird.log, arrêt : make stop)."
echo "Mot de passe oublié : $build/comptoirctl -c var/comptoird.conf user passwd admin"
if [ -x "$top/$build/comptoir" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	exec "$top/$build/comptoir"
elif [ ! -x "$top/$build/comptoir" ]; then
	echo "Le poste client graphique (comptoir) n'est pas encore construit dans cette version."
else
	echo "Pas d'affichage : lancez « $build/comptoir » depuis un bureau."
fi
