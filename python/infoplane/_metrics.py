"""Loss and accuracy of a state from the model's outputs on the recorded samples."""
import numpy as np


def metrics(logits, labels, split):
    """Mean softmax cross-entropy (nats) and accuracy per split of the recorded samples;
    NaN when the output is not one logit per class or the split is empty."""
    result = {}
    if logits.ndim != 2 or logits.shape[1] <= int(labels.max()):
        return result
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(labels)), labels]
    correct = logits.argmax(axis=1) == labels
    for code, prefix in ((0, "train"), (1, "test")):
        mask = split == code
        result[f"{prefix}_loss"] = float(loss[mask].mean()) if mask.any() else np.nan
        result[f"{prefix}_accuracy"] = float(correct[mask].mean()) if mask.any() else np.nan
    return result
