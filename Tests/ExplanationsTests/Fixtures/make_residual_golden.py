#!/usr/bin/env python3
"""Golden LRP maps from zennit on a residual network, for the Explanations tests.

The network (float64, fixed seed) has a residual sum written as zennit's `Sum` module, as
zennit's ResNet canonizer rewrites torchvision's blocks (`out += identity` becomes a `Sum`
of the stacked tensors), so that its composites' layer map assigns the sum a rule: `Norm`,
R_k = x_k · R / stab(Σ x), the rule infoplane's LRP applies to an `add` node.

    x → conv1 (1→3, 3×3, pad 1) → ReLU = a
    a → conv2 (3→3, 3×3, pad 1) → ReLU = b
    s = Sum(a, b)                       (infoplane: {add: [conv1, conv2]})
    s → AvgPool2d(2) → Flatten → Linear(48, 5) → ReLU → Linear(5, 3)

It writes residual_golden.json next to this script in infoplane's layouts (NHWC images
and maps, Dense [in, out] with the first Dense's rows in (h, w, c) order, Conv2D
[kh, kw, cin, cout]) and the model as a ModelDescription (nodes, inputs). LRP starts from
the target logit. Run with torch and zennit installed (not part of `make test`):
    python Tests/ExplanationsTests/Fixtures/make_residual_golden.py
"""
import json
import os
import sys
import types

import torch
from torch import nn

try:
    import torchvision  # noqa: F401
except Exception:
    stub = types.ModuleType("torchvision")
    stub.models = types.ModuleType("torchvision.models")
    stub.models.resnet = types.ModuleType("torchvision.models.resnet")
    stub.models.resnet.Bottleneck = type("Bottleneck", (nn.Module,), {})
    stub.models.resnet.BasicBlock = type("BasicBlock", (nn.Module,), {})
    sys.modules.update({"torchvision": stub, "torchvision.models": stub.models,
                        "torchvision.models.resnet": stub.models.resnet})

from zennit.attribution import Gradient
from zennit.composites import EpsilonPlus, EpsilonPlusFlat, EpsilonGammaBox, EpsilonAlpha2Beta1
from zennit.layer import Sum

torch.manual_seed(20161210)
torch.set_default_dtype(torch.float64)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.relu1 = nn.Conv2d(1, 3, 3, padding=1), nn.ReLU()
        self.conv2, self.relu2 = nn.Conv2d(3, 3, 3, padding=1), nn.ReLU()
        self.sum = Sum()
        self.pool, self.flatten = nn.AvgPool2d(2), nn.Flatten()
        self.fc1, self.relu3 = nn.Linear(3 * 4 * 4, 5), nn.ReLU()
        self.fc2 = nn.Linear(5, 3)

    def forward(self, x):
        a = self.relu1(self.conv1(x))
        b = self.relu2(self.conv2(a))
        s = self.sum(torch.stack([a, b], dim=-1))
        return self.fc2(self.relu3(self.fc1(self.flatten(self.pool(s)))))


def kernel(conv):
    return conv.weight.detach().permute(2, 3, 1, 0).reshape(-1).tolist()


def main():
    model = Residual().eval()
    with torch.no_grad():
        for m in (model.conv1, model.conv2, model.fc1, model.fc2):
            m.bias.copy_(torch.randn_like(m.bias) * 0.1)
    x = torch.rand(3, 1, 8, 8)
    logits = model(x)
    targets = logits.argmax(1).tolist()
    # fc1's input rows: PyTorch flattens (c, h, w), infoplane (h, w, c).
    c, h, w = 3, 4, 4
    order = [ch * h * w + y * w + xx for y in range(h) for xx in range(w) for ch in range(c)]
    fc1 = model.fc1.weight.detach().t()[order]
    nodes = [
        {"name": "conv1", "spec": {"conv2d": {"filters": 3, "kernel": [3, 3], "stride": 1, "padding": 1, "activation": "relu"}}, "inputs": ["input"],
         "parameters": [kernel(model.conv1), model.conv1.bias.tolist()]},
        {"name": "conv2", "spec": {"conv2d": {"filters": 3, "kernel": [3, 3], "stride": 1, "padding": 1, "activation": "relu"}}, "inputs": ["conv1"],
         "parameters": [kernel(model.conv2), model.conv2.bias.tolist()]},
        {"name": "residual", "spec": "add", "inputs": ["conv1", "conv2"], "parameters": []},
        {"name": "avgpool1", "spec": {"avgpool2d": {"size": 2, "stride": 2}}, "inputs": ["residual"], "parameters": []},
        {"name": "flatten1", "spec": "flatten", "inputs": ["avgpool1"], "parameters": []},
        {"name": "dense1", "spec": {"dense": {"units": 5, "activation": "relu"}}, "inputs": ["flatten1"],
         "parameters": [fc1.reshape(-1).tolist(), model.fc1.bias.tolist()]},
        {"name": "output", "spec": {"dense": {"units": 3, "activation": "linear"}}, "inputs": ["dense1"],
         "parameters": [model.fc2.weight.detach().t().reshape(-1).tolist(), model.fc2.bias.tolist()]},
    ]
    maps = {}
    composites = {"epsilon_plus": EpsilonPlus(), "epsilon_plus_flat": EpsilonPlusFlat(),
                  "epsilon_gamma_box": EpsilonGammaBox(low=0., high=1.), "epsilon_alpha2_beta1": EpsilonAlpha2Beta1()}
    for name, composite in composites.items():
        onehot = torch.zeros_like(logits)
        onehot[range(len(targets)), targets] = logits[range(len(targets)), targets].detach()
        with Gradient(model=model, composite=composite) as attributor:
            _, relevance = attributor(x.clone().requires_grad_(), onehot)
        maps[name] = relevance.detach().permute(0, 2, 3, 1).reshape(-1).tolist()
    out = {"input_shape": [8, 8, 1], "nodes": nodes, "inputs": x.permute(0, 2, 3, 1).reshape(-1).tolist(),
           "targets": targets, "logits": logits.detach().reshape(-1).tolist(), "maps": maps,
           "generator": f"torch {torch.__version__}, zennit (make_residual_golden.py)"}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "residual_golden.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path)


if __name__ == "__main__":
    main()
