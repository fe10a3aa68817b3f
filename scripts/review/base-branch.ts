// The branch a change goes into, for `npm run diff` to compare with: a pull request's base (GITHUB_BASE_REF, as a CI
// checkout fetches it), else main, else origin/main (a clone that never checked main out has only that).
import { spawnSync } from 'node:child_process';

/** The base branch the repository at `dir` has, or what to do when it has none. */
export function baseBranch(dir: string, env: Readonly<Record<string, string | undefined>>): { found: string } | { found?: undefined; problem: string } {
  const pr = env.GITHUB_BASE_REF;
  const candidates = [...(pr ? [`origin/${pr}`, pr] : []), 'main', 'origin/main'];
  const found = candidates.find((c) => spawnSync('git', ['rev-parse', '--verify', '--quiet', `${c}^{commit}`], { cwd: dir }).status === 0);
  if (found !== undefined) return { found };
  return {
    problem: `found no base branch to compare with (tried ${candidates.join(', ')}): pass the ref, e.g. npm run diff -- origin/develop, `
      + 'or fetch one (git fetch origin main)',
  };
}
