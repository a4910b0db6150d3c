#ifndef INFOPLANE_MLP_KERNELS_H
#define INFOPLANE_MLP_KERNELS_H

#include <stdint.h>

/// One minibatch's loss and gradients for a chain of dense layers in the `fused`
/// arithmetic, in one call (Networks/Trainer+FusedSteps.swift): the computation that
/// `Dense`'s fused forward and backward passes and `SoftmaxCrossEntropy` perform, the
/// same operations in the same order (the dense kernels of dense_kernels.h, the fused tanh of
/// activation_kernels.h, glibc's `expf` and `log` as swift-numerics calls them), so the
/// same bits (tested), without the per-layer tensors in between.
///
/// Layer l maps widths[l] to widths[l + 1] units with activation activations[l]
/// (ip_mlp_linear, ip_mlp_tanh, ip_mlp_relu). `parameters` holds, layer after layer,
/// the weights [widths[l], widths[l + 1]] then the bias [widths[l + 1]]; `gradients`
/// receives ∂L/∂θ in the same layout. The minibatch is rows[0..<batch] of `inputs`
/// [*, widths[0]] with labels[rows[b]] (each < widths[layers]). `workspace` holds
/// ip_mlp_workspace_floats(…) floats. Returns the mean loss in nats (log-sum-exp
/// shifted by each row's maximum, summed in double); or, when `loss_terms` is not NULL,
/// NaN, with each sample's [Σ_k exp(z_k − max), z_label − max] in loss_terms[2b, 2b + 1]
/// for the caller to take the logarithms later.
enum { ip_mlp_linear = 0, ip_mlp_tanh = 1, ip_mlp_relu = 2 };

int64_t ip_mlp_workspace_floats(int layers, const int32_t *widths, int64_t batch);

double ip_mlp_gradients(int wide, int layers, const int32_t *widths, const int32_t *activations, const float *parameters,
                        const float *inputs, const int64_t *rows, int64_t batch, const int32_t *labels, float *workspace,
                        float *gradients, float *loss_terms);

#endif
