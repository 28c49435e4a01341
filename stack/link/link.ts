/** A link carries whole Ethernet frames: the TAP device, or an in-memory pair for tests. */

export type FramesHandler = (frames: Uint8Array[]) => void;

export interface Link {
  readonly name: string;
  /** Queue one frame for transmission; false when it was not accepted (queue full, link down). */
  send(frame: Uint8Array): boolean;
  /**
   * True when `send` is done with the frame once it returns (written out or copied), so the
   * sender may build its next frame in the same buffer. Links that keep frames say nothing.
   */
  readonly releasesFrameOnSend?: boolean;
  /** Set the receiver; frames arrive in batches (one readable wake-up, or one scheduled delivery). */
  onFrames(handler: FramesHandler): void;
  close(): void;
}

export type LinkErrorCode = 'LINK_OPEN' | 'LINK_CLOSED' | 'LINK_COMMAND' | 'LINK_ADDON' | 'LINK_IO';

export class LinkError extends Error {
  constructor(
    readonly code: LinkErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}
