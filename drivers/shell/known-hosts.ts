/**
 * known_hosts lookup (OpenSSH format): plain, comma-separated, `[host]:port`
 * and hashed (`|1|salt|hmac`) host fields; @revoked lines; comments.
 */
import { createHmac } from 'node:crypto';

export interface KnownKey {
  type: string;
  /** The raw public key blob. */
  blob: Buffer;
  revoked: boolean;
}

function hostMatches(field: string, name: string): boolean {
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('|1|')) {
      const [, , salt, hash] = pattern.split('|');
      if (!salt || !hash) continue;
      const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
      if (mac === hash) return true;
    } else if (pattern === name) {
      return true;
    }
  }
  return false;
}

/** Keys listed for `host` (on `port`), as OpenSSH would look them up. */
export function keysFor(knownHosts: string, host: string, port = 22): KnownKey[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: KnownKey[] = [];
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const revoked = fields[0] === '@revoked';
    if (fields[0]?.startsWith('@')) fields.shift();
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64) continue;
    if (!hostMatches(hosts, name)) continue;
    keys.push({ type, blob: Buffer.from(b64, 'base64'), revoked });
  }
  return keys;
}
