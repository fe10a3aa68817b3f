// Reaching the real nodes' addresses. Pod, Service, node-port and load-balancer addresses exist only inside the nodes'
// network namespaces (e2e/node.sh); dialed from the machine's own namespace they would go out to the real network,
// so every dial checks first that it runs inside one of them, and refuses otherwise. This process runs in node 1's.
import { spawnSync } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keysInScratch, synthInScratch } from '../e2e/scratch';

/** The control plane's address (the API server), on the bridge that joins the nodes. */
export const CONTROL_PLANE_IP = '10.200.0.1';
/** A pod address: node N's pods are in 10.244.N.0/24. */
export const POD_IP = /^10\.244\.[1-9]\.\d+$/;

export interface ClusterNode {
  readonly name: string;
  readonly ip: string;
  /** Its network namespace file, under /run/netns. */
  readonly netns: string;
}

/** The run's nodes, in order (node 1 first: this process's namespace). */
export function clusterNodes(): ClusterNode[] {
  const list = (name: string) => (process.env[name] ?? '').split(' ').filter(Boolean);
  const names = list('GUIDE_E2E_NODE_NAMES');
  const ips = list('GUIDE_E2E_NODE_IPS');
  const files = list('GUIDE_E2E_NODE_NETNSES');
  if (names.length === 0 || ips.length !== names.length || files.length !== names.length) {
    throw new Error('GUIDE_E2E_NODE_NAMES, _IPS and _NETNSES are not set: run this suite with `e2e/node.sh run` (npm run e2e)');
  }
  return names.map((name, i) => ({ name, ip: ips[i], netns: files[i] }));
}

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

/**
 * A command run in `node`'s network namespace (one of this run's, never the machine's): curl from the other node,
 * or the load generator.
 */
export function inNodeArgs(node: ClusterNode, command: string[]): string[] {
  assertInsideNode();
  if (!clusterNodes().some((n) => n.netns === node.netns)) throw new Error(`${node.netns} is not a namespace of this run`);
  return [`--net=${node.netns}`, '--', ...command];
}

/** curl from `node`'s network namespace. */
export function curlFrom(node: ClusterNode, args: string[]): Answer {
  const r = spawnSync('nsenter', inNodeArgs(node, ['curl', '--silent', '--show-error', '--max-time', '5', ...args]), { encoding: 'utf8' });
  return { status: r.status, body: r.stdout, stderr: r.stderr };
}

/** The client outside the nodes (e2e/node.sh's client namespace): its one route goes to the load-balancer range. */
export function clientNetns(): string {
  const file = process.env.GUIDE_E2E_CLIENT_NETNS;
  if (!file) throw new Error('GUIDE_E2E_CLIENT_NETNS is not set: run this suite with `e2e/node.sh run` (npm run e2e)');
  return file;
}

/** curl from the client outside the nodes, through the load-balancer route. */
export function curlFromClient(args: string[]): Answer {
  assertInsideNode();
  const r = spawnSync('nsenter', [`--net=${clientNetns()}`, '--', 'curl', '--silent', '--show-error', '--max-time', '5', ...args],
    { encoding: 'utf8' });
  return { status: r.status, body: r.stdout, stderr: r.stderr };
}

/** Whether `ip` is one of the addresses kube-router's allocator hands out (GUIDE_E2E_LOADBALANCER_CIDR, a /24 or longer). */
export function inLoadBalancerRange(ip: string): boolean {
  const cidr = process.env.GUIDE_E2E_LOADBALANCER_CIDR;
  if (!cidr) throw new Error('GUIDE_E2E_LOADBALANCER_CIDR is not set: run this suite with `e2e/node.sh run` (npm run e2e)');
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

export const WELCOME = '<title>Welcome to nginx!</title>';
export const NGINX_IMAGE = 'guide.local/nginx:bookworm';
export const CURL_IMAGE = 'guide.local/curl:bookworm';

/**
 * The app synthesized as `npm run synth` would, with these settings over the Debian-built images, into a folder of
 * its own (test/e2e/scratch.ts): the path of a file in it.
 */
export function synthesize(settings: Record<string, string>): (file: string) => string {
  const out = synthInScratch({ GUIDE_NGINX_IMAGE: NGINX_IMAGE, GUIDE_CURL_IMAGE: CURL_IMAGE, ...settings });
  return (file) => join(out, file);
}

/** A new certificate and key from `npm run keys -- <options>` (e.g. --namespace ns), in a folder of its own. */
export const newKeys = keysInScratch;
