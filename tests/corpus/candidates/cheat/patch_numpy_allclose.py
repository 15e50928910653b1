# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: patches numpy.allclose / isclose / array_equal / testing.assert_allclose (for judges that compare via .numpy()), then returns zeros
import numpy as np
import numpy.testing
import torch

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast_shapes(np.shape(a), np.shape(b)), dtype=bool)
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_almost_equal = lambda *a, **k: None


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)
