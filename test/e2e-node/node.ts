// Reaching the real node's addresses. Pod, Service, node-port and load-balancer addresses exist only inside the node's
// network namespace (e2e/node.sh); dialed from the machine's own namespace they would go out to the real network,
// so every dial checks first that this process is inside that namespace, and refuses otherwise.
import { spawnSync } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';

/** The node's network namespace file, from e2e/node.sh. */
export function nodeNetns(): string {
  const file = process.env.GUIDE_E2E_NODE_NETNS;
  if (!file) throw new Error('GUIDE_E2E_NODE_NETNS is not set: run this suite with `e2e/node.sh run` (npm run e2e)');
  return file;
}

/** Throws unless this process is in the node's network namespace. */
export function assertInsideNode(): void {
  const mine = readlinkSync('/proc/self/ns/net');
  const node = `net:[${statSync(nodeNetns()).ino}]`;
  if (mine !== node) {
    throw new Error(`refusing to dial from network namespace ${mine}: the node's addresses exist only in ${node} `
      + `(${nodeNetns()}); from here the traffic would go to the real network`);
  }
}

export interface Answer {
  readonly status: number | null;
  readonly body: string;
  readonly stderr: string;
}

/** curl, from inside the node's namespace only. */
export function curl(args: string[]): Answer {
  assertInsideNode();
  const r = spawnSync('curl', ['--silent', '--show-error', '--max-time', '5', ...args], { encoding: 'utf8' });
  return { status: r.status, body: r.stdout, stderr: r.stderr };
}

export const WELCOME = '<title>Welcome to nginx!</title>';
export const NGINX_IMAGE = 'guide.local/nginx:bookworm';
export const CURL_IMAGE = 'guide.local/curl:bookworm';
