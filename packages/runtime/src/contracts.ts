// The two extension points the runtime drives, under the names the runtime uses. Any object that implements
// them (a custom encoder or loss) plugs in.
export type { Encoder as EncoderLike, EncoderInput } from '@siamese/encoders';
export type { BatchKind, Loss as LossLike, LossBatch } from '@siamese/losses';
