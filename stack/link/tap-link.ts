/** The TAP device as a Link, over the N-API addon in ./tap. */
import { createRequire } from 'node:module';
import { frameGsoSize } from '../wire/offload.ts';
import { setLinkMaster, setLinkMtu, setLinkUp } from './ip-command.ts';
import { type FramesHandler, type Link, LinkError } from './link.ts';

interface TapAddon {
  name: string;
  start(cb: (err: string | null, frames: Buffer[]) => void): void;
  /** gsoSize > 0 (vnetHdr only): a TCP/IPv4 super-segment the kernel cuts into gsoSize payloads. */
  write(frame: Uint8Array, gsoSize?: number): boolean;
  /** What the kernel may hand us (vnetHdr only): partial checksums, TCP super-segments. */
  setOffload(flags: { csum: boolean; tso4: boolean }): void;
  close(): void;
}

type TapConstructor = new (name: string, options?: { vnetHdr?: boolean }) => TapAddon;

let TapClass: TapConstructor | undefined;

function loadAddon(): TapConstructor {
  if (TapClass) return TapClass;
  const require = createRequire(import.meta.url);
  try {
    TapClass = (require('./tap/build/Release/tap.node') as { Tap: TapConstructor }).Tap;
  } catch (err) {
    throw new LinkError(
      'LINK_ADDON',
      `cannot load the TAP addon (run npm install to build it): ${(err as Error).message}`,
    );
  }
  return TapClass;
}

export interface TapOpenOptions {
  /** Bring the interface up after opening it (`ip link set NAME up`). */
  up?: boolean;
  /** Join this existing bridge. */
  bridge?: string;
  mtu?: number;
  /**
   * Open with a virtio-net header on every frame (default true). Frames seen by
   * users of the link do not change; it makes `enableTso()` possible later.
   */
  vnetHdr?: boolean;
}

/** Largest TCP super-segment the kernel takes: an IPv4 packet of 64 KiB. */
export const TAP_TSO_MAX_PACKET = 65535;

export class TapLink implements Link {
  private handler: FramesHandler | undefined;
  private closed = false;
  private tso = false;
  /** Read errors reported by the addon (the link keeps running). */
  readErrors = 0;
  /** write(2) has copied the frame into the kernel when `send` returns. */
  readonly releasesFrameOnSend = true;
  onError: ((message: string) => void) | undefined;

  private constructor(
    readonly name: string,
    private readonly tap: TapAddon,
    /** Whether frames carry a virtio-net header (segmentation offload possible). */
    readonly vnetHdr: boolean,
  ) {}

  /** Create (or open) the TAP named `name`; it disappears when closed (not persistent). */
  static open(name: string, options: TapOpenOptions = {}): TapLink {
    const Tap = loadAddon();
    let tap: TapAddon;
    try {
      tap = new Tap(name, { vnetHdr: options.vnetHdr !== false });
    } catch (err) {
      throw new LinkError('LINK_OPEN', `cannot open TAP ${name}: ${(err as Error).message}`);
    }
    const link = new TapLink(tap.name, tap, options.vnetHdr !== false);
    try {
      if (options.mtu !== undefined) setLinkMtu(tap.name, options.mtu);
      if (options.bridge) setLinkMaster(tap.name, options.bridge);
      if (options.up) setLinkUp(tap.name);
    } catch (err) {
      tap.close();
      throw err;
    }
    tap.start((err, frames) => {
      if (err) {
        link.readErrors++;
        link.onError?.(err);
      }
      if (frames.length > 0) link.handler?.(frames);
    });
    return link;
  }

  onFrames(handler: FramesHandler): void {
    this.handler = handler;
  }

  /**
   * Segmentation offload both ways, as a qemu guest's virtio-net: from now on
   * received frames may be TCP super-segments up to 64 KiB (checksums completed
   * by the addon). `send` takes super-segments marked by `setFrameGsoSize` on any
   * TAP with a virtio-net header.
   */
  enableTso(): boolean {
    if (this.closed) throw new LinkError('LINK_CLOSED', `TAP ${this.name} is closed`);
    if (!this.vnetHdr) return false;
    try {
      this.tap.setOffload({ csum: true, tso4: true });
    } catch (err) {
      throw new LinkError('LINK_IO', `offload on TAP ${this.name}: ${(err as Error).message}`);
    }
    this.tso = true;
    return true;
  }

  get tsoEnabled(): boolean {
    return this.tso;
  }

  send(frame: Uint8Array): boolean {
    if (this.closed) throw new LinkError('LINK_CLOSED', `TAP ${this.name} is closed`);
    try {
      // Writing a super-segment needs only the header; enableTso() is about what we read.
      const gso = this.vnetHdr ? frameGsoSize(frame) : 0;
      return gso > 0 ? this.tap.write(frame, gso) : this.tap.write(frame);
    } catch (err) {
      throw new LinkError('LINK_IO', `write to TAP ${this.name}: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    this.tap.close();
  }
}
