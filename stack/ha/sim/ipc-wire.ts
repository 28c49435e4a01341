/**
 * The IPC cable of the simulation: records framed by the real IPC session codec, carried over
 * an in-memory link in virtual time, in order.
 */
import type { MemoryLink } from '../../link/memory-link.ts';
import type { IpcRecord } from '../ipc/records.ts';
import { IpcSession } from '../ipc/session.ts';

export class IpcWire {
  private readonly tx = new IpcSession();
  private readonly rx = new IpcSession();
  /** Bytes sent, for the lag and traffic figures. */
  bytesSent = 0;
  recordsSent = 0;
  private muted = false;

  constructor(
    private readonly link: MemoryLink,
    onRecord: (rec: IpcRecord) => void,
    onError: (reason: string) => void,
    /** The cable is cut: frames still on it are lost too. */
    cut: () => boolean = () => false,
  ) {
    link.onFrames((frames) => {
      if (this.muted || cut()) return;
      for (const f of frames) {
        const r = this.rx.receive(f);
        for (const rec of r.records) onRecord(rec);
        if (r.error) onError(`${r.error.code}: ${r.error.message}`);
      }
    });
  }

  send(rec: IpcRecord): void {
    const bytes = this.tx.encode(rec);
    this.bytesSent += bytes.length;
    this.recordsSent++;
    this.link.send(bytes);
  }

  /** Stop receiving (this board died): frames still on the wire are lost. */
  mute(): void {
    this.muted = true;
  }
}
