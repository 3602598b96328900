import type { Encoder } from '@siamese/encoders';

/** The encoders bench's architectures (the PyTorch reference's): see reference-encoder.mjs. */
export function referenceEncoder(name: string, vocab: number, dim: number): Encoder;
