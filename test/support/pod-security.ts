// The Pod Security Standard "restricted" (latest), as rules that read a pod spec, so tests check the objects the
// constructs make rather than restate their constants.
// https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
import { Manifest, podTemplatesOf } from './helpers';

export type Rule = (pod: Manifest) => string | undefined;

const containersOf = (pod: Manifest): Manifest[] => [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
const failing = (pod: Manifest, bad: (c: Manifest) => boolean, what: string) => {
  const names = containersOf(pod).filter(bad).map((c) => c.name);
  return names.length > 0 ? `${what}: ${names.join(', ')}` : undefined;
};

const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Each rule returns what violates it, or undefined. */
export const RESTRICTED: Record<string, Rule> = {
  'host namespaces (hostNetwork, hostPID, hostIPC) unset': (pod) =>
    (pod.hostNetwork || pod.hostPID || pod.hostIPC ? 'a host namespace is shared' : undefined),
  'no privileged containers': (pod) => failing(pod, (c) => c.securityContext?.privileged === true, 'privileged'),
  'no host ports': (pod) => failing(pod, (c) => (c.ports ?? []).some((p: Manifest) => p.hostPort), 'hostPort set'),
  'only the restricted volume types': (pod) => {
    const bad = (pod.volumes ?? []).filter((v: Manifest) => !Object.keys(v).some((k) => ALLOWED_VOLUMES.includes(k)));
    return bad.length > 0 ? `volume types not allowed: ${bad.map((v: Manifest) => v.name).join(', ')}` : undefined;
  },
  'allowPrivilegeEscalation false': (pod) =>
    failing(pod, (c) => c.securityContext?.allowPrivilegeEscalation !== false, 'allowPrivilegeEscalation != false'),
  'runAsNonRoot true': (pod) => failing(pod,
    (c) => (c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true, 'runAsNonRoot != true'),
  'runAsUser not 0': (pod) => (pod.securityContext?.runAsUser === 0 ? 'pod runAsUser 0'
    : failing(pod, (c) => c.securityContext?.runAsUser === 0, 'runAsUser 0')),
  'seccomp RuntimeDefault or Localhost': (pod) => failing(pod, (c) => {
    const type = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
    return type !== 'RuntimeDefault' && type !== 'Localhost';
  }, 'seccompProfile not RuntimeDefault or Localhost'),
  'capabilities: drop ALL, add at most NET_BIND_SERVICE': (pod) => failing(pod, (c) => {
    const caps = c.securityContext?.capabilities ?? {};
    return !(caps.drop ?? []).includes('ALL') || (caps.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE');
  }, 'capabilities not dropped, or added'),
  // Beyond the standard: none of these pods calls the API, so none carries a service-account token.
  'no service-account token (the project\'s own rule)': (pod) =>
    (pod.automountServiceAccountToken !== false ? 'automountServiceAccountToken is not false' : undefined),
};

/** The pod specs of a list of objects, by `<kind>/<name>`. */
export function podsOf(objects: Manifest[]): [string, Manifest][] {
  return podTemplatesOf(objects).map(([id, template]) => [id, template.spec]);
}

/** Every violation of the restricted rules in a pod spec. */
export function restrictedViolations(pod: Manifest): string[] {
  return Object.entries(RESTRICTED).map(([rule, check]) => check(pod) && `${rule}: ${check(pod)}`).filter((v): v is string => !!v);
}
