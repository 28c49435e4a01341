/**
 * snmpd's pass_persist protocol (snmpd(8) / snmpd.conf(5)): PING, get,
 * getnext and set, one request per few lines. After a set snmpd sends an
 * empty line, which is skipped; unknown or malformed input answers NONE.
 */
import { type MibEntry, nextOid, sortedOids } from './mib.ts';

export class PassPersistSession {
  private pending: string[] = [];
  private readonly sorted: string[];

  constructor(
    private readonly mib: Map<string, MibEntry>,
    private readonly reply: (text: string) => void,
    /** Registered subtrees: getnext never answers outside the one asked about. */
    private readonly subtrees: string[] = [],
  ) {
    this.sorted = sortedOids(mib);
  }

  /** Feed one line from snmpd (without newline). */
  line(raw: string): void {
    const answer = this.handle(raw.trim());
    if (answer !== undefined) this.reply(answer);
  }

  /** The reply to a complete request, or undefined while a request is still arriving. */
  private handle(line: string): string | undefined {
    if (this.pending.length === 0) {
      if (line === '') return undefined;
      if (line === 'PING') return 'PONG\n';
      if (line === 'get' || line === 'getnext' || line === 'set') {
        this.pending.push(line);
        return undefined;
      }
      return 'NONE\n';
    }
    this.pending.push(line);
    const [cmd, oid = '', value] = this.pending;
    if (cmd === 'get') {
      this.pending = [];
      return this.answer(oid);
    }
    if (cmd === 'getnext') {
      this.pending = [];
      const next = nextOid(this.sorted, oid);
      const tree = this.subtrees.find((s) => oid === s || oid.startsWith(`${s}.`));
      if (!next || (tree && !next.startsWith(`${tree}.`))) return 'NONE\n';
      return this.answer(next);
    }
    if (value === undefined) return undefined; // set: waiting for "TYPE VALUE"
    this.pending = [];
    const entry = this.mib.get(oid);
    if (!entry?.set) return 'not-writable\n';
    const space = value.indexOf(' ');
    const type = space < 0 ? value : value.slice(0, space);
    const err = entry.set(type, space < 0 ? '' : value.slice(space + 1));
    return err ? `${err}\n` : 'DONE\n';
  }

  private answer(oid: string): string {
    const entry = this.mib.get(oid);
    if (!entry) return 'NONE\n';
    const v = String(entry.get()).replace(/\n/g, ' ');
    return `${oid}\n${entry.type}\n${v}\n`;
  }
}
