#!/usr/bin/env bash
# Builds the images the real node runs, from Debian's packages and this repository, with no registry:
#   guide.local/nginx:bookworm   Debian's nginx, laid out like the official image (conf.d/default.conf serving
#                                /usr/share/nginx/html on 80, no sites-enabled/default, temp files under
#                                /var/cache/nginx, errors to stderr, accesses to stdout)
#   guide.local/nginx:next       the same image under a second name (and a label): a new image to roll out
#   guide.local/curl:bookworm    the same root filesystem: sh, curl and nslookup (the guide's curl client)
#   guide.local/pause:1          e2e/pause, the pod sandbox
#   guide.local/coredns:1        the CoreDNS binary e2e/build.sh built (its path is the first argument), the cluster
#                                DNS the node runs as pods in kube-system, as real clusters run it
# into one OCI archive for `ctr images import`, cached by this script, the pause sources, the CoreDNS build and the
# Debian suite. Prints `images=<archive>` on stdout. Needs mmdebstrap (Debian package), run as root.
#   e2e/images.sh <path of the coredns binary>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GUIDE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guide-as-code/e2e}
suite=bookworm
packages=nginx-light,curl,bind9-dnsutils
coredns=${1:?usage: e2e/images.sh <path of the coredns binary>}
# The CoreDNS build's folder is named by the hash of its wrapper module: a new CoreDNS makes a new archive.
key=$( { cat "${BASH_SOURCE[0]}" "$here/pause/main.go" "$here/pause/go.mod"; echo "$suite $packages $coredns"; } | sha256sum | cut -c1-16)
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
mkdir -p "$work/coredns-root"
cp "$coredns" "$work/coredns-root/coredns"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/coredns-root" -cf "$work/coredns.tar" coredns

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
const layers = {
  rootfs: blobFromFile(path.join(work, 'rootfs.tar')), pause: blobFromFile(path.join(work, 'pause.tar')),
  coredns: blobFromFile(path.join(work, 'coredns.tar')),
};
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
];
fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
JS
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/layout" -cf "$work/images.oci.tar" .
rm -rf "$work/layout" "$work/pause-root" "$work/pause.tar" "$work/coredns-root" "$work/coredns.tar"
touch "$work/.complete"
echo "e2e/images.sh: built the images in $((SECONDS - started)) s" >&2
rm -rf "$out"; mv "$work" "$out"
find "$cache" -maxdepth 1 -name 'images-*' ! -name "$(basename "$out")" -exec rm -rf {} +
echo "images=$archive"
