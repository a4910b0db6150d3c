#ifndef INFOPLANE_OPTIMIZER_KERNELS_H
#define INFOPLANE_OPTIMIZER_KERNELS_H

#include <stdint.h>

/// Adam's update of one parameter tensor in place (Networks/Optimizer.swift, `Adam`), the
/// arithmetic of its Swift loop operation for operation, so the same bits (tested), eight
/// lanes at a time with AVX2 when `wide` is nonzero and the processor has it:
///
///     g ← g + decay·θ (when decay ≠ 0),  m ← β1·m + (1 − β1)·g,  v ← β2·v + ((1 − β2)·g)·g,
///     θ ← θ − (η_t·m)/(√v + ε)
///
/// No fused multiply-adds; √ is IEEE's correctly rounded square root.
void ip_adam_update(int wide, float *theta, const float *gradient, float *m, float *v, int64_t count, float beta1,
                    float beta2, float epsilon, float rate, float decay);

#endif
