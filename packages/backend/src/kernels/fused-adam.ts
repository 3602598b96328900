import {
  AdamOptimizer,
  engine,
  getBackend,
  getKernel,
  mul,
  type NamedAttrMap,
  type NamedTensorMap,
  type Tensor,
  tidy,
  type Variable,
  variable,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { ADAM_UPDATE } from './adam-update.js';

/** The AdamOptimizer state this subclass reuses (private in tfjs' typings, same object at runtime). */
interface AdamState {
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
}

/**
 * tfjs' `AdamOptimizer` with the per-variable update fused into one kernel pass ({@link ADAM_UPDATE}, on wasm and
 * cpu after `initBackend`). Same formula, defaults, state, `getWeights`/`setWeights` and serialisation as
 * `tf.train.adam`, so checkpoints move freely between the two; on other backends it is plain tfjs Adam.
 */
export class FusedAdamOptimizer extends AdamOptimizer {
  /** Sets the learning rate of the next updates (what a schedule calls between steps). */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  /** The learning rate of the next update. */
  getLearningRate(): number {
    return this.learningRate;
  }

  /**
   * Applies gradients keyed by variable name, e.g. the `grads` of `tf.variableGrads`. (tfjs types the map as
   * variables, although it holds gradient tensors; this accepts what `variableGrads` returns.)
   */
  override applyGradients(variableGradients: NamedTensorMap | { name: string; tensor: Tensor }[]): void {
    if (!getKernel(ADAM_UPDATE, getBackend())) {
      super.applyGradients(variableGradients as Parameters<AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const self = this as unknown as AdamState & {
      learningRate: number;
      beta1: number;
      beta2: number;
      epsilon: number;
    };
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const c1 = 1 - self.accBeta1.dataSync()[0]!;
    const c2 = 1 - self.accBeta2.dataSync()[0]!;
    const attrs = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      c1,
      c2,
    };
    tidy(() => {
      names.forEach((name, i) => {
        const value = engine().registeredVariables[name]!;
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tidy(() => variable(zerosLike(value), false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tidy(() => variable(zerosLike(value), false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const [x2, m2, v2] = engine().runKernel(
          ADAM_UPDATE,
          { x: value, g: gradient, m, v },
          attrs as unknown as NamedAttrMap,
        ) as Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(x2!);
      });
      self.accBeta1.assign(mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * Drop-in for `tf.train.adam(learningRate, beta1, beta2, epsilon)` whose update is one fused pass per variable.
 *
 * @example
 * ```ts
 * const opt = fusedAdam(1e-3);
 * opt.minimize(() => loss(), false, model.trainableVariables);
 * ```
 */
export function fusedAdam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
