/**
 * The hidden markers this product writes into the alert issue and its comments (HTML comments: invisible on GitHub).
 *
 *   issue body:        <!-- schwab-token-rotator:alert token-id="ID" login="ISO" state="expiring" -->
 *   reauth comment:    <!-- schwab-token-rotator:reauth-required token-id="ID" login="ISO" -->
 *   closing comment:   <!-- schwab-token-rotator:closed token-id="ID" login="ISO" -->
 *
 * `token-id` says which token the issue is about (one repository may rotate several tokens); `login` is the
 * `created_at` of the record in use when the text was written (absent when no usable record existed), and `state` the
 * health the issue was opened for. Together they make every transition detectable from what was written once,
 * so the issue is never edited: a newer login than the marker's means the user logged in again; a `reauth-required`
 * comment for the current login means that transition was already announced.
 *
 * Attribute values are percent-encoded outside a safe set, so no token id can close the comment early (`-->`) or
 * break out of the quotes.
 */

export const MARKER_PREFIX = 'schwab-token-rotator';

export type MarkerKind = 'alert' | 'reauth-required' | 'closed';

/** The health an alert issue was opened for. */
export type AlertState = 'expiring' | 'reauth-required';

export interface Marker {
  kind: MarkerKind;
  tokenId: string;
  /** The login (`created_at`) of the record in use when the marker was written; undefined when none existed. */
  login?: Date;
  /** Only on `alert` markers: the health the issue was opened for. */
  state?: AlertState;
}

const SAFE = /[A-Za-z0-9._:/@+=,~-]/;

function encodeValue(value: string): string {
  let out = '';
  for (const char of value) {
    out += SAFE.test(char)
      ? char
      : encodeURIComponent(char).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

function decodeValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Renders a marker as an HTML comment. */
export function formatMarker(marker: Marker): string {
  const attributes = [`token-id="${encodeValue(marker.tokenId)}"`];
  if (marker.login) attributes.push(`login="${marker.login.toISOString()}"`);
  if (marker.kind === 'alert' && marker.state) attributes.push(`state="${marker.state}"`);
  return `<!-- ${MARKER_PREFIX}:${marker.kind} ${attributes.join(' ')} -->`;
}

const MARKER_PATTERN = new RegExp(
  `<!--\\s*${MARKER_PREFIX}:(alert|reauth-required|closed)((?:\\s+[a-z-]+="[^"<>]*")*)\\s*-->`,
  'g',
);
const ATTRIBUTE_PATTERN = /([a-z-]+)="([^"<>]*)"/g;

/** Every well-formed marker in a text (issue body or comment), in order. Malformed ones are skipped. */
export function parseMarkers(text: string | null | undefined): Marker[] {
  if (!text) return [];
  const markers: Marker[] = [];
  for (const match of text.matchAll(MARKER_PATTERN)) {
    const kind = match[1] as MarkerKind;
    const attributes = new Map<string, string>();
    for (const attribute of (match[2] ?? '').matchAll(ATTRIBUTE_PATTERN)) {
      attributes.set(attribute[1] as string, attribute[2] as string);
    }
    const rawId = attributes.get('token-id');
    const tokenId = rawId === undefined ? undefined : decodeValue(rawId);
    if (!tokenId) continue;
    const marker: Marker = { kind, tokenId };
    const login = attributes.get('login');
    if (login !== undefined) {
      const time = Date.parse(login);
      if (Number.isNaN(time)) continue;
      marker.login = new Date(time);
    }
    if (kind === 'alert') {
      const state = attributes.get('state');
      // An alert marker without a known state is treated as the milder one: a later reauth-required run then announces.
      marker.state = state === 'reauth-required' ? 'reauth-required' : 'expiring';
    }
    markers.push(marker);
  }
  return markers;
}

/** The first marker of `kind` about `tokenId` in a text, if any. */
export function findMarker(text: string | null | undefined, kind: MarkerKind, tokenId: string): Marker | undefined {
  return parseMarkers(text).find((m) => m.kind === kind && m.tokenId === tokenId);
}
