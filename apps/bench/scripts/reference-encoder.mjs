// The encoders bench's architectures (the PyTorch reference's), declared once: the suites (src/, bundled) and the
// profile scripts (plain Node on the built packages) both import it. Types: reference-encoder.d.mts.
import { embedding, PRESETS, pooling, sequential } from '@siamese/encoders';

/** `lstm` and `bilstm` (final states), `cnn` (one width, 3), else a plain mean over the embedding. */
export function referenceEncoder(name, vocab, dim) {
  const base = { vocabSize: vocab, embeddingDim: dim, seed: 1, hidden: dim };
  if (name === 'lstm') return PRESETS.lstm.build(base);
  if (name === 'bilstm') return PRESETS.bilstm.build({ ...base, output: 'last' });
  if (name === 'cnn') return PRESETS.cnn.build({ ...base, kernelSizes: [3] });
  return sequential([embedding({ vocabSize: vocab, dim }), pooling({ mode: 'mean' })], { seed: 1 });
}
