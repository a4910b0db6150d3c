#include "mlp_kernels.h"
#include "activation_kernels.h"
#include "dense_kernels.h"
#include <math.h>
#include <string.h>

// The order and rounding of every operation are those of the Swift passes this
// replaces; no contraction.
#pragma clang fp contract(off)

int64_t ip_mlp_workspace_floats(int layers, const int32_t *widths, int64_t batch) {
    int64_t units = 0, widest = 0;
    for (int l = 0; l <= layers; l++) {
        units += widths[l];
        if (widths[l] > widest) widest = widths[l];
    }
    // Every layer's input and output rows, then two gradient buffers of the widest layer.
    return batch * (units + 2 * widest);
}

static void activate(int wide, int activation, float *y, int64_t count) {
    if (activation == ip_mlp_tanh) {
        ip_tanh_fused_variant(wide, y, count);
    } else if (activation == ip_mlp_relu) {
        for (int64_t i = 0; i < count; i++) y[i] = y[i] > 0 ? y[i] : 0;
    }
}

// ∂L/∂y into ∂L/∂z in place, from the outputs y (Activation.backpropagate).
static void backpropagate(int activation, float *g, const float *y, int64_t count) {
    if (activation == ip_mlp_tanh) {
        for (int64_t i = 0; i < count; i++) {
            float derivative = 1.0f - y[i] * y[i];
            g[i] = g[i] * derivative;
        }
    } else if (activation == ip_mlp_relu) {
        for (int64_t i = 0; i < count; i++)
            if (y[i] <= 0) g[i] = 0;
    }
}

// SoftmaxCrossEntropy.lossAndGradient: the logits' gradient in place, the mean loss back;
// with `terms`, each sample's [sum, shifted label] there instead (the loss then NaN).
static double softmax_cross_entropy(float *z, int64_t batch, int classes, const int64_t *rows, const int32_t *labels,
                                    float *terms) {
    double total = 0;
    float inverse_batch = 1.0f / (float)batch;
    for (int64_t b = 0; b < batch; b++) {
        float *row = z + b * classes;
        float maximum = -INFINITY;
        for (int k = 0; k < classes; k++) maximum = row[k] >= maximum ? row[k] : maximum;
        int label = labels[rows[b]];
        float shifted_label = row[label] - maximum;
        float sum = 0;
        for (int k = 0; k < classes; k++) {
            float e = expf(row[k] - maximum);
            row[k] = e;
            sum += e;
        }
        if (terms) {
            terms[2 * b] = sum;
            terms[2 * b + 1] = shifted_label;
        } else {
            total += log((double)sum) - (double)shifted_label;
        }
        float scale = inverse_batch / sum;
        for (int k = 0; k < classes; k++) row[k] *= scale;
        row[label] -= inverse_batch;
    }
    return terms ? NAN : total / (double)(batch > 1 ? batch : 1);
}

double ip_mlp_gradients(int wide, int layers, const int32_t *widths, const int32_t *activations, const float *parameters,
                        const float *inputs, const int64_t *rows, int64_t batch, const int32_t *labels, float *workspace,
                        float *gradients, float *loss_terms) {
    enum { max_layers = 256 };
    if (layers < 1 || layers > max_layers || batch < 1) return NAN;
    float *values[max_layers + 1];      // values[l]: layer l's input rows [batch, widths[l]]
    const float *weights[max_layers], *biases[max_layers];
    float *weight_gradients[max_layers], *bias_gradients[max_layers];
    int64_t widest = 0, offset = 0;
    float *cursor = workspace;
    for (int l = 0; l <= layers; l++) {
        values[l] = cursor;
        cursor += batch * widths[l];
        if (widths[l] > widest) widest = widths[l];
    }
    for (int l = 0; l < layers; l++) {
        weights[l] = parameters + offset;
        weight_gradients[l] = gradients + offset;
        offset += (int64_t)widths[l] * widths[l + 1];
        biases[l] = parameters + offset;
        bias_gradients[l] = gradients + offset;
        offset += widths[l + 1];
    }
    float *g = cursor, *h = cursor + batch * widest;

    // The minibatch's rows, then every layer forward.
    int inputs_width = widths[0];
    for (int64_t b = 0; b < batch; b++)
        memcpy(values[0] + b * inputs_width, inputs + rows[b] * inputs_width, sizeof(float) * inputs_width);
    for (int l = 0; l < layers; l++) {
        ip_dense_forward(wide, values[l], batch, widths[l], weights[l], biases[l], widths[l + 1], values[l + 1]);
        activate(wide, activations[l], values[l + 1], batch * widths[l + 1]);
    }

    // The loss's gradient with respect to the logits, then every layer backward.
    int classes = widths[layers];
    memcpy(g, values[layers], sizeof(float) * batch * classes);
    double loss = softmax_cross_entropy(g, batch, classes, rows, labels, loss_terms);
    for (int l = layers - 1; l >= 0; l--) {
        backpropagate(activations[l], g, values[l + 1], batch * widths[l + 1]);
        ip_dense_parameter_gradient(wide, values[l], g, batch, widths[l], widths[l + 1], weight_gradients[l], bias_gradients[l]);
        if (l > 0) {
            ip_dense_input_gradient(wide, g, batch, widths[l + 1], weights[l], widths[l], h);
            float *swap = g;
            g = h;
            h = swap;
        }
    }
    return loss;
}
