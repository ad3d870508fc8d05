/**
 * Which proxy a request goes through, from the environment a GitHub runner (or a shell) gives: the same rules as
 * @actions/http-client, so the action behaves like every other action on a self-hosted runner behind a proxy.
 *
 * - `https:` URLs use `https_proxy` / `HTTPS_PROXY`; `http:` URLs use `http_proxy` / `HTTP_PROXY` (lower case first).
 * - A proxy without a scheme is `http://`.
 * - Loopback hosts (`localhost`, `127.*`, `[::1]`) never go through a proxy.
 * - `no_proxy` / `NO_PROXY`: comma-separated; `*` bypasses everything; an entry matches the host, `host:port`, or
 *   any subdomain (`example.com` and `.example.com` both match `api.example.com`); case-insensitive.
 */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export function proxyFor(target: URL, env: ProxyEnv = process.env): URL | undefined {
  if (!target.hostname || bypassesProxy(target, env)) return undefined;
  const value = target.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY;
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through: a bare host:port
  }
  try {
    return new URL(`http://${value}`);
  } catch {
    return undefined;
  }
}

/** True when the environment names a proxy at all (whatever NO_PROXY then exempts). */
export function hasProxySettings(env: ProxyEnv = process.env): boolean {
  return !!(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY);
}

/** True when `target` must be reached directly: a loopback host, or a NO_PROXY match. */
export function bypassesProxy(target: URL, env: ProxyEnv = process.env): boolean {
  const host = target.hostname.toUpperCase();
  if (isLoopback(host)) return true;
  const noProxy = env.no_proxy || env.NO_PROXY || '';
  if (!noProxy) return false;
  const port = target.port || (target.protocol === 'http:' ? '80' : target.protocol === 'https:' ? '443' : '');
  const candidates = port ? [host, `${host}:${port}`] : [host];
  return noProxy
    .split(',')
    .map((entry) => entry.trim().toUpperCase())
    .filter(Boolean)
    .some(
      (entry) =>
        entry === '*' ||
        candidates.some(
          (candidate) =>
            candidate === entry ||
            candidate.endsWith(`.${entry}`) ||
            (entry.startsWith('.') && candidate.endsWith(entry)),
        ),
    );
}

function isLoopback(upperHost: string): boolean {
  return (
    upperHost === 'LOCALHOST' ||
    upperHost.startsWith('127.') ||
    upperHost.startsWith('[::1]') ||
    upperHost.startsWith('[0:0:0:0:0:0:0:1]')
  );
}

/** `user:password@` of a proxy URL as a Proxy-Authorization header value, or undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** The proxy as it may be shown in a message: scheme, host and port, never its credentials. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
