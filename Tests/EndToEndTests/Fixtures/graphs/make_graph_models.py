#!/usr/bin/env python3
"""Residual and concatenating networks exported to ONNX, and what the tests compare with.

Three small networks with random weights (fixed seed), each exported by both of PyTorch's
ONNX exporters (the TorchScript one, `dynamo=False`, and the default dynamo one), and the
references the tests hold the imported models to: PyTorch's logits in float64, and for the
networks without batch normalisation zennit's LRP maps (EpsilonPlusFlat, EpsilonGammaBox,
EpsilonAlpha2Beta1). zennit sees the residual sum as its `Sum` module, as its ResNet
canonizer rewrites torchvision's blocks (the rule infoplane applies to an `add` node);
the exported model computes the same sum with `+` (ONNX `Add`). A concatenation passes
each slice's relevance back to the input it came from, in zennit (autograd) as in infoplane.

    residual_mlp:  x(12) → fc1 → ReLU = a;  a → fc2 → ReLU = b;  a + b → fc3 → ReLU → fc4 (3 logits)
    residual_cnn:  a ResNet-shaped CNN on 3×8×8: conv-BN-ReLU, a BasicBlock with an identity
                   shortcut, a BasicBlock with stride 2 and a 1×1 projection shortcut (BN
                   after every convolution), global average pooling, a linear layer (5 logits)
    dense_concat:  a DenseNet-style block on 1×8×8: a = conv(x), b = conv(a), c = conv(cat(a, b)),
                   conv1×1(cat(a, b, c)), average pooling 2, flatten, linear (3 logits)
    relu6_cnn:     MobileNet's activation on 1×8×8: conv-ReLU6, conv (stride 2)-ReLU6, flatten,
                   linear (3 logits); weights scaled so that some units saturate at 6
    modern_mlp:    x(12) → fc → GELU → fc → GELU(tanh) → fc → Hardswish → fc → Hardsigmoid → fc (3
                   logits), with the input gradient of the largest logit (autograd) as well
    softplus_mlp:  x(12) → fc → Softplus → fc (3 logits), pre-activations from −30 to 30, which the dynamo
                   exporter writes with PyTorch's threshold branch, Where(Greater(x, 20), x, Softplus(x))
    separable_cnn: MobileNet-style on 3×8×8: conv-ReLU6, a depthwise conv (groups = channels)-ReLU6,
                   a pointwise 1×1 conv-ReLU, a dilated conv (dilation 2)-ReLU, global average
                   pooling, linear (4 logits)
    gelu_opset17:  x(12) → fc → GELU → fc (3 logits) exported at opset 17, where the TorchScript
                   exporter writes GELU as Div/Erf/Add/Mul/Mul (no _dynamo twin)

Writes <name>.onnx and <name>_dynamo.onnx (with their .data files when the exporter
writes one) and graphs.json next to this script, the inputs in the lab's NHWC layout.
Run with torch, onnx, onnxscript and zennit installed (not part of `make test`):
    python Tests/EndToEndTests/Fixtures/graphs/make_graph_models.py
"""
import json
import os
import sys
import types

import numpy as np
import torch
from torch import nn

try:
    import torchvision  # noqa: F401
except Exception:  # zennit imports two ResNet block classes from torchvision
    stub = types.ModuleType("torchvision")
    stub.models = types.ModuleType("torchvision.models")
    stub.models.resnet = types.ModuleType("torchvision.models.resnet")
    stub.models.resnet.Bottleneck = type("Bottleneck", (nn.Module,), {})
    stub.models.resnet.BasicBlock = type("BasicBlock", (nn.Module,), {})
    sys.modules.update({"torchvision": stub, "torchvision.models": stub.models, "torchvision.models.resnet": stub.models.resnet})
from zennit.attribution import Gradient
from zennit.composites import EpsilonPlusFlat, EpsilonGammaBox, EpsilonAlpha2Beta1
from zennit.layer import Sum

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
torch.manual_seed(20170101)


class Summed(nn.Module):
    """a + b, or zennit's Sum of the stacked pair (the same number) for its rules."""

    def __init__(self):
        super().__init__()
        self.zennit = False
        self.sum = Sum()

    def forward(self, a, b):
        return self.sum(torch.stack([a, b], dim=-1)) if self.zennit else a + b


class ResidualMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.relu1 = nn.Linear(12, 16), nn.ReLU()
        self.fc2, self.relu2 = nn.Linear(16, 16), nn.ReLU()
        self.add = Summed()
        self.fc3, self.relu3 = nn.Linear(16, 16), nn.ReLU()
        self.fc4 = nn.Linear(16, 3)

    def forward(self, x):
        a = self.relu1(self.fc1(x))
        b = self.relu2(self.fc2(a))
        return self.fc4(self.relu3(self.fc3(self.add(a, b))))


class Block(nn.Module):
    """ResNet's BasicBlock: conv-BN-ReLU-conv-BN, plus the shortcut, then ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout)) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + self.shortcut(x))


class ResidualCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, 1, 1), nn.BatchNorm2d(4), nn.ReLU())
        self.block1, self.block2 = Block(4, 4, 1), Block(4, 6, 2)
        self.pool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(6, 5)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.block2(self.block1(self.stem(x)))), 1))


class DenseConcat(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 4, 3, 1, 1), nn.Conv2d(4, 4, 3, 1, 1)
        self.conv3, self.conv4 = nn.Conv2d(8, 4, 3, 1, 1), nn.Conv2d(12, 4, 1)
        self.pool, self.fc = nn.AvgPool2d(2), nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        a = torch.relu(self.conv1(x))
        b = torch.relu(self.conv2(a))
        c = torch.relu(self.conv3(torch.cat([a, b], 1)))
        d = torch.relu(self.conv4(torch.cat([a, b, c], 1)))
        return self.fc(torch.flatten(self.pool(d), 1))


class ReLU6CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 4, 3, 1, 1), nn.ReLU6(), nn.Conv2d(4, 4, 3, 2, 1), nn.ReLU6(), nn.Flatten(), nn.Linear(64, 3))
        with torch.no_grad():
            self.body[0].weight.mul_(20.0)

    def forward(self, x):
        return self.body(x)


class ModernMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 10), nn.GELU(), nn.Linear(10, 8), nn.GELU(approximate="tanh"),
                                  nn.Linear(8, 8), nn.Hardswish(), nn.Linear(8, 6), nn.Hardsigmoid(), nn.Linear(6, 3))
        with torch.no_grad():  # wide pre-activations: every branch of hard swish and hard sigmoid is taken
            for layer in self.body:
                if isinstance(layer, nn.Linear):
                    layer.weight.mul_(3)

    def forward(self, x):
        return self.body(x)


class SoftplusMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 8), nn.Softplus(), nn.Linear(8, 3))
        with torch.no_grad():
            self.body[0].weight.mul_(25)

    def forward(self, x):
        return self.body(x)


class SeparableCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU6(), nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ReLU6(),
                                  nn.Conv2d(8, 16, 1), nn.ReLU(), nn.Conv2d(16, 8, 3, padding=2, dilation=2), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))

    def forward(self, x):
        return self.body(x)


class GeluMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 10), nn.GELU(), nn.Linear(10, 3))

    def forward(self, x):
        return self.body(x)


def input_gradients(model, x, logits):
    """∂(largest logit)/∂x per sample, NHWC-flattened as the inputs."""
    x = x.clone().requires_grad_(True)
    out = model(x)
    targets = logits.argmax(1)
    out[range(len(targets)), targets].sum().backward()
    return nhwc(x.grad.numpy()).reshape(len(x), -1).tolist()


def randomise_batch_norm(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)


def nhwc(x):
    return x.transpose(0, 2, 3, 1) if x.ndim == 4 else x


def lrp(model, x, logits):
    for m in model.modules():
        if isinstance(m, Summed):
            m.zennit = True
    targets = logits.argmax(1)
    onehot = torch.zeros_like(logits)
    onehot[range(len(targets)), targets] = logits[range(len(targets)), targets]
    maps = {}
    for name, composite in [("epsilon_plus_flat", EpsilonPlusFlat()), ("epsilon_gamma_box", EpsilonGammaBox(low=0.0, high=1.0)),
                            ("epsilon_alpha2_beta1", EpsilonAlpha2Beta1())]:
        with Gradient(model=model, composite=composite) as attributor:
            out, relevance = attributor(x.clone().requires_grad_(True), onehot)
        assert torch.allclose(out, logits)
        maps[name] = nhwc(relevance.detach().numpy()).reshape(len(x), -1).tolist()
    for m in model.modules():
        if isinstance(m, Summed):
            m.zennit = False
    return targets.tolist(), maps


def main():
    cases = []
    for name, model, shape, explain in [("residual_mlp", ResidualMLP(), (12,), True),
                                        ("residual_cnn", ResidualCNN(), (3, 8, 8), False),
                                        ("dense_concat", DenseConcat(), (1, 8, 8), True),
                                        ("relu6_cnn", ReLU6CNN(), (1, 8, 8), False),
                                        ("modern_mlp", ModernMLP(), (12,), True),
                                        ("gelu_opset17", GeluMLP(), (12,), False),
                                        ("softplus_mlp", SoftplusMLP(), (12,), False),
                                        ("separable_cnn", SeparableCNN(), (3, 8, 8), True)]:
        randomise_batch_norm(model)
        model = model.eval()
        torch.manual_seed(len(cases))  # the exporters draw random numbers too: each case's inputs from its own seed
        x = torch.rand(6, *shape) * (4 if name == "modern_mlp" else 1) - (2 if name == "modern_mlp" else 0)
        exports = [("", False, None)] if name == "gelu_opset17" else [("", False, None), ("_dynamo", True, None)]
        for suffix, dynamo, opset in exports:
            path = os.path.join(HERE, f"{name}{suffix}.onnx")
            torch.onnx.export(model.float(), (x[:2].float(),), path, dynamo=dynamo,
                              **({"opset_version": 17} if name == "gelu_opset17" else {}))
        model = model.double()
        with torch.no_grad():
            logits = model(x.double())
        case = {"name": name, "inputs": nhwc(x.numpy()).reshape(len(x), -1).tolist(), "sample_shape": list(nhwc(x.numpy()).shape[1:]),
                "logits": logits.tolist()}
        if explain:
            case["targets"], case["maps"] = lrp(model, x.double(), logits)
        if name == "modern_mlp":
            case["gradients"] = input_gradients(model, x.double(), logits)
            with torch.no_grad():
                pre = model.body[4](model.body[:4](x.double()))
            print("modern_mlp: hard swish inputs below -3, within, above 3:",
                  (pre < -3).double().mean().item(), ((pre >= -3) & (pre <= 3)).double().mean().item(), (pre > 3).double().mean().item())
        if name == "relu6_cnn":
            with torch.no_grad():
                saturated = (model.body[1](model.body[0](x.double())) >= 6).double().mean().item()
            print("relu6_cnn: share of the first layer's units at 6:", saturated)
            assert saturated > 0.05
        cases.append(case)
    with open(os.path.join(HERE, "graphs.json"), "w") as f:
        json.dump({"generator": f"torch {torch.__version__} (make_graph_models.py)", "cases": cases}, f)
    print("wrote", len(cases), "cases")


if __name__ == "__main__":
    main()
