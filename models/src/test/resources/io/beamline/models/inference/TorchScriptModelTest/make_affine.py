# Writes affine.pt, the TorchScript fixture of TorchScriptModelTest: y = x @ W^T + b, float[3] -> float[2].
# Made once with Debian's python3-torch (torch 1.13); the .pt is committed, so tests need no Python.
# Usage (in this folder): /usr/bin/python3 make_affine.py  (apt-get install python3-torch)
import torch


class Affine(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]))
        self.b = torch.nn.Parameter(torch.tensor([0.25, -1.0]))

    def forward(self, x):
        return x @ self.w.t() + self.b


torch.jit.script(Affine()).save("affine.pt")
