#!/usr/bin/env bash
# Builds the images the real node runs, from Debian's packages, Go builds and this repository, with no registry:
#   guide.local/nginx:bookworm   Debian's nginx, laid out like the official image (conf.d/default.conf serving
#                                /usr/share/nginx/html on 80, no sites-enabled/default, temp files under
#                                /var/cache/nginx, errors to stderr, accesses to stdout); its nginx has stub_status
#   guide.local/nginx:next       the same image under a second name (and a label): a new image to roll out
#   guide.local/curl:bookworm    the same root filesystem: sh, curl and nslookup (the guide's curl client)
#   guide.local/pause:1          e2e/pause, the pod sandbox
#   guide.local/coredns:1        CoreDNS (e2e/build.sh node), the cluster DNS the node runs as pods in kube-system
#   guide.local/metrics-server:0.8.0   metrics-server (e2e/build.sh metrics), the resource metrics API of the HPA
#   guide.local/nginx-prometheus-exporter:1.4.0   the exporter (e2e/build.sh metrics), the preset's metrics sidecar
# into one OCI archive for `ctr images import`, cached by this script, the pause sources, the binaries' builds and
# the Debian suite. Prints `images=<archive>` on stdout. Needs mmdebstrap (Debian package), run as root.
#   e2e/images.sh <coredns binary> <metrics-server binary> <nginx-prometheus-exporter binary>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GUIDE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guide-as-code/e2e}
suite=bookworm
packages=nginx-light,curl,bind9-dnsutils
usage="usage: e2e/images.sh <coredns binary> <metrics-server binary> <nginx-prometheus-exporter binary>"
coredns=${1:?$usage}
metrics_server=${2:?$usage}
exporter=${3:?$usage}
for binary in "$coredns" "$metrics_server" "$exporter"; do
  [ -x "$binary" ] || { echo "e2e/images.sh: $binary is not an executable: build it with e2e/build.sh node and metrics" >&2; exit 1; }
done
# Each build's folder is named by the hash of its wrapper module: a new binary makes a new archive.
key=$( { cat "${BASH_SOURCE[0]}" "$here/pause/main.go" "$here/pause/go.mod"; echo "$suite $packages $coredns $metrics_server $exporter"; } | sha256sum | cut -c1-16)
out=$cache/images-$key
archive=$out/images.oci.tar
# One build at a time (e2e/build.sh images and e2e/node.sh may run side by side): a second run waits, then reuses it.
mkdir -p "$cache"
exec 9>"$cache/.lock-images"
flock 9
if [ -f "$out/.complete" ]; then echo "images=$archive"; exit 0; fi
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
work=$out.tmp

started=$SECONDS
echo "building the root filesystem ($suite: $packages) with mmdebstrap" >&2
# The customize hook makes Debian's nginx match what the guide's default.conf and the official image expect.
# shellcheck disable=SC2016 # "$1" in the hooks is the root filesystem, which mmdebstrap passes when it runs them
mmdebstrap --quiet --variant=essential --include="$packages" \
  --customize-hook='rm -f "$1/etc/nginx/sites-enabled/default"' \
  --customize-hook='sed -i -e "s|^error_log .*|error_log stderr;|" -e "s|^\(\s*\)access_log .*|\1access_log /dev/stdout;|" \
      -e "s|^http {|http {\n\tclient_body_temp_path /var/cache/nginx/client_temp;\n\tproxy_temp_path /var/cache/nginx/proxy_temp;\n\tfastcgi_temp_path /var/cache/nginx/fastcgi_temp;\n\tuwsgi_temp_path /var/cache/nginx/uwsgi_temp;\n\tscgi_temp_path /var/cache/nginx/scgi_temp;|" \
      "$1/etc/nginx/nginx.conf"' \
  --customize-hook='mkdir -p "$1/var/cache/nginx" && echo "nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin" >> "$1/etc/passwd" && echo "nginx:x:101:" >> "$1/etc/group"' \
  --customize-hook='ln -sf /dev/stderr "$1/var/log/nginx/error.log"' \
  --customize-hook='printf "%s\n" "server {" "    listen 80;" "    listen [::]:80;" "    server_name localhost;" \
      "    location / {" "        root /usr/share/nginx/html;" "        index index.html index.htm;" "    }" "}" \
      > "$1/etc/nginx/conf.d/default.conf"' \
  --customize-hook='rm -rf "$1/var/cache/apt" "$1/var/lib/apt/lists" && mkdir -p "$1/var/cache/apt" "$1/var/lib/apt/lists"' \
  "$suite" "$work/rootfs.tar" http://deb.debian.org/debian >&2

echo "building the pause program" >&2
mkdir -p "$work/pause-root"
(cd "$here/pause" && CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath -ldflags "-s -w" -o "$work/pause-root/pause" .)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/pause-root" -cf "$work/pause.tar" pause
# A layer of one static binary at the root: `binary_layer <name> <path>` makes $work/<name>.tar.
binary_layer() {
  mkdir -p "$work/$1-root"
  cp "$2" "$work/$1-root/$1"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/$1-root" -cf "$work/$1.tar" "$1"
  rm -rf "$work/$1-root"
}
binary_layer coredns "$coredns"
binary_layer metrics-server "$metrics_server"
binary_layer nginx-prometheus-exporter "$exporter"

node - "$work" <<'JS'
// An OCI image layout with the three images, each a manifest named by `io.containerd.image.name`.
const fs = require('fs');
const crypto = require('crypto');
const path = require('path');
const [work] = process.argv.slice(2);
const layout = path.join(work, 'layout');
const blobs = path.join(layout, 'blobs', 'sha256');
fs.mkdirSync(blobs, { recursive: true });
const blobFromFile = (file) => {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n;
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  fs.closeSync(fd);
  const digest = hash.digest('hex');
  fs.renameSync(file, path.join(blobs, digest));
  return { digest: `sha256:${digest}`, size: fs.statSync(path.join(blobs, digest)).size };
};
const blobFromJson = (value) => {
  const text = Buffer.from(JSON.stringify(value));
  const digest = crypto.createHash('sha256').update(text).digest('hex');
  fs.writeFileSync(path.join(blobs, digest), text);
  return { digest: `sha256:${digest}`, size: text.length };
};
const layers = Object.fromEntries(['rootfs', 'pause', 'coredns', 'metrics-server', 'nginx-prometheus-exporter']
  .map((name) => [name, blobFromFile(path.join(work, `${name}.tar`))]));
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const image = (name, layer, config) => {
  const cfg = blobFromJson({
    architecture: 'amd64', os: 'linux', config: { Env: [PATH], ...config },
    rootfs: { type: 'layers', diff_ids: [layer.digest] }, history: [{ created_by: 'guide-as-code e2e/images.sh' }],
  });
  const manifest = blobFromJson({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  });
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
    platform: { architecture: 'amd64', os: 'linux' }, annotations: { 'io.containerd.image.name': name } };
};
const nginx = { Cmd: ['nginx', '-g', 'daemon off;'], ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGQUIT' };
const manifests = [
  image('guide.local/nginx:bookworm', layers.rootfs, nginx),
  // The same nginx under a second name: "a new image" for a rollout, without building another.
  image('guide.local/nginx:next', layers.rootfs, { ...nginx, Labels: { 'guide.local/release': 'next' } }),
  image('guide.local/curl:bookworm', layers.rootfs, { Cmd: ['sh'] }),
  image('guide.local/pause:1', layers.pause, { Entrypoint: ['/pause'] }),
  image('guide.local/coredns:1', layers.coredns, { Entrypoint: ['/coredns'], ExposedPorts: { '53/udp': {}, '53/tcp': {} } }),
  image('guide.local/metrics-server:0.8.0', layers['metrics-server'], { Entrypoint: ['/metrics-server'], ExposedPorts: { '10250/tcp': {} } }),
  // As the official image runs it: the binary as the entrypoint, its flags as the container's args.
  image('guide.local/nginx-prometheus-exporter:1.4.0', layers['nginx-prometheus-exporter'],
    { Entrypoint: ['/nginx-prometheus-exporter'], ExposedPorts: { '9113/tcp': {} } }),
];
fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
JS
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/layout" -cf "$work/images.oci.tar" .
rm -rf "$work/layout" "$work/pause-root"
touch "$work/.complete"
echo "e2e/images.sh: built the images in $((SECONDS - started)) s" >&2
rm -rf "$out"; mv "$work" "$out"
find "$cache" -maxdepth 1 -name 'images-*' ! -name "$(basename "$out")" -exec rm -rf {} +
echo "images=$archive"
