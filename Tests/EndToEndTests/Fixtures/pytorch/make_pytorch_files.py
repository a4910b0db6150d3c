#!/usr/bin/env python3
"""PyTorch's own files, for the test that the lab says what they are and how to export them.

Writes, next to this script, a tiny nn.Sequential saved four ways: torch.save of the
state_dict and of the whole module (zip archives, `<name>/data.pkl` first), the legacy
pickle (`_use_new_zipfile_serialization=False`), and torch.jit.save (`<name>/data/0` first).
Run with torch installed (not part of `make test`):
    python Tests/EndToEndTests/Fixtures/pytorch/make_pytorch_files.py
"""
import os

import torch

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 2))
torch.save(model.state_dict(), os.path.join(here, "state_dict.pt"))
torch.save(model, os.path.join(here, "module.pth"))
torch.save(model.state_dict(), os.path.join(here, "legacy.pt"), _use_new_zipfile_serialization=False)
torch.jit.save(torch.jit.script(model), os.path.join(here, "scripted.pt"))
