// kubectl against the e2e control plane (KUBECONFIG from e2e/cluster.sh): every call goes to 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function kubeconfigPath(): string {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error('KUBECONFIG is not set: run the e2e suite with `npm run e2e`, which starts the cluster');
  return path;
}

/** The API server's URL from the kubeconfig; the suite refuses to run against anything but loopback. */
export function apiServer(): URL {
  const config = parse(readFileSync(kubeconfigPath(), 'utf8')) as { clusters: { cluster: { server: string } }[] };
  return new URL(config.clusters[0].cluster.server);
}

/**
 * `kubectl exec` over SPDY, not WebSockets: kubectl 1.32's WebSocket client can drop a stdout frame that arrives before
 * it has set up that stream, logging `websocket.go:296] Unknown stream id 1, discarding message` (seen once in CI, on
 * the curl client's exec), so a command's output and stderr would not be its own.
 */
const EXEC_OVER_SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };

export function kubectl(args: string[], input?: string): KubectlResult {
  return kubectlWith(kubeconfigPath(), args, input);
}

/** kubectl against the API server of `kubeconfig`: the API-server matrix has one per minor. */
export function kubectlWith(kubeconfig: string, args: string[], input?: string): KubectlResult {
  const result = spawnSync('kubectl', args, {
    input, encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig, ...EXEC_OVER_SPDY }, timeout: 120_000,
  });
  // kubectl 1.32 warns about the skew to a newer server and about deprecated Endpoints on every call.
  const stderr = result.stderr.split('\n').filter((l) => !/^WARNING: version difference|^Warning: v1 Endpoints is deprecated/.test(l)).join('\n');
  return { status: result.status, stdout: result.stdout, stderr };
}

/** An address of 10.201.0.64/26, the range e2e/cluster.sh gives kube-router's load-balancer allocator. */
export const LOADBALANCER_ADDRESS = /^10\.201\.0\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])$/;

/** Runs kubectl and returns its output, or throws with what it printed. */
export function ok(args: string[], input?: string): string {
  const r = kubectl(args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getJson(args: string[]): any {
  return JSON.parse(ok(['get', ...args, '-o', 'json']));
}

/** Polls `check` until it returns a value that is not undefined, or fails with the last value seen. */
export async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
