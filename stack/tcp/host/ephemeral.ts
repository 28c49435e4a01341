/** Ephemeral local ports for active opens, taken round-robin from a range. */
import { SocketError } from './socket-api.ts';

export class EphemeralPorts {
  private next: number;

  constructor(private readonly range: [number, number]) {
    this.next = range[0];
  }

  /** The next port in the range that `free` accepts; `towards` names the target in errors. */
  pick(free: (port: number) => boolean, towards: string): number {
    const [lo, hi] = this.range;
    for (let i = 0; i <= hi - lo; i++) {
      const port = this.next;
      this.next = port >= hi ? lo : port + 1;
      if (free(port)) return port;
    }
    throw new SocketError('in-use', `no free ephemeral port towards ${towards}`);
  }
}
