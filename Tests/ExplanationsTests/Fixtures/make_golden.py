#!/usr/bin/env python3
"""Golden attributions from zennit and Captum for the Explanations tests.

Builds two small networks with fixed weights (a ReLU MLP and a conv net with max and
average pooling), computes attribution maps with zennit 0.5 and Captum 0.9 in float64,
and writes golden.json next to this script in infoplane's layouts:

- Dense weights [in, out] (PyTorch's Linear.weight transposed), Conv2D kernels
  [kh, kw, cin, cout] (Conv2d.weight permuted), images NHWC, maps NHWC.
- The first Dense layer after Flatten has its rows permuted from PyTorch's (c, h, w)
  flattening order to infoplane's (h, w, c).
- LRP starts from the target logit (attr_output = one-hot · logit), infoplane's
  convention, so conservative maps sum to the logit.

Run with torch, zennit and captum installed (not part of `make test`):
    /opt/benchvenv/bin/python Tests/ExplanationsTests/Fixtures/make_golden.py
"""
import json
import os

import copy
import sys
import types

import torch
from torch import nn

try:
    import torchvision  # noqa: F401  (zennit imports its ResNet blocks for canonizers)
except Exception:
    # A torchvision built for another torch fails on import; zennit only needs the two
    # block classes to exist (for its ResNet canonizer, unused here).
    stub = types.ModuleType("torchvision")
    stub.models = types.ModuleType("torchvision.models")
    stub.models.resnet = types.ModuleType("torchvision.models.resnet")
    stub.models.resnet.Bottleneck = type("Bottleneck", (nn.Module,), {})
    stub.models.resnet.BasicBlock = type("BasicBlock", (nn.Module,), {})
    sys.modules.update({"torchvision": stub, "torchvision.models": stub.models,
                        "torchvision.models.resnet": stub.models.resnet})

from captum.attr._utils.lrp_rules import Alpha1_Beta0_Rule, GammaRule
from captum.attr import (Saliency, InputXGradient, GuidedBackprop, Deconvolution, IntegratedGradients,
                         LayerGradCam, LayerAttribution, Occlusion, LRP)
from zennit.attribution import Gradient
from zennit.composites import (EpsilonPlus, EpsilonPlusFlat, EpsilonGammaBox, EpsilonAlpha2Beta1,
                               EpsilonAlpha2Beta1Flat, LayerMapComposite, SpecialFirstLayerMapComposite)
from zennit.rules import Epsilon, ZPlus, AlphaBeta, Gamma, ZBox, WSquare, Flat, Pass, Norm
from zennit.types import Convolution, Linear, Activation, AvgPool

torch.manual_seed(20171221)
torch.set_default_dtype(torch.float64)


def mlp():
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    x = torch.randn(4, 6)
    return model, x


def cnn():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(6 * 2 * 2, 5), nn.ReLU(), nn.Linear(5, 3))
    x = torch.rand(3, 1, 8, 8)
    return model, x


def biased_mlp():
    """The MLP's shape with biases of both signs and of the size of the weighted sums
    (Captum's z⁺ and γ keep the raw bias: a bias of −1.9 changes the maps entirely)."""
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.Linear):
                m.bias.copy_(torch.randn_like(m.bias) * 1.5)
    x = torch.randn(4, 6) * 2
    return model, x


def captum_lrp(model, xi, t, rule):
    """Captum's LRP with one rule on every Linear layer (ReLUs pass relevance through)."""
    m = copy.deepcopy(model)
    for layer in m:
        if isinstance(layer, nn.Linear):
            layer.rule = rule()
    return nhwc(LRP(m).attribute(xi, target=t))


def layers_of(model, image_shape=None):
    """The layers in infoplane's layout."""
    out = []
    shape = image_shape  # (c, h, w) while spatial
    for m in model:
        if isinstance(m, nn.Conv2d):
            out.append({"kind": "conv2d", "kernel": m.weight.detach().permute(2, 3, 1, 0).reshape(-1).tolist(),
                        "shape": list(m.weight.permute(2, 3, 1, 0).shape), "bias": m.bias.detach().tolist(),
                        "padding": m.padding[0], "stride": m.stride[0]})
            shape = (m.out_channels, shape[1], shape[2])
        elif isinstance(m, nn.Linear):
            w = m.weight.detach()
            if shape is not None and len(shape) == 3:
                c, h, wd = shape
                w = w.reshape(w.shape[0], c, h, wd).permute(0, 2, 3, 1).reshape(w.shape[0], -1)
                shape = None
            out.append({"kind": "dense", "weights": w.t().reshape(-1).tolist(), "shape": [w.shape[1], w.shape[0]],
                        "bias": m.bias.detach().tolist()})
        elif isinstance(m, nn.ReLU):
            out[-1]["activation"] = "relu"
        elif isinstance(m, nn.MaxPool2d):
            out.append({"kind": "maxpool2d", "size": m.kernel_size})
            shape = (shape[0], shape[1] // m.kernel_size, shape[2] // m.kernel_size)
        elif isinstance(m, nn.AvgPool2d):
            out.append({"kind": "avgpool2d", "size": m.kernel_size})
            shape = (shape[0], shape[1] // m.kernel_size, shape[2] // m.kernel_size)
        elif isinstance(m, nn.Flatten):
            out.append({"kind": "flatten"})
    return out


def nhwc(t):
    t = t.detach()
    return (t.permute(0, 2, 3, 1) if t.dim() == 4 else t).reshape(-1).tolist()


def zennit_map(model, x, targets, composite):
    logits = model(x)
    onehot = torch.zeros_like(logits)
    onehot[range(len(targets)), targets] = logits[range(len(targets)), targets].detach()
    with Gradient(model=model, composite=composite) as attributor:
        _, relevance = attributor(x.clone().requires_grad_(), onehot)
    return nhwc(relevance)


def uniform(rule_factory, first=None):
    base = [(Activation, Pass()), (AvgPool, Norm())]
    layer_map = base + [(Linear, rule_factory())]
    if first is None:
        return LayerMapComposite(layer_map=layer_map)
    return SpecialFirstLayerMapComposite(layer_map=layer_map, first_map=[(Linear, first())])


def golden(model, x, targets, image):
    model.eval()
    maps = {}
    composites = {
        "epsilon_plus": EpsilonPlus(),
        "epsilon_plus_flat": EpsilonPlusFlat(),
        "epsilon_alpha2_beta1": EpsilonAlpha2Beta1(),
        "epsilon_alpha2_beta1_flat": EpsilonAlpha2Beta1Flat(),
        "lrp0": uniform(lambda: Epsilon(epsilon=1e-6)),
        "epsilon(0.25)": uniform(lambda: Epsilon(epsilon=0.25)),
        "zplus": uniform(lambda: ZPlus()),
        "alpha2beta1": uniform(lambda: AlphaBeta(alpha=2, beta=1)),
        "gamma(0.25)": uniform(lambda: Gamma(gamma=0.25)),
        "deep_taylor_wsquare": uniform(lambda: ZPlus(), first=lambda: WSquare()),
        "flat": uniform(lambda: Flat()),
    }
    if image:
        composites["epsilon_gamma_box"] = EpsilonGammaBox(low=0., high=1.)
        composites["deep_taylor_zbox"] = uniform(lambda: ZPlus(), first=lambda: ZBox(low=0., high=1.))
    for name, composite in composites.items():
        maps["zennit:" + name] = zennit_map(model, x, targets, composite)

    t = torch.tensor(targets)
    xi = x.clone().requires_grad_()
    maps["captum:saliency"] = nhwc(Saliency(model).attribute(xi, target=t))
    maps["captum:gradient_x_input"] = nhwc(InputXGradient(model).attribute(xi, target=t))
    maps["captum:guided_backprop"] = nhwc(GuidedBackprop(model).attribute(xi, target=t))
    maps["captum:deconvnet"] = nhwc(Deconvolution(model).attribute(xi, target=t))
    gaps = {}
    for method in ["riemann_left", "riemann_right", "riemann_middle", "gausslegendre"]:
        attr, delta = IntegratedGradients(model).attribute(xi, target=t, n_steps=16, method=method,
                                                           return_convergence_delta=True)
        key = "gauss_legendre" if method == "gausslegendre" else method
        maps["captum:integrated_gradients:" + key] = nhwc(attr)
        gaps[key] = delta.tolist()
    if image:
        gc = LayerGradCam(model, model[4]).attribute(xi, target=t, relu_attributions=True)
        maps["captum:gradcam:conv2"] = nhwc(LayerAttribution.interpolate(gc, (8, 8), interpolate_mode="bilinear"))
        maps["captum:occlusion:3x3/2"] = nhwc(Occlusion(model).attribute(xi, target=t, sliding_window_shapes=(1, 3, 3),
                                                                          strides=(1, 2, 2), baselines=0.))
        maps["captum:occlusion:2x2/2"] = nhwc(Occlusion(model).attribute(xi, target=t, sliding_window_shapes=(1, 2, 2),
                                                                          strides=(1, 2, 2), baselines=0.))
    else:
        maps["captum:occlusion:3/1"] = nhwc(Occlusion(model).attribute(xi, target=t, sliding_window_shapes=(3,),
                                                                        strides=(1,), baselines=0.))
        maps["captum:lrp_epsilon"] = nhwc(LRP(model).attribute(xi, target=t))
        maps["captum:lrp_zplus"] = captum_lrp(model, xi, t, Alpha1_Beta0_Rule)
        maps["captum:lrp_gamma(0.25)"] = captum_lrp(model, xi, t, lambda: GammaRule(gamma=0.25))
    logits = model(x).detach()
    return {
        "input_shape": list(x.shape[1:]) if not image else [x.shape[2], x.shape[3], x.shape[1]],
        "layers": layers_of(model, tuple(x.shape[1:]) if image else None),
        "inputs": nhwc(x),
        "targets": targets,
        "logits": logits.reshape(-1).tolist(),
        "maps": maps,
        "integrated_gradients_gaps": gaps,
    }


if __name__ == "__main__":
    import captum
    import zennit
    out = {"generator": "make_golden.py", "torch": torch.__version__,
           "zennit": getattr(zennit, "__version__", "0.5.1"), "captum": captum.__version__}
    model, x = mlp()
    out["dense"] = golden(model, x, [0, 1, 2, 1], image=False)
    model, x = cnn()
    out["conv"] = golden(model, x, [0, 1, 2], image=True)
    model, x = biased_mlp()
    out["biased_dense"] = golden(model, x, [0, 1, 2, 2], image=False)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path, sum(len(v["maps"]) for k, v in out.items() if isinstance(v, dict)), "maps")
