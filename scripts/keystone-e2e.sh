#!/usr/bin/env bash
# Glint behind a real Keystone: installs Keystone and the OpenStack clients from Debian's packages when they are
# missing, starts Keystone (uWSGI, a PostgreSQL cluster and Fernet keys of its own under $WORK), registers Glint in the
# catalog as the image service, starts Glint with a glance-api.conf-style [keystone_authtoken] section, and runs a
# real client sequence through it with openstackclient and glanceclient. Prints every command and its output.
#
#   scripts/keystone-e2e.sh            # everything, then stops Keystone and Glint
#   KEEP=1 scripts/keystone-e2e.sh     # leaves both running (ports below) for more experiments
#
# Needs root for apt-get the first time. Ports: Keystone 15000 + random, Glint 19000 + random (override with
# KEYSTONE_PORT / GLINT_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
WORK=${WORK:-$(mktemp -d /tmp/glint-keystone.XXXXXX)}
KEYSTONE_PORT=${KEYSTONE_PORT:-$((15000 + RANDOM % 1000))}
GLINT_PORT=${GLINT_PORT:-$((19000 + RANDOM % 1000))}
KS=http://127.0.0.1:$KEYSTONE_PORT
GL=http://127.0.0.1:$GLINT_PORT
mkdir -p "$WORK"/{fernet-keys,credential-keys,glint,logs}

step() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

missing=()
command -v keystone-manage >/dev/null || missing+=(keystone)
command -v uwsgi >/dev/null || missing+=(uwsgi uwsgi-plugin-python3)
command -v openstack >/dev/null || missing+=(python3-openstackclient)
command -v glance >/dev/null || missing+=(python3-glanceclient)
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing+=(python3-psycopg2)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $PGBIN/initdb ]] || missing+=(postgresql)
if ((${#missing[@]})); then
  step "Installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$WORK/logs/apt.log"
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
PG_PORT=${PG_PORT:-$((16000 + RANDOM % 1000))}

pids=()
as_pg() { if [[ $(id -u) = 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [[ -z ${KEEP:-} ]]; then
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -f $WORK/pg/postmaster.pid ]] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null || true
  else
    echo "Left running: Keystone $KS, Glint $GL (pids ${pids[*]}); files under $WORK"
  fi
}
trap cleanup EXIT

wait_for() { # url what
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "$2 did not answer at $1; see $WORK/logs" >&2
  exit 1
}

step "Keystone: its own PostgreSQL (port $PG_PORT), configuration, Fernet keys, bootstrap ($KS)"
mkdir -p "$WORK/pg" "$WORK/pgsock"
chmod 755 "$WORK"
[[ $(id -u) = 0 ]] && chown postgres "$WORK/pg" "$WORK/pgsock"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -A trust -U postgres --encoding=UTF8 >"$WORK/logs/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pgsock/postgres.log" -w \
  -o "-p $PG_PORT -k $WORK/pgsock -c listen_addresses=127.0.0.1" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres keystone
cat >"$WORK/keystone.conf" <<EOC
[DEFAULT]
log_dir = $WORK/logs
[database]
connection = postgresql://postgres@127.0.0.1:$PG_PORT/keystone
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $WORK/fernet-keys
[credential]
key_repository = $WORK/credential-keys
EOC
ksm() { keystone-manage --config-file "$WORK/keystone.conf" "$@" >>"$WORK/logs/keystone-manage.log" 2>&1; }
ksm db_sync
ksm fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
ksm credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
ksm bootstrap --bootstrap-password admin-secret --bootstrap-admin-url "$KS/v3" \
  --bootstrap-public-url "$KS/v3" --bootstrap-internal-url "$KS/v3" --bootstrap-region-id RegionOne
OS_KEYSTONE_CONFIG_FILES="$WORK/keystone.conf" uwsgi --plugins python3 --http11-socket "127.0.0.1:$KEYSTONE_PORT" --add-header "Connection: Keep-Alive" \
  --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 2 --threads 4 --die-on-term --lazy-apps \
  --env "OS_KEYSTONE_CONFIG_FILES=$WORK/keystone.conf" >"$WORK/logs/uwsgi.log" 2>&1 &
pids+=($!)
wait_for "$KS/v3" Keystone

admin_env=(env OS_AUTH_URL="$KS/v3" OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin OS_PASSWORD=admin-secret
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne)
ost() { "${admin_env[@]}" openstack "$@"; }
for _ in $(seq 1 30); do  # ready when it issues a token, not merely when it answers
  ost token issue -f value -c id >/dev/null 2>&1 && break
  sleep 1
done

step "Keystone: the service project, Glint's service user, two tenants, the image service in the catalog"
ost project create --domain default service -f value -c id >/dev/null
ost user create --domain default --password glint-secret glint -f value -c id >/dev/null
ost role add --project service --user glint admin
ost role create member -f value -c id >/dev/null 2>&1 || true
ost role create service -f value -c id >/dev/null 2>&1 || true
ost role add --project service --user glint service
for t in demo other; do
  ost project create --domain default "$t" -f value -c id >/dev/null
  ost user create --domain default --password "$t-secret" "$t" -f value -c id >/dev/null
  ost role add --project "$t" --user "$t" member
  ost role add --project "$t" --user "$t" reader 2>/dev/null || true
done
ost service create --name glint --description "Glint image service" image -f value -c id >/dev/null
for iface in public internal admin; do
  ost endpoint create --region RegionOne image "$iface" "$GL" -f value -c id >/dev/null
done
other_project=$(ost project show other -f value -c id)
run ost endpoint list --service image

step "Glint: [keystone_authtoken] as in glance-api.conf ($GL)"
cat >"$WORK/glint/glint.conf" <<EOC
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $GLINT_PORT
[paste_deploy]
flavor = keystone
[keystone_authtoken]
www_authenticate_uri = $KS
auth_url = $KS
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = glint
password = glint-secret
region_name = RegionOne
EOC
jar=target/glint.jar
if [[ ! -f $jar ]] || [[ -n $(find pom.xml src -newer "$jar" -print -quit) ]]; then
  mvn -B -q -DskipTests package >"$WORK/logs/build.log" 2>&1
fi
# shellcheck disable=SC2046  # a list of JVM options
(cd "$WORK/glint" && exec java $("$root/scripts/jvm-options") -jar "$root/$jar" --config-file glint.conf) \
  >"$WORK/logs/glint.log" 2>&1 &
pids+=($!)
wait_for "$GL/versions" Glint

demo_env=(env OS_AUTH_URL="$KS/v3" OS_IDENTITY_API_VERSION=3 OS_USERNAME=demo OS_PASSWORD=demo-secret
  OS_PROJECT_NAME=demo OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne
  OS_IMAGE_API_VERSION=2)
other_env=(env OS_AUTH_URL="$KS/v3" OS_IDENTITY_API_VERSION=3 OS_USERNAME=other OS_PASSWORD=other-secret
  OS_PROJECT_NAME=other OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne
  OS_IMAGE_API_VERSION=2)
demo() { printf '$ openstack %s\n' "$*"; "${demo_env[@]}" openstack "$@"; }
other() { printf '$ [other] openstack %s\n' "$*"; "${other_env[@]}" openstack "$@"; }

step "The client sequence, as the demo tenant"
head -c 3145728 /dev/urandom >"$WORK/cirros.img"
demo image create --disk-format qcow2 --container-format bare --file "$WORK/cirros.img" --private demo-image \
  -f value -c id -c status -c checksum
id=$("${demo_env[@]}" openstack image show demo-image -f value -c id)
demo image list
demo image show demo-image -c name -c status -c size -c visibility -c owner
demo image save --file "$WORK/saved.img" demo-image
run cmp "$WORK/cirros.img" "$WORK/saved.img" && echo "downloaded bytes equal the uploaded ones"
demo image set --property os_distro=cirros --property hw_disk_bus=virtio demo-image
demo image show demo-image -c properties
demo image set --shared demo-image
demo image add project demo-image "$other_project"
demo image member list demo-image
other image set --accept "$id"
other image member list "$id"
other image show "$id" -c name -c status
step "The same through glanceclient"
printf '$ glance image-show %s\n' "$id"; "${demo_env[@]}" glance image-show "$id" | grep -E "^\| (name|status|os_distro) "
printf '$ glance member-list --image-id %s\n' "$id"; "${demo_env[@]}" glance member-list --image-id "$id"
demo image delete demo-image
printf '$ openstack image list (after delete)\n'; "${demo_env[@]}" openstack image list -f value

step "Without a token, forged identity headers get 401"
run curl -s -o /dev/null -w '%{http_code} %header{www-authenticate}\n' -H 'X-Identity-Status: Confirmed' \
  -H 'X-Roles: admin' -H 'X-Project-Id: demo' "$GL/v2/images"
run curl -s -o /dev/null -w '%{http_code}\n' -H 'X-Auth-Token: not-a-token' "$GL/v2/images"
echo
echo "keystone-e2e: all steps passed"
