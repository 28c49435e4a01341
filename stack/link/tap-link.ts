/** The TAP device as a Link, over the N-API addon in ./tap. */
import { createRequire } from 'node:module';
import { setLinkMaster, setLinkMtu, setLinkUp } from './ip-command.ts';
import { type FramesHandler, type Link, LinkError } from './link.ts';

interface TapAddon {
  name: string;
  start(cb: (err: string | null, frames: Buffer[]) => void): void;
  write(frame: Uint8Array): boolean;
  close(): void;
}

type TapConstructor = new (name: string) => TapAddon;

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
}

export class TapLink implements Link {
  private handler: FramesHandler | undefined;
  private closed = false;
  /** Read errors reported by the addon (the link keeps running). */
  readErrors = 0;
  onError: ((message: string) => void) | undefined;

  private constructor(
    readonly name: string,
    private readonly tap: TapAddon,
  ) {}

  /** Create (or open) the TAP named `name`; it disappears when closed (not persistent). */
  static open(name: string, options: TapOpenOptions = {}): TapLink {
    const Tap = loadAddon();
    let tap: TapAddon;
    try {
      tap = new Tap(name);
    } catch (err) {
      throw new LinkError('LINK_OPEN', `cannot open TAP ${name}: ${(err as Error).message}`);
    }
    const link = new TapLink(tap.name, tap);
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

  send(frame: Uint8Array): boolean {
    if (this.closed) throw new LinkError('LINK_CLOSED', `TAP ${this.name} is closed`);
    try {
      return this.tap.write(frame);
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
