// The two extension points the runtime drives, as specified for @siamese/encoders and @siamese/losses.
// Re-exported from those packages once they land; kept structural so custom implementations just work.
import type { Rng } from '@siamese/core';
import type { Scalar, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';

export interface EncoderInput {
  ids: Tensor2D;
  mask: Tensor2D;
  lengths: Int32Array;
  ngramIds?: Tensor3D;
}

export interface EncoderLike {
  readonly type: string;
  readonly outputDim: number;
  encode(input: EncoderInput, options?: { training?: boolean; rng?: Rng }): Tensor2D;
  weights(): Map<string, Variable>;
  trainableVariables(): Variable[];
  getConfig(): { type: string; [k: string]: unknown };
  dispose(): void;
}

export type BatchKind =
  | 'scored-pairs'
  | 'labelled-pairs'
  | 'triplets'
  | 'labelled-embeddings'
  | 'anchor-positive';

export interface LossBatch {
  a?: Tensor2D;
  b?: Tensor2D;
  scores?: Tensor1D;
  labels?: Tensor1D;
  anchor?: Tensor2D;
  positive?: Tensor2D;
  negative?: Tensor2D;
  embeddings?: Tensor2D;
}

export interface LossLike {
  readonly name: string;
  readonly batchKind: BatchKind;
  compute(batch: LossBatch): Scalar;
  getConfig(): { name: string; [k: string]: unknown };
}
