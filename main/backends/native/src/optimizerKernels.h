// The optimizer's update over every parameter of a model in one call, in
// place, split over the thread team: SGD, momentum (Nesterov or not), Adam and
// RMSprop with tfjs's formulas, op for op in float32 (tfjs-core 4's
// sgd/momentum/adam/rmsprop_optimizer.js), so that a run that switches between
// this and tfjs's kernels continues the same. Gradient clipping by global norm
// (the trainer's clipByGlobalNorm) is folded into the same pass.
#pragma once

namespace wb {

enum class UpdateRule { Sgd = 0, Momentum = 1, Nesterov = 2, Adam = 3, RmsProp = 4 };

// One parameter: element offsets into the heap (-1: no such slot) and its size.
struct OptimizerParameter {
  long value, gradient, slotA, slotB, size;
};

// The rule's constants, each as tfjs rounds it to float32. learningRate is
// the rate itself (positive). Adam: hyper1 = beta1, hyper2 = beta2,
// oneMinus1 = 1 - beta1, oneMinus2 = 1 - beta2 (worked out in double, as tfjs
// does before making a scalar), biasCorrection1/2 = 1 - beta1^t, 1 - beta2^t
// (float32, from its running beta powers). RMSprop: hyper1 = decay (rho),
// hyper2 = momentum, oneMinus1 = 1 - decay. Momentum: hyper1 = momentum.
struct OptimizerConstants {
  UpdateRule rule;
  float learningRate, hyper1, hyper2, oneMinus1, oneMinus2, epsilon;
  float biasCorrection1, biasCorrection2;
  // Clipping by global norm: 0 for none.
  float clipNorm;
};

// Returns the factor the gradients were scaled by (1 without clipping).
float optimizerStep(float* heap, const OptimizerParameter* parameters, int count, const OptimizerConstants& c);

}  // namespace wb
