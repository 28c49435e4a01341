/**
 * Segmentation offload metadata of an encoded frame (as skb_shinfo's gso_size):
 * a TCP super-segment longer than one MSS is marked with the payload size of
 * the segments a link that can segment (a TAP with a virtio-net header) must
 * cut it into. Links without offload never see one: the engine only builds
 * super-segments when configured to.
 */
const gsoSizes = new WeakMap<Uint8Array, number>();

export function setFrameGsoSize(frame: Uint8Array, gsoSize: number): void {
  gsoSizes.set(frame, gsoSize);
}

/** Payload bytes per segment for a super-segment frame, 0 for an ordinary frame. */
export function frameGsoSize(frame: Uint8Array): number {
  return gsoSizes.get(frame) ?? 0;
}
